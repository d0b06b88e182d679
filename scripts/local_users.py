"""Throwaway users in a local stack's Cognito (moto), signed in with real tokens."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from scripts.local_stack import Stack, create_user

THROWAWAY_PASSWORD = "Load-Test-Passw0rd"  # noqa: S105 - a throwaway local user


@dataclass(frozen=True)
class LocalUser:
    email: str
    id_token: str

    @property
    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.id_token}"}


def new_user(cognito: Any, stack: Stack, label: str = "load") -> LocalUser:
    """A confirmed user in the stack's pool, signed in."""
    email = f"{label}-{uuid.uuid4().hex[:12]}@example.com"
    tokens = create_user(cognito, stack, email, THROWAWAY_PASSWORD)
    return LocalUser(email, tokens["id_token"])
