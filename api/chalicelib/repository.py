"""The storage port: what the service layer needs from a todo store.

The PynamoDB adapter (``chalicelib.dynamo``) implements it, and so does the
in-memory twin (``chalicelib.memory``) the fast tests use; one contract test
class (tests/unit/test_repository.py) holds both to the same behaviour.
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
    """A create with this idempotency key already happened.

    `todo` is the todo as it is now (as created, if it has since been deleted)."""

    def __init__(self, todo: Todo, fingerprint: str) -> None:
        super().__init__("idempotency key already used")
        self.todo = todo
        self.fingerprint = fingerprint


class IdempotencyInProgress(Exception):
    """Another request with this idempotency key is being written right now."""


class QuotaReached(Exception):
    """The owner already has TODO_QUOTA todos."""


@dataclass(frozen=True)
class BulkResult:
    """What one bulk call changed, and whether matching todos remain (BULK_LIMIT)."""

    count: int
    more: bool


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
        """Store a new todo; raise QuotaReached at TODO_QUOTA todos. With a claim,
        raise IdempotentReplay if the key was used, IdempotencyInProgress if it
        is being used right now."""

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

    def delete(
        self,
        owner: str,
        todo_id: str,
        expected_version: int | None,
        restorable_until: dt.datetime,
    ) -> None:
        """Make the todo a tombstone: gone from every read, write and the quota's
        count at once, restorable until `restorable_until`. Raise TodoNotFound or
        VersionMismatch."""

    def restore(self, owner: str, todo_id: str, now: dt.datetime) -> None:
        """Bring a tombstone back as it was (id, version, order, every field) and
        count it again. Raise TodoNotFound unless the owner deleted it and it is
        still restorable at `now`; QuotaReached if the owner has TODO_QUOTA todos."""

    def list(
        self, owner: str, *, completed: bool | None, limit: int, after: Position | None
    ) -> tuple[list[Todo], Position | None]:
        """One page in (order, id) order, and where the next page starts (None if done)."""

    def delete_all(
        self, owner: str, *, completed: bool | None, restorable_until: dt.datetime
    ) -> BulkResult:
        """Delete (as `delete` does) up to BULK_LIMIT matching todos; one changed
        meanwhile so that it no longer matches (reopened, say) is kept."""

    def set_all_completed(self, owner: str, completed: bool, at: dt.datetime) -> BulkResult:
        """Complete (or reopen) up to BULK_LIMIT todos, each by Todo.changed's rules."""
