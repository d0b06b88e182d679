"""The PynamoDB adapter: one request per single-todo operation, one Query per
page, no Scan, and correct paging."""

from __future__ import annotations

import datetime as dt

import pytest

from chalicelib.domain import Priority, Todo
from chalicelib.dynamo import DynamoTodoRepository, bind_models, order_key
from chalicelib.ids import new_ulid
from chalicelib.repository import (
    IdempotencyClaim,
    IdempotentReplay,
    Position,
    StorageUnavailable,
    TodoNotFound,
    VersionMismatch,
)
from tests.conftest import RequestCounter

NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)
OWNER = "owner-sub"


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


@pytest.fixture
def repo(aws: None) -> DynamoTodoRepository:
    return DynamoTodoRepository()


def test_order_key_sorts_by_order_then_id() -> None:
    keys = [order_key(o, i) for o, i in [(-3, "B"), (-3, "C"), (0, "A"), (2, "A"), (10, "A")]]
    assert keys == sorted(keys)
    assert order_key(-1_000_000_000, "X").startswith("0000000000#")


def test_round_trip_keeps_every_field(repo: DynamoTodoRepository) -> None:
    todo = make_todo(notes="n", due=dt.date(2026, 12, 24), priority=Priority.HIGH, completed=True)
    repo.add(todo)
    assert repo.get(OWNER, todo.id) == todo


def test_single_todo_operations_are_one_request_each(
    repo: DynamoTodoRepository, dynamodb_requests: RequestCounter
) -> None:
    todo = make_todo()
    operations = {
        "add": lambda: repo.add(todo),
        "get": lambda: repo.get(OWNER, todo.id),
        "update": lambda: repo.update(OWNER, todo.id, {"title": "x"}, NOW, None),
        "update with If-Match": lambda: repo.update(OWNER, todo.id, {"order": 4}, NOW, 2),
        "get missing": lambda: repo.get(OWNER, new_ulid()),
        "delete with If-Match": lambda: repo.delete(OWNER, todo.id, 3),
    }
    for name, operation in operations.items():
        dynamodb_requests.reset()
        operation()
        assert dynamodb_requests.total == 1, (name, dynamodb_requests.calls)


def test_idempotent_add_is_one_request_even_when_replayed(
    repo: DynamoTodoRepository, dynamodb_requests: RequestCounter
) -> None:
    claim = IdempotencyClaim("k" * 64, "f" * 64, NOW)
    first = make_todo()
    repo.add(first, claim)
    assert dynamodb_requests.calls == {"TransactWriteItems": 1}
    dynamodb_requests.reset()
    with pytest.raises(IdempotentReplay) as replay:
        repo.add(make_todo(), claim)
    assert dynamodb_requests.total == 1
    assert replay.value.original == first
    assert replay.value.fingerprint == "f" * 64
    assert repo.list(OWNER, completed=None, limit=10, after=None)[0] == [first]


def test_expired_idempotency_key_can_be_used_again(repo: DynamoTodoRepository) -> None:
    repo.add(make_todo(), IdempotencyClaim("k" * 64, "f" * 64, NOW))
    later = IdempotencyClaim("k" * 64, "f" * 64, NOW + dt.timedelta(hours=25))
    repo.add(make_todo(), later)  # no IdempotentReplay: the old claim expired
    assert len(repo.list(OWNER, completed=None, limit=10, after=None)[0]) == 2


def test_update_bumps_version_and_tracks_completion(repo: DynamoTodoRepository) -> None:
    todo = make_todo()
    repo.add(todo)
    later = NOW + dt.timedelta(minutes=5)
    done = repo.update(OWNER, todo.id, {"completed": True}, later, expected_version=1)
    assert (done.version, done.completed, done.completed_at) == (2, True, later)
    again = repo.update(OWNER, todo.id, {"completed": True}, later + dt.timedelta(1), None)
    assert again.completed_at == later  # first completion time is kept
    undone = repo.update(OWNER, todo.id, {"completed": False}, later, None)
    assert (undone.completed, undone.completed_at, undone.version) == (False, None, 4)


def test_clearing_optional_fields(repo: DynamoTodoRepository) -> None:
    todo = make_todo(notes="n", due=dt.date(2026, 1, 1))
    repo.add(todo)
    cleared = repo.update(OWNER, todo.id, {"notes": None, "due": None}, NOW, None)
    assert (cleared.notes, cleared.due) == (None, None)


def test_stale_version_is_a_mismatch_and_missing_is_not_found(
    repo: DynamoTodoRepository,
) -> None:
    todo = make_todo()
    repo.add(todo)
    with pytest.raises(VersionMismatch):
        repo.update(OWNER, todo.id, {"title": "x"}, NOW, expected_version=7)
    with pytest.raises(VersionMismatch):
        repo.delete(OWNER, todo.id, expected_version=7)
    with pytest.raises(TodoNotFound):
        repo.update(OWNER, new_ulid(), {"title": "x"}, NOW, expected_version=1)
    with pytest.raises(TodoNotFound):
        repo.update(OWNER, new_ulid(), {"title": "x"}, NOW, expected_version=None)
    with pytest.raises(TodoNotFound):
        repo.delete(OWNER, new_ulid(), None)
    assert repo.get(OWNER, todo.id) == todo  # nothing was written


def test_another_owner_cannot_touch_a_todo(repo: DynamoTodoRepository) -> None:
    todo = make_todo()
    repo.add(todo)
    assert repo.get("intruder", todo.id) is None
    with pytest.raises(TodoNotFound):
        repo.update("intruder", todo.id, {"title": "pwned"}, NOW, None)
    with pytest.raises(TodoNotFound):
        repo.delete("intruder", todo.id, None)
    assert repo.delete_all("intruder", completed=None) == 0
    assert repo.set_all_completed("intruder", True, NOW) == 0
    assert repo.get(OWNER, todo.id) == todo


def test_paging_250_todos_by_7_yields_each_once_in_order(
    repo: DynamoTodoRepository, dynamodb_requests: RequestCounter
) -> None:
    todos = [make_todo(order=(i * 37) % 11) for i in range(250)]
    for todo in todos:
        repo.add(todo)
    expected = [t.id for t in sorted(todos, key=lambda t: (t.order, t.id))]
    seen: list[str] = []
    after: Position | None = None
    pages = 0
    dynamodb_requests.reset()
    while True:
        page, after = repo.list(OWNER, completed=None, limit=7, after=after)
        pages += 1
        seen.extend(t.id for t in page)
        if after is None:
            break
    assert seen == expected
    assert pages == 36  # ceil(250 / 7): no empty trailing page
    assert dynamodb_requests.calls == {"Query": pages}


def test_filtered_paging_is_complete_and_one_query_per_page(
    repo: DynamoTodoRepository, dynamodb_requests: RequestCounter
) -> None:
    todos = [make_todo(order=i, completed=i % 3 == 0) for i in range(60)]
    for todo in todos:
        repo.add(todo)
    for completed in (True, False):
        expected = [t.id for t in todos if t.completed is completed]
        seen: list[str] = []
        after: Position | None = None
        pages = 0
        dynamodb_requests.reset()
        while True:
            page, after = repo.list(OWNER, completed=completed, limit=5, after=after)
            pages += 1
            assert len(page) <= 5
            seen.extend(t.id for t in page)
            if after is None:
                break
        assert seen == expected
        assert dynamodb_requests.calls == {"Query": pages}


def test_bulk_operations_respect_the_filter(repo: DynamoTodoRepository) -> None:
    todos = [make_todo(order=i, completed=i % 2 == 0) for i in range(30)]
    for todo in todos:
        repo.add(todo)
    assert repo.set_all_completed(OWNER, True, NOW) == 15
    page, _ = repo.list(OWNER, completed=False, limit=100, after=None)
    assert page == []
    assert repo.set_all_completed(OWNER, False, NOW) == 30
    repo.set_all_completed(OWNER, True, NOW)
    repo.update(OWNER, todos[0].id, {"completed": False}, NOW, None)
    assert repo.delete_all(OWNER, completed=True) == 29
    remaining, _ = repo.list(OWNER, completed=None, limit=100, after=None)
    assert [t.id for t in remaining] == [todos[0].id]
    assert repo.delete_all(OWNER, completed=None) == 1


def test_no_operation_scans(repo: DynamoTodoRepository, dynamodb_requests: RequestCounter) -> None:
    todo = make_todo()
    repo.add(todo)
    repo.list(OWNER, completed=True, limit=3, after=None)
    repo.set_all_completed(OWNER, True, NOW)
    repo.delete_all(OWNER, completed=None)
    assert "Scan" not in dynamodb_requests.calls


def test_unreachable_storage_is_reported_as_unavailable(aws: None) -> None:
    bind_models("todos-test", "us-east-1", "http://127.0.0.1:9")  # nothing listens on port 9
    repo = DynamoTodoRepository()
    with pytest.raises(StorageUnavailable):
        repo.get(OWNER, new_ulid())
    with pytest.raises(StorageUnavailable):
        repo.add(make_todo())


def test_missing_table_is_reported_as_unavailable(aws: None) -> None:
    bind_models("no-such-table", "us-east-1", None)
    with pytest.raises(StorageUnavailable):
        DynamoTodoRepository().list(OWNER, completed=None, limit=1, after=None)


def test_a_5xx_without_an_error_code_is_reported_as_unavailable(
    repo: DynamoTodoRepository,
) -> None:
    # Seen from moto under concurrency: HTTP 500 with no AWS error code.
    from botocore.exceptions import ClientError

    from chalicelib.dynamo import dynamodb_client

    def fail(**kwargs: object) -> None:
        raise ClientError({"Error": {}, "ResponseMetadata": {"HTTPStatusCode": 500}}, "PutItem")

    events = dynamodb_client().meta.events
    events.register("before-call.dynamodb.PutItem", fail)
    try:
        with pytest.raises(StorageUnavailable):
            repo.add(make_todo())
    finally:
        events.unregister("before-call.dynamodb.PutItem", fail)
