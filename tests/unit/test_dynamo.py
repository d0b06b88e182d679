"""The PynamoDB adapter: one request per single-todo operation, one Query per
page, no Scan, and correct paging."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from botocore.exceptions import ClientError
from pynamodb.constants import BINARY, BINARY_SET

from chalicelib.dynamo import (
    MODELS,
    WORST_CASE_REQUEST_SECONDS,
    DynamoTodoRepository,
    TodoItem,
    bind_models,
    dynamodb_client,
    order_key,
)
from chalicelib.ids import new_ulid
from chalicelib.repository import (
    IdempotencyClaim,
    IdempotentReplay,
    StorageUnavailable,
)
from tests.conftest import RequestCounter
from tests.unit.test_repository import NOW, OWNER, UNTIL, everything, make_todo, walk


@pytest.fixture
def repo(aws: None) -> DynamoTodoRepository:
    return DynamoTodoRepository()


def test_order_key_sorts_by_order_then_id() -> None:
    keys = [order_key(o, i) for o, i in [(-3, "B"), (-3, "C"), (0, "A"), (2, "A"), (10, "A")]]
    assert keys == sorted(keys)
    assert order_key(-1_000_000_000, "X").startswith("0000000000#")


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
        "delete with If-Match": lambda: repo.delete(OWNER, todo.id, 3, UNTIL),
        "restore": lambda: repo.restore(OWNER, todo.id, NOW),
        "delete": lambda: repo.delete(OWNER, todo.id, None, UNTIL),
    }
    for name, operation in operations.items():
        dynamodb_requests.reset()
        operation()
        assert dynamodb_requests.total == 1, (name, dynamodb_requests.calls)


def test_idempotent_add_is_one_request_and_a_replay_reads_the_todo_once(
    repo: DynamoTodoRepository, dynamodb_requests: RequestCounter
) -> None:
    claim = IdempotencyClaim("k" * 64, "f" * 64, NOW)
    first = make_todo()
    repo.add(first, claim)
    assert dynamodb_requests.calls == {"TransactWriteItems": 1}
    dynamodb_requests.reset()
    with pytest.raises(IdempotentReplay):
        repo.add(make_todo(), claim)
    # The cancelled claim, then the todo's current state for the answer's ETag.
    assert dynamodb_requests.calls == {"TransactWriteItems": 1, "GetItem": 1}


def test_a_tombstone_leaves_the_listing_index_and_expires_by_ttl(
    repo: DynamoTodoRepository,
) -> None:
    todo = make_todo(order=7)
    repo.add(todo)

    def stored() -> dict[str, Any]:
        key = {"user_id": {"S": OWNER}, "item_id": {"S": todo.id}}
        item: dict[str, Any] = dynamodb_client().get_item(
            TableName=TodoItem.Meta.table_name, Key=key
        )["Item"]
        return item

    live = stored()
    repo.delete(OWNER, todo.id, None, UNTIL)
    tombstone = stored()
    # DynamoDB's TTL reads epoch seconds in a number attribute: the table's TTL attribute.
    assert tombstone["expires_at"] == {"N": str(int(UNTIL.timestamp()))}
    assert "order_key" not in tombstone  # so not in `by_order`: pages never read it
    assert tombstone["deleted_order_key"] == {"S": order_key(7, todo.id)}
    repo.restore(OWNER, todo.id, NOW)
    assert stored() == live


def test_one_query_per_page_filtered_or_not(
    repo: DynamoTodoRepository, dynamodb_requests: RequestCounter
) -> None:
    for i in range(60):
        repo.add(make_todo(order=(i * 37) % 11, completed=i % 3 == 0))
    for completed in (None, True, False):
        dynamodb_requests.reset()
        _, pages = walk(repo, completed=completed, limit=7)
        assert dynamodb_requests.calls == {"Query": pages}


@pytest.mark.parametrize(
    ("table", "endpoint"),
    [("todos-test", "http://127.0.0.1:9"), ("no-such-table", None)],  # nothing on port 9
    ids=["unreachable", "missing-table"],
)
def test_unreachable_storage_or_a_missing_table_is_unavailable(
    aws: None, table: str, endpoint: str | None
) -> None:
    bind_models(table, "us-east-1", endpoint)
    repo = DynamoTodoRepository()
    with pytest.raises(StorageUnavailable):
        repo.get(OWNER, new_ulid())
    with pytest.raises(StorageUnavailable):
        repo.list(OWNER, completed=None, limit=1, after=None)
    with pytest.raises(StorageUnavailable):
        repo.add(make_todo())


def test_a_5xx_without_an_error_code_is_reported_as_unavailable(
    repo: DynamoTodoRepository,
) -> None:
    # Seen from moto under concurrency: HTTP 500 with no AWS error code.
    def fail(**kwargs: object) -> None:
        raise ClientError({"Error": {}, "ResponseMetadata": {"HTTPStatusCode": 500}}, "GetItem")

    events = dynamodb_client().meta.events
    events.register("before-call.dynamodb.GetItem", fail)
    try:
        with pytest.raises(StorageUnavailable):
            repo.get(OWNER, new_ulid())
    finally:
        events.unregister("before-call.dynamodb.GetItem", fail)


def test_client_timeouts_and_retries_end_well_inside_the_lambda_timeout(aws: None) -> None:
    config = dynamodb_client().meta.config
    attempts = config.retries["total_max_attempts"]
    worst_case = attempts * (config.connect_timeout + config.read_timeout) + 1  # + back-off
    assert worst_case == WORST_CASE_REQUEST_SECONDS <= 8  # the Lambda's timeout is 10 s


def test_clear_completed_keeps_a_todo_reopened_meanwhile(repo: DynamoTodoRepository) -> None:
    todos = [make_todo(order=i, completed=True) for i in range(3)]
    for todo in todos:
        repo.add(todo)
    reopened = todos[1]

    def reopen_first(**_: object) -> None:
        events.unregister("before-call.dynamodb.TransactWriteItems", reopen_first)
        repo.update(OWNER, reopened.id, {"completed": False}, NOW, None)

    # Between the query that found the completed todos and the deletes.
    events = dynamodb_client().meta.events
    events.register("before-call.dynamodb.TransactWriteItems", reopen_first)
    assert repo.delete_all(OWNER, completed=True, restorable_until=UNTIL).count == 2
    assert [t.id for t in everything(repo)] == [reopened.id]


def test_bulk_writes_in_chunks_of_one_transaction_each(
    repo: DynamoTodoRepository, dynamodb_requests: RequestCounter
) -> None:
    for i in range(150):
        repo.add(make_todo(order=i))
    dynamodb_requests.reset()
    assert repo.set_all_completed(OWNER, True, NOW).count == 150
    # One Query finds them (on the one client every request goes through), 100 + 50.
    assert dynamodb_requests.calls == {"Query": 1, "TransactWriteItems": 2}
    dynamodb_requests.reset()
    assert repo.delete_all(OWNER, completed=None, restorable_until=UNTIL).count == 150
    assert dynamodb_requests.calls == {"Query": 1, "TransactWriteItems": 2}  # 99 + 51 + count


def test_query_answers_need_no_parsing_as_no_item_holds_binary() -> None:
    # Query answers reach PynamoDB as DynamoDB's JSON, unparsed by botocore,
    # whose parsing changes only binary values (base64 -> bytes).
    for model in MODELS:
        for name, attribute in model.get_attributes().items():
            assert attribute.attr_type not in {BINARY, BINARY_SET}, (model.__name__, name)


def test_the_client_handed_out_already_has_the_query_hook(
    repo: DynamoTodoRepository, monkeypatch: pytest.MonkeyPatch
) -> None:
    # wsgi.prepare readies the client before the workers fork. A hook added on a
    # request would empty botocore's event caches for that request to refill.
    repo.add(make_todo())
    events = dynamodb_client().meta.events
    added: list[str] = []
    monkeypatch.setattr(events, "register", lambda name, *_, **__: added.append(name))
    todos, _ = repo.list(OWNER, completed=None, limit=20, after=None)
    assert len(todos) == 1
    assert added == []


def test_a_new_client_reads_as_the_first_did(repo: DynamoTodoRepository) -> None:
    todo = make_todo(notes="n", due=dt.date(2030, 1, 2))
    repo.add(todo)
    bind_models("todos-test", "us-east-1", None)  # PynamoDB makes a new connection and client
    assert repo.get(OWNER, todo.id) == todo
    assert repo.list(OWNER, completed=None, limit=5, after=None) == ([todo], None)


def test_whole_numbers_read_as_ints() -> None:
    for number in (-1_000_000_000, 0, 7, 1_000_000_000):
        read = TodoItem.order.deserialize(TodoItem.order.serialize(number))
        assert read == number and type(read) is int
