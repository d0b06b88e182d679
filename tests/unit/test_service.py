from __future__ import annotations

import datetime as dt
import itertools

import pytest

from chalicelib.config import DELETE_UNDO_WINDOW
from chalicelib.domain import TODO_QUOTA
from chalicelib.errors import (
    NotFound,
    QuotaExceeded,
    ValidationError,
)
from chalicelib.ids import is_ulid, new_ulid
from chalicelib.memory import InMemoryTodoRepository
from chalicelib.repository import (
    Position,
)
from chalicelib.service import TodoService, decode_cursor, encode_cursor

T0 = dt.datetime(2026, 11, 26, 9, 0, tzinfo=dt.UTC)


class SteppingClock:
    def __init__(self) -> None:
        self._ticks = itertools.count()

    def __call__(self) -> dt.datetime:
        return T0 + dt.timedelta(seconds=next(self._ticks))


@pytest.fixture
def service() -> TodoService:
    return TodoService(InMemoryTodoRepository(), clock=SteppingClock())


def test_create_stamps_times_id_and_version(service: TodoService) -> None:
    created = service.create("u1", {"title": "a", "completed": True})
    todo = created.todo
    assert not created.replayed
    assert is_ulid(todo.id) and todo.version == 1
    assert todo.created_at == todo.updated_at == todo.completed_at == T0
    assert service.get("u1", todo.id) == todo


def test_update_uses_the_clock_and_the_version(service: TodoService) -> None:
    # A stale version's 412: tests/contract/test_concurrency.py.
    todo = service.create("u1", {"title": "a"}).todo
    updated = service.update("u1", todo.id, {"title": "b"}, expected_version=1)
    assert (updated.title, updated.version) == ("b", 2)
    assert updated.updated_at == T0 + dt.timedelta(seconds=1)


class SettableClock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> dt.datetime:
        return self.now


def test_a_delete_is_restorable_for_the_documented_window() -> None:
    assert dt.timedelta(minutes=10) == DELETE_UNDO_WINDOW  # openapi.yaml, docs/data-model.md
    clock = SettableClock()
    service = TodoService(InMemoryTodoRepository(), clock=clock)
    todo = service.create("u1", {"title": "a", "order": 3}).todo
    service.delete("u1", todo.id)
    with pytest.raises(NotFound):
        service.get("u1", todo.id)
    with pytest.raises(NotFound):
        service.restore("u2", todo.id)
    with pytest.raises(NotFound):
        service.restore("u1", "not-a-ulid")
    clock.now = T0 + DELETE_UNDO_WINDOW - dt.timedelta(seconds=1)
    service.restore("u1", todo.id)
    assert service.get("u1", todo.id) == todo
    service.delete_all("u1")
    clock.now += DELETE_UNDO_WINDOW
    with pytest.raises(NotFound):
        service.restore("u1", todo.id)


def test_an_idempotency_key_names_the_request_not_its_spelling(service: TodoService) -> None:
    # Replays, and a key reused for another body, are tests/contract/test_concurrency.py's.
    same = service.create("u1", {"title": "a", "order": 0}, idempotency_key="key")
    again = service.create("u1", {"order": 0, "title": "a"}, idempotency_key="key")
    assert again.replayed and again.todo == same.todo
    with pytest.raises(ValidationError):
        service.create("u1", {"title": "a"}, idempotency_key="")


def test_ids_that_cannot_exist_are_not_found_without_touching_storage() -> None:
    class ExplodingRepository(InMemoryTodoRepository):
        def get(self, owner: str, todo_id: str) -> None:
            raise AssertionError("storage must not be called")

    service = TodoService(ExplodingRepository())
    for bad in ["", "x", "idem#abc", "01ARZ3NDEKTSV4RRFFQ69G5FA", "u" * 26]:
        with pytest.raises(NotFound):
            service.get("u1", bad)


def test_the_quota_is_a_409_naming_the_limit(
    service: TodoService, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("chalicelib.memory.TODO_QUOTA", 2)
    service.create("u1", {"title": "a"})
    service.create("u1", {"title": "b"})
    with pytest.raises(QuotaExceeded) as raised:
        service.create("u1", {"title": "c"})
    assert (raised.value.status, raised.value.code) == (409, "quota_exceeded")
    assert f"{TODO_QUOTA} todos" in raised.value.message


def test_cursor_round_trip() -> None:
    for position in [
        Position(0, new_ulid()),
        Position(-1_000_000_000, new_ulid()),
        Position(10**9, new_ulid()),
    ]:
        assert decode_cursor(encode_cursor(position)) == position


@pytest.mark.parametrize(
    "cursor",
    ["5.01ARZ3NDEKTSV4RRFFQ69G5FAV.extra", "x.01ARZ3NDEKTSV4RRFFQ69G5FAV", "5.not-an-id",
     "1000000001.01ARZ3NDEKTSV4RRFFQ69G5FAV", "-1000000001.01ARZ3NDEKTSV4RRFFQ69G5FAV",
     "5.81ARZ3NDEKTSV4RRFFQ69G5FAV", "5:01ARZ3NDEKTSV4RRFFQ69G5FAV", "",
     "5.01arz3ndektsv4rrffq69g5fav", "5.01ARZ3NDEKTSV4RRFFQ69G5FAV\n"],
)  # fmt: skip
def test_cursors_that_we_did_not_make_are_rejected(cursor: str) -> None:
    with pytest.raises(ValidationError):
        decode_cursor(cursor)
