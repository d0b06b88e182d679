"""One contract for every TodoRepository: the in-memory twin and the PynamoDB
adapter (over in-process moto) must behave the same, so service tests can use
the twin and trust the result."""

from __future__ import annotations

import datetime as dt

import pytest

from chalicelib.config import DELETE_UNDO_WINDOW
from chalicelib.domain import Priority, Todo
from chalicelib.ids import new_ulid
from chalicelib.memory import InMemoryTodoRepository
from chalicelib.repository import (
    BulkResult,
    IdempotencyClaim,
    IdempotentReplay,
    Position,
    QuotaReached,
    TodoNotFound,
    TodoRepository,
    VersionMismatch,
)

NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)
OWNER = "owner-sub"
# When a todo deleted at NOW stops being restorable.
UNTIL = NOW + DELETE_UNDO_WINDOW


def make_todo(owner: str = OWNER, order: int = 0, completed: bool = False, **kw: object) -> Todo:
    fields: dict[str, object] = {
        "id": new_ulid(),
        "owner": owner,
        "title": "a todo",
        "completed": completed,
        "order": order,
        "notes": None,
        "due": None,
        "priority": Priority.NORMAL,
        "created_at": NOW,
        "updated_at": NOW,
        "completed_at": NOW if completed else None,
        "version": 1,
    }
    fields.update(kw)
    return Todo(**fields)  # type: ignore[arg-type]


def everything(repo: TodoRepository, owner: str = OWNER) -> list[Todo]:
    todos, _ = repo.list(owner, completed=None, limit=1000, after=None)
    return todos


def walk(
    repo: TodoRepository, *, completed: bool | None = None, limit: int
) -> tuple[list[str], int]:
    """Follow a listing to its end: the ids in order, and how many pages it took."""
    seen: list[str] = []
    after: Position | None = None
    pages = 0
    while True:
        page, after = repo.list(OWNER, completed=completed, limit=limit, after=after)
        pages += 1
        assert len(page) <= limit
        seen.extend(t.id for t in page)
        if after is None:
            return seen, pages


@pytest.fixture(params=["memory", "dynamo"])
def repo(request: pytest.FixtureRequest) -> TodoRepository:
    if request.param == "memory":
        return InMemoryTodoRepository()
    request.getfixturevalue("aws")  # a fresh in-process moto table
    from chalicelib.dynamo import DynamoTodoRepository

    return DynamoTodoRepository()


class TestTodoRepositoryContract:
    def test_round_trip_keeps_every_field(self, repo: TodoRepository) -> None:
        todo = make_todo(
            notes="n", due=dt.date(2026, 12, 24), priority=Priority.HIGH, completed=True
        )
        repo.add(todo)
        assert repo.get(OWNER, todo.id) == todo

    def test_idempotent_add_replays_the_todo_as_it_is_now(self, repo: TodoRepository) -> None:
        claim = IdempotencyClaim("k" * 64, "f" * 64, NOW)
        first = make_todo()
        repo.add(first, claim)
        changed = repo.update(OWNER, first.id, {"title": "changed"}, NOW, None)
        with pytest.raises(IdempotentReplay) as replay:
            repo.add(make_todo(), claim)
        assert replay.value.todo == changed
        assert replay.value.fingerprint == "f" * 64
        assert everything(repo) == [changed]

    def test_replay_of_a_deleted_todo_answers_it_as_created(self, repo: TodoRepository) -> None:
        claim = IdempotencyClaim("k" * 64, "f" * 64, NOW)
        first = make_todo(notes="n", due=dt.date(2030, 1, 2), priority=Priority.LOW)
        repo.add(first, claim)
        repo.delete(OWNER, first.id, None, UNTIL)
        with pytest.raises(IdempotentReplay) as replay:
            repo.add(make_todo(), claim)
        assert replay.value.todo == first
        assert everything(repo) == []

    def test_expired_idempotency_key_can_be_used_again(self, repo: TodoRepository) -> None:
        repo.add(make_todo(), IdempotencyClaim("k" * 64, "f" * 64, NOW))
        later = IdempotencyClaim("k" * 64, "f" * 64, NOW + dt.timedelta(hours=25))
        repo.add(make_todo(), later)  # no IdempotentReplay: the old claim expired
        assert len(everything(repo)) == 2

    def test_changes_follow_the_models_rules(self, repo: TodoRepository) -> None:
        # Todo.changed: version + VERSION_STEP; completion_time keeps the first completion.
        todo = make_todo()
        repo.add(todo)
        later = NOW + dt.timedelta(minutes=5)
        done = repo.update(OWNER, todo.id, {"completed": True}, later, expected_version=1)
        assert done == todo.changed({"completed": True}, later)
        assert (done.version, done.completed, done.completed_at) == (2, True, later)
        again = repo.update(OWNER, todo.id, {"completed": True}, later + dt.timedelta(1), None)
        assert again.completed_at == later
        undone = repo.update(OWNER, todo.id, {"completed": False}, later, None)
        assert (undone.completed, undone.completed_at, undone.version) == (False, None, 4)

    def test_clearing_optional_fields(self, repo: TodoRepository) -> None:
        todo = make_todo(notes="n", due=dt.date(2026, 1, 1))
        repo.add(todo)
        cleared = repo.update(OWNER, todo.id, {"notes": None, "due": None}, NOW, None)
        assert (cleared.notes, cleared.due) == (None, None)

    def test_stale_version_is_a_mismatch_and_missing_is_not_found(
        self, repo: TodoRepository
    ) -> None:
        todo = make_todo()
        repo.add(todo)
        with pytest.raises(VersionMismatch):
            repo.update(OWNER, todo.id, {"title": "x"}, NOW, expected_version=7)
        with pytest.raises(VersionMismatch):
            repo.delete(OWNER, todo.id, 7, UNTIL)
        with pytest.raises(TodoNotFound):
            repo.update(OWNER, new_ulid(), {"title": "x"}, NOW, expected_version=1)
        with pytest.raises(TodoNotFound):
            repo.update(OWNER, new_ulid(), {"title": "x"}, NOW, expected_version=None)
        with pytest.raises(TodoNotFound):
            repo.delete(OWNER, new_ulid(), None, UNTIL)
        assert repo.get(OWNER, todo.id) == todo  # nothing was written

    def test_another_owner_cannot_touch_a_todo(self, repo: TodoRepository) -> None:
        todo = make_todo()
        repo.add(todo)
        assert repo.get("intruder", todo.id) is None
        with pytest.raises(TodoNotFound):
            repo.update("intruder", todo.id, {"title": "pwned"}, NOW, None)
        with pytest.raises(TodoNotFound):
            repo.delete("intruder", todo.id, None, UNTIL)
        assert repo.delete_all("intruder", completed=None, restorable_until=UNTIL).count == 0
        assert repo.set_all_completed("intruder", True, NOW).count == 0
        assert repo.get(OWNER, todo.id) == todo

    def test_paging_yields_each_todo_once_in_order(self, repo: TodoRepository) -> None:
        todos = [make_todo(order=(i * 37) % 11) for i in range(50)]
        for todo in todos:
            repo.add(todo)
        seen, pages = walk(repo, limit=7)
        assert seen == [t.id for t in sorted(todos, key=lambda t: (t.order, t.id))]
        assert pages == 8  # ceil(50 / 7): no empty trailing page

    def test_filtered_paging_is_complete(self, repo: TodoRepository) -> None:
        todos = [make_todo(order=i, completed=i % 3 == 0) for i in range(30)]
        for todo in todos:
            repo.add(todo)
        for completed in (True, False):
            seen, _ = walk(repo, completed=completed, limit=4)
            assert seen == [t.id for t in todos if t.completed is completed]

    def test_bulk_operations_respect_the_filter(self, repo: TodoRepository) -> None:
        todos = [make_todo(order=i, completed=i % 2 == 0) for i in range(30)]
        for todo in todos:
            repo.add(todo)
        marked = repo.set_all_completed(OWNER, True, NOW)
        assert (marked.count, marked.more) == (15, False)
        assert repo.list(OWNER, completed=False, limit=100, after=None)[0] == []
        reopened = todos[1]
        assert repo.get(OWNER, reopened.id) == reopened.changed({"completed": True}, NOW)
        assert repo.set_all_completed(OWNER, False, NOW).count == 30
        repo.set_all_completed(OWNER, True, NOW)
        repo.update(OWNER, todos[0].id, {"completed": False}, NOW, None)
        cleared = repo.delete_all(OWNER, completed=True, restorable_until=UNTIL)
        assert (cleared.count, cleared.more) == (29, False)
        assert [t.id for t in everything(repo)] == [todos[0].id]
        assert repo.delete_all(OWNER, completed=None, restorable_until=UNTIL).count == 1

    def test_bulk_calls_stop_at_the_bulk_limit(
        self, repo: TodoRepository, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        for name in ("chalicelib.memory.BULK_LIMIT", "chalicelib.dynamo.BULK_LIMIT"):
            monkeypatch.setattr(name, 3, raising=False)
        for i in range(5):
            repo.add(make_todo(order=i))
        first = repo.set_all_completed(OWNER, True, NOW)
        assert (first.count, first.more) == (3, True)
        assert (repo.set_all_completed(OWNER, True, NOW).count, len(everything(repo))) == (2, 5)
        assert repo.delete_all(OWNER, completed=True, restorable_until=UNTIL) == BulkResult(
            3, more=True
        )
        assert repo.delete_all(OWNER, completed=True, restorable_until=UNTIL) == BulkResult(
            2, more=False
        )
        assert everything(repo) == []

    def test_the_quota_counts_adds_and_deletes(
        self, repo: TodoRepository, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        for name in ("chalicelib.memory.TODO_QUOTA", "chalicelib.dynamo.TODO_QUOTA"):
            monkeypatch.setattr(name, 3, raising=False)
        kept = [make_todo(order=i) for i in range(3)]
        for todo in kept:
            repo.add(todo)
        with pytest.raises(QuotaReached):
            repo.add(make_todo())
        with pytest.raises(QuotaReached):
            repo.add(make_todo(), IdempotencyClaim("q" * 64, "f" * 64, NOW))
        assert len(everything(repo)) == 3
        repo.add(make_todo(owner="someone-else"))  # the quota is per owner
        repo.delete(OWNER, kept[0].id, None, UNTIL)
        repo.add(make_todo())
        repo.update(OWNER, kept[1].id, {"completed": True}, NOW, None)
        repo.delete_all(OWNER, completed=True, restorable_until=UNTIL)
        repo.add(make_todo())
        with pytest.raises(QuotaReached):
            repo.add(make_todo())


class TestDeleteIsATombstoneUntilRestoredOrExpired:
    """A delete is at once invisible to every read and write, and restorable
    (as it was: id, version, order, fields) by its owner until it expires."""

    def test_a_deleted_todo_is_gone_for_every_read_and_write(self, repo: TodoRepository) -> None:
        todo, other = make_todo(order=1, completed=True), make_todo(order=2, completed=True)
        repo.add(todo)
        repo.add(other)
        repo.delete(OWNER, todo.id, None, UNTIL)
        assert repo.get(OWNER, todo.id) is None
        assert everything(repo) == [other]
        assert repo.list(OWNER, completed=True, limit=10, after=None) == ([other], None)
        with pytest.raises(TodoNotFound):
            repo.update(OWNER, todo.id, {"title": "zombie"}, NOW, None)
        with pytest.raises(TodoNotFound):
            repo.update(OWNER, todo.id, {"title": "zombie"}, NOW, todo.version)
        with pytest.raises(TodoNotFound):
            repo.delete(OWNER, todo.id, None, UNTIL)
        assert repo.set_all_completed(OWNER, False, NOW).count == 1
        assert repo.delete_all(OWNER, completed=None, restorable_until=UNTIL).count == 1
        assert everything(repo) == []

    def test_restore_brings_it_back_as_it_was_in_its_place(self, repo: TodoRepository) -> None:
        todos = [make_todo(order=i, notes=f"n{i}") for i in range(3)]
        for todo in todos:
            repo.add(todo)
        changed = repo.update(OWNER, todos[1].id, {"title": "v2"}, NOW, None)
        repo.delete(OWNER, changed.id, changed.version, UNTIL)
        repo.restore(OWNER, changed.id, NOW)
        assert repo.get(OWNER, changed.id) == changed  # same id, version, order, fields
        assert everything(repo) == [todos[0], changed, todos[2]]
        assert repo.update(OWNER, changed.id, {"title": "v3"}, NOW, changed.version).version == 3
        with pytest.raises(TodoNotFound):
            repo.restore(OWNER, changed.id, NOW)  # not deleted (any more)

    def test_a_bulk_delete_is_restorable_todo_by_todo(self, repo: TodoRepository) -> None:
        todos = [make_todo(order=i, completed=i % 2 == 0) for i in range(4)]
        for todo in todos:
            repo.add(todo)
        assert repo.delete_all(OWNER, completed=True, restorable_until=UNTIL).count == 2
        assert everything(repo) == [todos[1], todos[3]]
        for todo in (todos[0], todos[2]):
            repo.restore(OWNER, todo.id, NOW)
        assert everything(repo) == todos

    def test_only_the_owner_restores_and_only_in_time(self, repo: TodoRepository) -> None:
        todo = make_todo()
        repo.add(todo)
        repo.delete(OWNER, todo.id, None, UNTIL)
        with pytest.raises(TodoNotFound):
            repo.restore("intruder", todo.id, NOW)
        with pytest.raises(TodoNotFound):
            repo.restore(OWNER, todo.id, UNTIL)  # expired, even if not purged yet
        with pytest.raises(TodoNotFound):
            repo.restore(OWNER, new_ulid(), NOW)
        assert repo.get(OWNER, todo.id) is None
        repo.restore(OWNER, todo.id, UNTIL - dt.timedelta(seconds=1))
        assert repo.get(OWNER, todo.id) == todo

    def test_a_restore_counts_in_the_quota(
        self, repo: TodoRepository, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        for name in ("chalicelib.memory.TODO_QUOTA", "chalicelib.dynamo.TODO_QUOTA"):
            monkeypatch.setattr(name, 2, raising=False)
        first, second = make_todo(order=0), make_todo(order=1)
        repo.add(first)
        repo.add(second)
        repo.delete(OWNER, first.id, None, UNTIL)  # the count goes down at once
        repo.add(make_todo(order=2))
        with pytest.raises(QuotaReached):
            repo.restore(OWNER, first.id, NOW)
        assert repo.get(OWNER, first.id) is None
        repo.delete(OWNER, second.id, None, UNTIL)
        repo.restore(OWNER, first.id, NOW)  # room again; the tombstone waited
        assert repo.get(OWNER, first.id) == first
        with pytest.raises(QuotaReached):
            repo.add(make_todo())
