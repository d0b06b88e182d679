"""The storage port: what the service layer needs from a todo store.

The PynamoDB adapter (``chalicelib.dynamo``) implements it; tests may swap it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Protocol

from chalicelib.domain import Todo


class TodoNotFound(Exception):
    pass


class VersionMismatch(Exception):
    """The todo exists, but not at the version the client expected."""


class StorageUnavailable(Exception):
    """The store is throttling, unreachable or down; the client may retry."""


class IdempotentReplay(Exception):
    """A create with this idempotency key already happened."""

    def __init__(self, original: Todo, fingerprint: str) -> None:
        super().__init__("idempotency key already used")
        self.original = original
        self.fingerprint = fingerprint


# How long an Idempotency-Key is remembered.
IDEMPOTENCY_WINDOW = dt.timedelta(hours=24)


@dataclass(frozen=True)
class IdempotencyClaim:
    key_digest: str  # sha256 of the client's key: fixed size, safe in a key attribute
    fingerprint: str  # sha256 of the request body, to spot a reused key
    claimed_at: dt.datetime

    @property
    def expires_at(self) -> dt.datetime:
        return self.claimed_at + IDEMPOTENCY_WINDOW


@dataclass(frozen=True)
class Position:
    """Where a listing stopped: the last todo's place in (order, id)."""

    order: int
    todo_id: str


class TodoRepository(Protocol):
    def add(self, todo: Todo, claim: IdempotencyClaim | None = None) -> None:
        """Store a new todo; with a claim, raise IdempotentReplay if the key was used."""

    def get(self, owner: str, todo_id: str) -> Todo | None: ...

    def update(
        self,
        owner: str,
        todo_id: str,
        changes: dict[str, Any],
        updated_at: dt.datetime,
        expected_version: int | None,
    ) -> Todo:
        """Apply changes and bump the version; raise TodoNotFound or VersionMismatch."""

    def delete(self, owner: str, todo_id: str, expected_version: int | None) -> None:
        """Raise TodoNotFound or VersionMismatch."""

    def list(
        self, owner: str, *, completed: bool | None, limit: int, after: Position | None
    ) -> tuple[list[Todo], Position | None]:
        """One page in (order, id) order, and where the next page starts (None if done)."""

    def delete_all(self, owner: str, *, completed: bool | None) -> int: ...

    def set_all_completed(self, owner: str, completed: bool, at: dt.datetime) -> int: ...
