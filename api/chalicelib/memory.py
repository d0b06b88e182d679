"""The in-memory todo store: the DynamoDB adapter's twin for fast tests.

Same contract as ``chalicelib.dynamo.DynamoTodoRepository`` (held to it by
tests/unit/test_repository.py), no server, no network: service tests run
on it in milliseconds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from chalicelib.domain import BULK_LIMIT, TODO_QUOTA, Todo
from chalicelib.repository import (
    BulkResult,
    IdempotencyClaim,
    IdempotentReplay,
    Position,
    QuotaReached,
    TodoNotFound,
    VersionMismatch,
)

TodoList = list[Todo]  # named here: inside the class, `list` is the method


@dataclass(frozen=True)
class _Claimed:
    fingerprint: str
    expires_at: dt.datetime
    created: Todo


@dataclass(frozen=True)
class _Tombstone:
    todo: Todo
    expires_at: dt.datetime


class InMemoryTodoRepository:
    def __init__(self) -> None:
        self._todos: dict[tuple[str, str], Todo] = {}
        self._claims: dict[tuple[str, str], _Claimed] = {}
        # Deleted todos, restorable until they expire (never listed or read).
        self._tombstones: dict[tuple[str, str], _Tombstone] = {}

    def add(self, todo: Todo, claim: IdempotencyClaim | None = None) -> None:
        claim_key = (todo.owner, claim.key_digest) if claim else None
        if claim and claim_key:
            claimed = self._claims.get(claim_key)
            if claimed and claimed.expires_at >= claim.claimed_at:
                current = self._todos.get((todo.owner, claimed.created.id), claimed.created)
                raise IdempotentReplay(current, claimed.fingerprint)
        if self._count(todo.owner) >= TODO_QUOTA:
            raise QuotaReached(todo.owner)
        self._todos[(todo.owner, todo.id)] = todo
        if claim and claim_key:
            self._claims[claim_key] = _Claimed(claim.fingerprint, claim.expires_at, todo)

    def get(self, owner: str, todo_id: str) -> Todo | None:
        return self._todos.get((owner, todo_id))

    def update(
        self,
        owner: str,
        todo_id: str,
        changes: dict[str, Any],
        updated_at: dt.datetime,
        expected_version: int | None,
    ) -> Todo:
        todo = self._current(owner, todo_id, expected_version)
        changed = todo.changed(changes, updated_at)
        self._todos[(owner, todo_id)] = changed
        return changed

    def delete(
        self,
        owner: str,
        todo_id: str,
        expected_version: int | None,
        restorable_until: dt.datetime,
    ) -> None:
        todo = self._current(owner, todo_id, expected_version)
        self._bury(todo, restorable_until)

    def restore(self, owner: str, todo_id: str, now: dt.datetime) -> None:
        tombstone = self._tombstones.get((owner, todo_id))
        if tombstone is None or tombstone.expires_at <= now:
            raise TodoNotFound(todo_id)
        if self._count(owner) >= TODO_QUOTA:
            raise QuotaReached(owner)
        del self._tombstones[(owner, todo_id)]
        self._todos[(owner, todo_id)] = tombstone.todo

    def list(
        self, owner: str, *, completed: bool | None, limit: int, after: Position | None
    ) -> tuple[list[Todo], Position | None]:
        todos = self._matching(owner, completed)
        if after is not None:
            todos = [t for t in todos if (t.order, t.id) > (after.order, after.todo_id)]
        page = todos[:limit]
        more = len(todos) > limit
        return page, Position(page[-1].order, page[-1].id) if more else None

    def delete_all(
        self, owner: str, *, completed: bool | None, restorable_until: dt.datetime
    ) -> BulkResult:
        todos = self._matching(owner, completed)
        for todo in todos[:BULK_LIMIT]:
            self._bury(todo, restorable_until)
        return BulkResult(min(len(todos), BULK_LIMIT), more=len(todos) > BULK_LIMIT)

    def set_all_completed(self, owner: str, completed: bool, at: dt.datetime) -> BulkResult:
        todos = self._matching(owner, not completed)
        for todo in todos[:BULK_LIMIT]:
            self._todos[(owner, todo.id)] = todo.changed({"completed": completed}, at)
        return BulkResult(min(len(todos), BULK_LIMIT), more=len(todos) > BULK_LIMIT)

    def _bury(self, todo: Todo, restorable_until: dt.datetime) -> None:
        del self._todos[(todo.owner, todo.id)]
        self._tombstones[(todo.owner, todo.id)] = _Tombstone(todo, restorable_until)

    def _current(self, owner: str, todo_id: str, expected_version: int | None) -> Todo:
        todo = self._todos.get((owner, todo_id))
        if todo is None:
            raise TodoNotFound(todo_id)
        if expected_version is not None and todo.version != expected_version:
            raise VersionMismatch(todo_id)
        return todo

    def _matching(self, owner: str, completed: bool | None) -> TodoList:
        todos = [
            t
            for (todo_owner, _), t in self._todos.items()
            if todo_owner == owner and completed in (None, t.completed)
        ]
        return sorted(todos, key=lambda t: (t.order, t.id))

    def _count(self, owner: str) -> int:
        return sum(1 for todo_owner, _ in self._todos if todo_owner == owner)
