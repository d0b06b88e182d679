"""What an API test needs from a runtime: send requests, and make users.

Each runtime (chalice.test.Client, the WSGI shim in-process, gunicorn over
HTTP) implements this, so one contract suite runs against all of them.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from requests.structures import CaseInsensitiveDict

from tools.local_stack import Stack, create_user

UNSET: Any = object()
_user_numbers = itertools.count(1)
TEST_PASSWORD = "Correct-Horse-9"


@dataclass
class ApiResponse:
    status: int
    headers: CaseInsensitiveDict[str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def error_code(self) -> str:
        code: str = self.json()["error"]["code"]
        return code


@dataclass(frozen=True)
class User:
    sub: str
    email: str
    id_token: str
    access_token: str

    @property
    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.id_token}"}


def unique_email() -> str:
    return f"user{next(_user_numbers)}-{id(object())}@example.com"


def make_user(cognito: Any, stack: Stack) -> User:
    """A new confirmed user in the stack's pool, signed in."""
    email = unique_email()
    tokens = create_user(cognito, stack, email, TEST_PASSWORD)
    attributes = cognito.admin_get_user(UserPoolId=stack.user_pool_id, Username=email)
    sub = next(a["Value"] for a in attributes["UserAttributes"] if a["Name"] == "sub")
    return User(sub, email, tokens["id_token"], tokens["access_token"])


class Runtime:
    """What the contract suite drives. `request` is shared; each runtime says
    how to send (`_send`) and how to make a user (`new_user`)."""

    name: str
    base_url: str
    client_id: str
    issuer: str
    # The AWS stand-in's resources (the table, to age or purge what a test needs).
    stack: Stack
    # Whether a Cognito access token is accepted in place of the ID token.
    accepts_access_tokens = True

    def request(
        self,
        method: str,
        path: str,
        *,
        headers: dict[str, str] | None = None,
        json: Any = UNSET,
        body: bytes | None = None,
    ) -> ApiResponse:
        merged, payload = encode_body(headers, json, body)
        return self._send(method, relative(path), merged, payload or b"")

    def _send(self, method: str, path: str, headers: dict[str, str], body: bytes) -> ApiResponse:
        raise NotImplementedError

    def new_user(self) -> User:
        """Sign up, confirm and sign in a fresh user in this runtime's Cognito."""
        raise NotImplementedError

    def inject_fault(self, **fault: Any) -> None:
        """Plan a fault in this runtime's AWS stand-in (tools/local_faults.py)."""
        raise NotImplementedError

    def clear_faults(self) -> None:
        raise NotImplementedError


def encode_body(
    headers: dict[str, str] | None, json_value: Any, body: bytes | None
) -> tuple[dict[str, str], bytes | None]:
    """Shared request preparation: JSON bodies get a JSON content type."""
    merged = dict(headers or {})
    if json_value is not UNSET:
        body = json.dumps(json_value).encode()
        if not any(k.lower() == "content-type" for k in merged):
            merged["Content-Type"] = "application/json"
    return merged, body


def relative(path_or_url: str) -> str:
    """Accept the absolute `url` the API returns as well as a plain path."""
    parts = urlsplit(path_or_url)
    if not parts.scheme:
        return path_or_url
    return parts.path + (f"?{parts.query}" if parts.query else "")
