"""Service layer: the todo use cases, over any ``TodoRepository``.

Both entrypoints (Chalice routes on Lambda / ``chalice local``, and the WSGI
shim under gunicorn) call this; it knows nothing of HTTP.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from chalicelib import domain
from chalicelib.config import DELETE_UNDO_WINDOW
from chalicelib.domain import Todo
from chalicelib.errors import (
    IdempotencyKeyInUse,
    IdempotencyKeyReused,
    NotFound,
    PreconditionFailed,
    QuotaExceeded,
    ServiceUnavailable,
    ValidationError,
)
from chalicelib.ids import is_ulid, new_ulid
from chalicelib.repository import (
    BulkResult,
    IdempotencyClaim,
    IdempotencyInProgress,
    IdempotentReplay,
    Position,
    QuotaReached,
    StorageUnavailable,
    TodoNotFound,
    TodoRepository,
    VersionMismatch,
)

LIMIT_DEFAULT = 100
LIMIT_MAX = 1000
IDEMPOTENCY_KEY_MAX_LENGTH = 255
# A cursor is the place of the last todo listed, "<order>.<id>". Every string
# of this shape is a valid place to continue after, so openapi.yaml can state
# exactly what is accepted (tests/contract/test_openapi.py holds it to this pattern).
CURSOR_PATTERN = r"^(-?[0-9]{1,9}|-?1000000000)\.([0-7][0-9A-HJKMNP-TV-Z]{25})$"
_CURSOR = re.compile(CURSOR_PATTERN)


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class Page:
    todos: list[Todo]
    next_cursor: str | None


@dataclass(frozen=True)
class Created:
    todo: Todo
    replayed: bool  # True when an Idempotency-Key retry returned the original


class TodoService:
    def __init__(
        self,
        repository: TodoRepository,
        clock: Callable[[], dt.datetime] = utc_now,
        new_id: Callable[[], str] = new_ulid,
    ) -> None:
        self._repository = repository
        self._clock = clock
        self._new_id = new_id

    def create(self, owner: str, payload: Any, idempotency_key: str | None = None) -> Created:
        fields = domain.parse_new_todo(payload)
        now = self._clock()
        todo = Todo(
            id=self._new_id(),
            owner=owner,
            created_at=now,
            updated_at=now,
            completed_at=now if fields["completed"] else None,
            version=1,
            **fields,
        )
        if idempotency_key is None:
            with storage_outcomes():
                self._repository.add(todo)
            return Created(todo, replayed=False)
        claim = IdempotencyClaim(
            key_digest=_sha256(_check_idempotency_key(idempotency_key)),
            fingerprint=_sha256(json.dumps(payload, sort_keys=True, separators=(",", ":"))),
            claimed_at=now,
        )
        try:
            with storage_outcomes():
                self._repository.add(todo, claim)
        except IdempotentReplay as replay:
            if replay.fingerprint != claim.fingerprint:
                raise IdempotencyKeyReused(
                    "this Idempotency-Key was already used with a different body"
                ) from None
            return Created(replay.todo, replayed=True)
        return Created(todo, replayed=False)

    def get(self, owner: str, todo_id: str) -> Todo:
        with storage_outcomes():
            todo = self._repository.get(owner, _check_id(todo_id))
        if todo is None:
            raise NotFound(f"todo {todo_id} not found")
        return todo

    def update(
        self, owner: str, todo_id: str, payload: Any, expected_version: int | None = None
    ) -> Todo:
        changes = domain.parse_changes(payload)
        with storage_outcomes():
            return self._repository.update(
                owner, _check_id(todo_id), changes.values, self._clock(), expected_version
            )

    def delete(self, owner: str, todo_id: str, expected_version: int | None = None) -> None:
        """Gone for every reader at once; restorable for DELETE_UNDO_WINDOW."""
        with storage_outcomes():
            self._repository.delete(
                owner, _check_id(todo_id), expected_version, self._restorable_until()
            )

    def restore(self, owner: str, todo_id: str) -> None:
        """Undo a delete (the owner's own, within DELETE_UNDO_WINDOW): the todo
        comes back with its id, version and order; it counts in the quota again."""
        with storage_outcomes():
            self._repository.restore(owner, _check_id(todo_id), self._clock())

    def list(
        self,
        owner: str,
        *,
        completed: bool | None = None,
        limit: int = LIMIT_DEFAULT,
        cursor: str | None = None,
    ) -> Page:
        after = decode_cursor(cursor) if cursor is not None else None
        with storage_outcomes():
            todos, next_after = self._repository.list(
                owner, completed=completed, limit=limit, after=after
            )
        return Page(todos, encode_cursor(next_after) if next_after else None)

    def delete_all(self, owner: str, *, completed: bool | None = None) -> BulkResult:
        with storage_outcomes():
            return self._repository.delete_all(
                owner, completed=completed, restorable_until=self._restorable_until()
            )

    def _restorable_until(self) -> dt.datetime:
        return self._clock() + DELETE_UNDO_WINDOW

    def set_all_completed(self, owner: str, payload: Any) -> BulkResult:
        completed = domain.parse_bulk_completed(payload)
        with storage_outcomes():
            return self._repository.set_all_completed(owner, completed, self._clock())


@contextmanager
def storage_outcomes() -> Iterator[None]:
    """Storage outcomes, in the API's error vocabulary."""
    try:
        yield
    except TodoNotFound as exc:
        raise NotFound(f"todo {exc} not found") from None
    except VersionMismatch:
        raise PreconditionFailed(
            "the todo has changed since you read it (If-Match is stale)"
        ) from None
    except StorageUnavailable as exc:
        raise ServiceUnavailable(
            "storage is temporarily unavailable", retry_after_seconds=2
        ) from exc
    except IdempotencyInProgress:
        raise IdempotencyKeyInUse(
            "a request with this Idempotency-Key is in progress; retry it shortly"
        ) from None
    except QuotaReached:
        raise QuotaExceeded(
            f"you have reached the limit of {domain.TODO_QUOTA} todos; delete some to add more",
            fields={"todos": f"at most {domain.TODO_QUOTA}"},
        ) from None


def encode_cursor(position: Position) -> str:
    return f"{position.order}.{position.todo_id}"


def decode_cursor(cursor: str) -> Position:
    match = _CURSOR.fullmatch(cursor)  # `$` alone would let a trailing newline through
    if not match:
        raise ValidationError("cursor is not valid", fields={"cursor": "invalid"})
    return Position(order=int(match[1]), todo_id=match[2])


def _check_id(todo_id: str) -> str:
    # An id that is not a ULID cannot exist, so it is simply not found.
    if not is_ulid(todo_id):
        raise NotFound(f"todo {todo_id} not found")
    return todo_id


def _check_idempotency_key(key: str) -> str:
    if not key or len(key) > IDEMPOTENCY_KEY_MAX_LENGTH:
        raise ValidationError(
            f"Idempotency-Key must be 1 to {IDEMPOTENCY_KEY_MAX_LENGTH} characters",
            fields={"Idempotency-Key": "invalid"},
        )
    return key


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()
