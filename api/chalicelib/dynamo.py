"""PynamoDB adapter: the todo store on DynamoDB.

Key design (docs/data-model.md): partition ``user_id`` (Cognito sub), sort
``item_id`` (ULID), and one LSI ``by_order`` on ``order_key`` for listing.
Every single-todo operation is one request: conditional writes return the new
item (``ReturnValues``) instead of reading first.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from pynamodb.attributes import (
    Attribute,
    BooleanAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.connection import TableConnection
from pynamodb.connection.base import MetaTable
from pynamodb.constants import ALL_NEW, MAP, NULL
from pynamodb.exceptions import (
    CancellationReason,
    PynamoDBException,
    TransactWriteError,
)
from pynamodb.expressions.update import Action
from pynamodb.indexes import AllProjection, LocalSecondaryIndex
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from chalicelib.domain import BULK_LIMIT, ORDER_MIN, TODO_QUOTA, VERSION_STEP, Priority, Todo
from chalicelib.repository import (
    BulkResult,
    IdempotencyClaim,
    IdempotencyInProgress,
    IdempotentReplay,
    Position,
    QuotaReached,
    StorageUnavailable,
    TodoNotFound,
    VersionMismatch,
)

ORDER_INDEX = "by_order"
IDEMPOTENCY_PREFIX = "idem#"
# The owner's todo count (TODO_QUOTA): one item per owner, kept in step with
# the todos by writing both in one transaction.
COUNT_ITEM_ID = "count"
# DynamoDB's limit of items per TransactWriteItems.
TRANSACTION_MAX_ITEMS = 100
# A transaction cancelled by a conflicting write or throttling is sent again
# this many times in all, with jittered exponential back-off from this base.
TRANSACTION_ATTEMPTS = 3
TRANSACTION_BACKOFF_SECONDS = 0.05
# Bounded so that DynamoDB not answering fails well inside the Lambda's 10 s
# timeout (API Gateway would answer 502 instead of the app's 503): at most
# (1 + MAX_RETRY_ATTEMPTS) x (connect + read), plus botocore's back-off
# (< 1 s after a first failure) = WORST_CASE_REQUEST_SECONDS.
CONNECT_TIMEOUT_SECONDS = 1
READ_TIMEOUT_SECONDS = 2
MAX_RETRY_ATTEMPTS = 1
WORST_CASE_REQUEST_SECONDS = (1 + MAX_RETRY_ATTEMPTS) * (
    CONNECT_TIMEOUT_SECONDS + READ_TIMEOUT_SECONDS
) + 1
# Read by the readiness check; never written. Cognito subs are UUIDs, so no user
# can own this partition key.
READY_PROBE_KEY = "#ready"
# Errors that mean "try again later", not "your request is wrong".
_RETRYABLE_CODES = {
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
    "InternalServerError",
    "ServiceUnavailable",
    "ResourceNotFoundException",  # table missing or still being created
    "TransactionConflictException",
}
# Cancellation reasons of a transaction that a later attempt may not meet.
_TRANSIENT_REASONS = {"TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded"}
CONDITION_FAILED = "ConditionalCheckFailed"


class _TableMeta:
    table_name = "todos"
    region = "us-east-1"
    host: str | None = None
    connect_timeout_seconds = CONNECT_TIMEOUT_SECONDS
    read_timeout_seconds = READ_TIMEOUT_SECONDS
    max_retry_attempts = MAX_RETRY_ATTEMPTS


def order_key(order: int, todo_id: str) -> str:
    """Sorts as (order, creation): order offset to be non-negative, zero-padded."""
    return f"{order - ORDER_MIN:010d}#{todo_id}"


def position_from_order_key(key: str) -> Position:
    offset, _, todo_id = key.partition("#")
    return Position(order=int(offset) + ORDER_MIN, todo_id=todo_id)


class ByOrderIndex(LocalSecondaryIndex["TodoItem"]):
    class Meta:
        index_name = ORDER_INDEX
        projection = AllProjection()

    user_id = UnicodeAttribute(hash_key=True)
    order_key = UnicodeAttribute(range_key=True)


class TodoItem(Model):
    class Meta(_TableMeta):
        pass

    user_id = UnicodeAttribute(hash_key=True)
    item_id = UnicodeAttribute(range_key=True)
    title = UnicodeAttribute()
    completed = BooleanAttribute()
    order = NumberAttribute()
    order_key = UnicodeAttribute()
    notes = UnicodeAttribute(null=True)
    due = UnicodeAttribute(null=True)
    priority = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    completed_at = UTCDateTimeAttribute(null=True)
    version = NumberAttribute()
    # A deleted todo is a tombstone until it expires (DynamoDB's TTL then purges
    # it, up to ~48 h late): `expires_at` set, and its `order_key` moved to
    # `deleted_order_key`, which takes it out of the listing index. Every read
    # and write treats an item with `expires_at` as absent; restore moves it back.
    expires_at = TTLAttribute(null=True)
    deleted_order_key = UnicodeAttribute(null=True)

    by_order = ByOrderIndex()

    @classmethod
    def from_todo(cls, todo: Todo) -> TodoItem:
        return cls(
            todo.owner,
            todo.id,
            title=todo.title,
            completed=todo.completed,
            order=todo.order,
            order_key=order_key(todo.order, todo.id),
            notes=todo.notes,
            due=todo.due.isoformat() if todo.due else None,
            priority=todo.priority.value,
            created_at=todo.created_at,
            updated_at=todo.updated_at,
            completed_at=todo.completed_at,
            version=todo.version,
        )


# The todo's attributes as stored: all but the keys (the owner is known, order_key
# is order and id) and the tombstone's.
_TODO_ATTRIBUTES = tuple(
    (name, attribute.attr_name, attribute.attr_type, attribute.deserialize)
    for name, attribute in TodoItem.get_attributes().items()
    if name not in ("user_id", "order_key", "expires_at", "deleted_order_key")
)


def todo_from_raw(owner: str, raw: dict[str, dict[str, Any]]) -> Todo:
    """The one way a todo is read: an item as DynamoDB sends it, read with each
    TodoItem attribute's own ``deserialize`` (PynamoDB's public attribute API).

    Kept by measurement: ``TodoItem.from_raw_data(raw).to_todo()`` builds a model
    instance first, 1,399-1,476 µs for 20 items against 569-671 µs here with the
    same attribute readers (timeit, min of 5 x 200, three rounds), i.e. ~30% of a
    page's whole CPU (~2,500 µs, bench/api_cpu.py). PynamoDB's own readers cost
    ~350 µs more per page than hand-written ones (int, datetime.fromisoformat):
    under 20%, so they are PynamoDB's."""
    values: dict[str, Any] = {}
    for name, attr_name, attr_type, deserialize in _TODO_ATTRIBUTES:
        stored = raw.get(attr_name)
        if stored and NULL not in stored:
            values[name] = deserialize(stored[attr_type])
    due = values.get("due")
    return Todo(
        id=values["item_id"],
        owner=owner,
        title=values["title"],
        completed=values["completed"],
        order=values["order"],
        notes=values.get("notes"),
        due=dt.date.fromisoformat(due) if due else None,
        priority=Priority(values["priority"]),
        created_at=values["created_at"],
        updated_at=values["updated_at"],
        completed_at=values.get("completed_at"),
        version=values["version"],
    )


class StoredItem(Attribute[dict[str, Any]]):
    """Another model's item as DynamoDB holds it (attribute name -> typed value), in a map."""

    attr_type = MAP

    def serialize(self, value: dict[str, Any]) -> dict[str, Any]:
        return value

    def deserialize(self, value: dict[str, Any]) -> dict[str, Any]:
        return value


class IdempotencyRecord(Model):
    """Lives in the todo table (no ``order_key``, so never in the listing index)."""

    class Meta(_TableMeta):
        pass

    user_id = UnicodeAttribute(hash_key=True)
    item_id = UnicodeAttribute(range_key=True)
    fingerprint = UnicodeAttribute()
    todo = StoredItem()  # the created TodoItem, replayed if it has since been deleted
    expires_at = TTLAttribute()


class TodoCount(Model):
    """How many todos the owner has; never in the listing index either."""

    class Meta(_TableMeta):
        pass

    user_id = UnicodeAttribute(hash_key=True)
    item_id = UnicodeAttribute(range_key=True)
    todos = NumberAttribute(null=True)


MODELS: tuple[type[Model], ...] = (TodoItem, IdempotencyRecord, TodoCount)


# Every request the adapter sends goes through this one connection (one botocore
# client: the request counts, the fault injection and the benchmarks watch it).
_table: TableConnection | None = None


def bind_models(table_name: str, region: str, endpoint: str | None) -> None:
    """Point the models and the adapter's connection at a table; called once at
    start-up (and by tests)."""
    global _table
    for model in MODELS:
        model.Meta.table_name = table_name
        model.Meta.region = region
        model.Meta.host = endpoint
        model._connection = None  # drop any connection made for another table
    _table = TableConnection(
        table_name,
        region=region,
        host=endpoint,
        connect_timeout_seconds=CONNECT_TIMEOUT_SECONDS,
        read_timeout_seconds=READ_TIMEOUT_SECONDS,
        max_retry_attempts=MAX_RETRY_ATTEMPTS,
        meta_table=MetaTable(_table_description(table_name)),
    )


def _table_description(table_name: str) -> dict[str, Any]:
    """The table's keys and index as DescribeTable would tell them, from TodoItem,
    so the connection never spends a request (or an IAM grant) asking."""
    user_id, item_id, order = TodoItem.user_id, TodoItem.item_id, TodoItem.order_key

    def keys(hash_key: Attribute[str], range_key: Attribute[str]) -> list[dict[str, str]]:
        return [
            {"AttributeName": hash_key.attr_name, "KeyType": "HASH"},
            {"AttributeName": range_key.attr_name, "KeyType": "RANGE"},
        ]

    return {
        "TableName": table_name,
        "KeySchema": keys(user_id, item_id),
        "AttributeDefinitions": [
            {"AttributeName": a.attr_name, "AttributeType": a.attr_type}
            for a in (user_id, item_id, order)
        ],
        "LocalSecondaryIndexes": [{"IndexName": ORDER_INDEX, "KeySchema": keys(user_id, order)}],
    }


def _connection() -> TableConnection:
    if _table is None:
        raise RuntimeError("chalicelib.dynamo.bind_models was not called")
    return _table


def create_table(wait: bool = True) -> None:
    """Create the table if missing (local stack and tests; infra code creates it on AWS)."""
    if not TodoItem.exists():
        TodoItem.create_table(billing_mode="PAY_PER_REQUEST", wait=wait)
        IdempotencyRecord.update_ttl(ignore_update_ttl_errors=True)


def ping() -> None:
    """One cheap read (GetItem, eventually consistent) that proves the table answers."""
    with _storage_errors():
        _connection().get_item(READY_PROBE_KEY, READY_PROBE_KEY)


def dynamodb_client() -> Any:
    """The botocore client every request goes through (for request counting:
    chalicelib.observability, tests and benchmarks), with the Query hook below:
    registered here, when the server readies the client before it serves
    (wsgi.prepare), because adding a hook empties botocore's event caches, which a
    request would then refill (a new worker's first list paid it). Registered again
    if PynamoDB makes a new client (credentials gone)."""
    client = _connection().connection.client
    if client not in _clients_parsing_fast:
        client.meta.events.register("before-parse.dynamodb.Query", _keep_answer_raw)
        _clients_parsing_fast.add(client)
    return client


# Query answers reach PynamoDB as DynamoDB sent them (``json.loads``), not walked by
# botocore's parser, whose work changes only binary values (base64 -> bytes) and no
# item holds one (tests/unit/test_dynamo.py). The one hand-written step on the
# read path, kept by measurement (bench/api_cpu.py, our CPU for a page of 20, two
# interleaved runs each on a shared 2-core machine): 2,885 and 2,593 µs with it, 4,728
# and 3,736 µs without, i.e. it saves ~35%. (GetItem gains nothing measurable, so it
# is parsed as usual.)
_clients_parsing_fast: weakref.WeakSet[Any] = weakref.WeakSet()


def _keep_answer_raw(response_dict: dict[str, Any], customized_response_dict: dict[str, Any],
                     **_: Any) -> None:  # fmt: skip
    """botocore ``before-parse`` hook: a successful answer as DynamoDB's own JSON."""
    if response_dict["status_code"] == 200:
        customized_response_dict.update(json.loads(response_dict["body"]))
        response_dict["body"] = b"{}"


@contextmanager
def _storage_errors() -> Iterator[None]:
    try:
        yield
    except PynamoDBException as exc:
        cause = exc.cause
        if isinstance(cause, BotoCoreError) and not isinstance(cause, ClientError):
            raise StorageUnavailable(str(cause)) from exc
        if exc.cause_response_code in _RETRYABLE_CODES or _is_server_error(cause):
            raise StorageUnavailable(exc.cause_response_message or str(exc)) from exc
        raise
    except BotoCoreError as exc:  # connection errors raised outside PynamoDB's wrappers
        raise StorageUnavailable(str(exc)) from exc


def _is_server_error(cause: BaseException | None) -> bool:
    """A 5xx from DynamoDB, even one without an error code: the store's fault, retryable.

    PynamoDB keeps only the "Error" part of the response, so a missing code (AWS
    always names client errors) stands for a server failure too."""
    if not isinstance(cause, ClientError):
        return False
    status = cause.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
    return bool(status >= 500) or not cause.response.get("Error", {}).get("Code")


def _is_condition_failure(exc: PynamoDBException) -> bool:
    return exc.cause_response_code == "ConditionalCheckFailedException"


class DynamoTodoRepository:
    def add(self, todo: Todo, claim: IdempotencyClaim | None = None) -> None:
        item = TodoItem.from_todo(todo)
        record = None
        if claim is not None:
            record = IdempotencyRecord(
                todo.owner,
                IDEMPOTENCY_PREFIX + claim.key_digest,
                fingerprint=claim.fingerprint,
                todo=item.serialize(),
                expires_at=claim.expires_at,
            )

        def write(txn: TransactWrite) -> None:
            # One request: the key claim, the todo and the count, all or nothing.
            if record is not None and claim is not None:
                # TTL deletion lags, so an expired record counts as absent.
                unused = IdempotencyRecord.item_id.does_not_exist() | (
                    IdempotencyRecord.expires_at < claim.claimed_at
                )
                txn.save(record, condition=unused, return_values="ALL_OLD")
            txn.save(item, condition=TodoItem.item_id.does_not_exist())
            txn.update(
                TodoCount(todo.owner, COUNT_ITEM_ID),
                actions=[TodoCount.todos.add(1)],
                condition=TodoCount.todos.does_not_exist() | (TodoCount.todos < TODO_QUOTA),
            )

        for reasons in _transaction_attempts(write):
            # Items in request order: [record], todo, count.
            record_reason = reasons.pop(0) if record is not None else None
            todo_reason, count_reason = reasons
            if record_reason and record_reason.code == CONDITION_FAILED:
                raise self._replay(todo.owner, record_reason.raw_item)
            if record_reason and record_reason.code == "TransactionConflict":
                raise IdempotencyInProgress(todo.owner)
            if count_reason and count_reason.code == CONDITION_FAILED:
                raise QuotaReached(todo.owner)
            if todo_reason and todo_reason.code == CONDITION_FAILED:
                return  # ULIDs are unique: our own write, retried by botocore, had landed

    def _replay(self, owner: str, raw_record: dict[str, Any] | None) -> IdempotentReplay:
        assert raw_record is not None  # asked for with return_values="ALL_OLD"
        old = IdempotencyRecord.from_raw_data(raw_record)
        created = todo_from_raw(owner, old.todo)
        # The todo as it is now, so the answer's ETag is current; as created if deleted.
        return IdempotentReplay(self.get(owner, created.id) or created, old.fingerprint)

    def get(self, owner: str, todo_id: str) -> Todo | None:
        with _storage_errors():
            data = _connection().get_item(owner, todo_id, consistent_read=True)
        item = data.get("Item")
        if not item or TodoItem.expires_at.attr_name in item:  # missing, or a tombstone
            return None
        return todo_from_raw(owner, item)

    def update(
        self,
        owner: str,
        todo_id: str,
        changes: dict[str, Any],
        updated_at: dt.datetime,
        expected_version: int | None,
    ) -> Todo:
        actions = _update_actions(todo_id, changes, updated_at)
        with _storage_errors():
            try:
                data = _connection().update_item(
                    owner,
                    todo_id,
                    actions=actions,
                    condition=_exists(expected_version),
                    return_values=ALL_NEW,
                )
            except PynamoDBException as exc:
                if _is_condition_failure(exc):
                    self._raise_missing_or_stale(owner, todo_id, expected_version)
                raise
        return todo_from_raw(owner, data["Attributes"])

    def delete(
        self,
        owner: str,
        todo_id: str,
        expected_version: int | None,
        restorable_until: dt.datetime,
    ) -> None:
        def write(txn: TransactWrite) -> None:
            txn.update(
                TodoItem(owner, todo_id),
                actions=_bury(restorable_until),
                condition=_exists(expected_version),
            )
            txn.update(TodoCount(owner, COUNT_ITEM_ID), actions=[TodoCount.todos.add(-1)])

        for todo_reason, _ in _transaction_attempts(write):
            if todo_reason and todo_reason.code == CONDITION_FAILED:
                self._raise_missing_or_stale(owner, todo_id, expected_version)

    def restore(self, owner: str, todo_id: str, now: dt.datetime) -> None:
        def write(txn: TransactWrite) -> None:
            # One request, like the delete: the todo back in the listing, and counted.
            txn.update(
                TodoItem(owner, todo_id),
                actions=[
                    TodoItem.order_key.set(TodoItem.deleted_order_key),
                    TodoItem.deleted_order_key.remove(),
                    TodoItem.expires_at.remove(),
                ],
                condition=TodoItem.expires_at > now,  # a tombstone, not yet expired
            )
            txn.update(
                TodoCount(owner, COUNT_ITEM_ID),
                actions=[TodoCount.todos.add(1)],
                condition=TodoCount.todos.does_not_exist() | (TodoCount.todos < TODO_QUOTA),
            )

        for todo_reason, count_reason in _transaction_attempts(write):
            if todo_reason and todo_reason.code == CONDITION_FAILED:
                raise TodoNotFound(todo_id)
            if count_reason and count_reason.code == CONDITION_FAILED:
                raise QuotaReached(owner)

    def _raise_missing_or_stale(
        self, owner: str, todo_id: str, expected_version: int | None
    ) -> None:
        # Only reached when a condition failed. Without If-Match the only
        # condition is existence; with it, one read tells 404 from 412.
        if expected_version is not None and self.get(owner, todo_id) is not None:
            raise VersionMismatch(todo_id)
        raise TodoNotFound(todo_id)

    def list(
        self, owner: str, *, completed: bool | None, limit: int, after: Position | None
    ) -> tuple[list[Todo], Position | None]:
        range_condition = None
        if after is not None:
            range_condition = TodoItem.order_key > order_key(after.order, after.todo_id)
        filter_condition = None if completed is None else TodoItem.completed == completed
        with _storage_errors():
            dynamodb_client()  # the client with the Query hook
            # Exactly one Query per page. One extra item tells whether more remain.
            data = _connection().query(
                owner,
                range_key_condition=range_condition,
                filter_condition=filter_condition,
                index_name=ORDER_INDEX,
                consistent_read=True,
                limit=limit + 1,
            )
        items = data.get("Items", [])
        todos = [todo_from_raw(owner, raw) for raw in items[:limit]]
        if len(items) > limit:
            next_after = Position(todos[-1].order, todos[-1].id)
        elif "LastEvaluatedKey" in data:
            # A filter hid some of what was read; more may match further on.
            next_after = position_from_order_key(data["LastEvaluatedKey"]["order_key"]["S"])
        else:
            next_after = None
        return todos, next_after

    def delete_all(
        self, owner: str, *, completed: bool | None, restorable_until: dt.datetime
    ) -> BulkResult:
        # BatchWriteItem cannot carry conditions, so deletes go in transactions:
        # each todo only while it still matches, with the count, all or nothing.
        still_matches = _exists(None)
        if completed is not None:
            still_matches &= TodoItem.completed == completed
        actions = _bury(restorable_until)

        def write(txn: TransactWrite, chunk: list[TodoItem]) -> None:
            for item in chunk:
                txn.update(item, actions=actions, condition=still_matches)
            txn.update(TodoCount(owner, COUNT_ITEM_ID), actions=[TodoCount.todos.add(-len(chunk))])

        items, more = _first_matching(owner, completed)
        return BulkResult(_write_in_chunks(items, TRANSACTION_MAX_ITEMS - 1, write), more)

    def set_all_completed(self, owner: str, completed: bool, at: dt.datetime) -> BulkResult:
        def write(txn: TransactWrite, chunk: list[TodoItem]) -> None:
            for item in chunk:
                txn.update(
                    item,
                    actions=_update_actions(item.item_id, {"completed": completed}, at),
                    condition=_exists(None) & (TodoItem.completed == (not completed)),
                )

        items, more = _first_matching(owner, not completed)
        return BulkResult(_write_in_chunks(items, TRANSACTION_MAX_ITEMS, write), more)


def _first_matching(owner: str, completed: bool | None) -> tuple[list[TodoItem], bool]:
    """Up to BULK_LIMIT todos matching the filter, and whether more match."""
    filter_condition = None if completed is None else TodoItem.completed == completed
    found: list[TodoItem] = []
    start: dict[str, Any] | None = None
    with _storage_errors():
        while len(found) <= BULK_LIMIT:
            data = _connection().query(
                owner,
                filter_condition=filter_condition,
                index_name=ORDER_INDEX,
                consistent_read=True,
                exclusive_start_key=start,
                limit=BULK_LIMIT + 1 - len(found),
            )
            found.extend(TodoItem.from_raw_data(raw) for raw in data.get("Items", []))
            start = data.get("LastEvaluatedKey")
            if start is None:
                break
    return found[:BULK_LIMIT], len(found) > BULK_LIMIT


Reasons = list[CancellationReason | None]


def _transaction_attempts(write: Callable[[TransactWrite], None]) -> Iterator[Reasons]:
    """Send the transaction `write` builds; yield the reasons each time it is cancelled
    for a condition (the caller raises, returns or lets it be tried again). A
    conflict or throttling is tried again up to TRANSACTION_ATTEMPTS in all,
    then StorageUnavailable."""
    for attempt in range(TRANSACTION_ATTEMPTS):
        try:
            with _storage_errors(), _transaction() as txn:
                write(txn)
            return
        except TransactWriteError as exc:
            reasons = list(exc.cancellation_reasons)
            if not reasons:
                raise
        codes = {reason.code for reason in reasons if reason}
        if codes - _TRANSIENT_REASONS - {CONDITION_FAILED}:
            raise StorageUnavailable(f"transaction cancelled: {sorted(codes)}")
        yield reasons
        if CONDITION_FAILED in codes:
            return  # the caller has seen what failed; nothing to retry
        _back_off(attempt)
    raise StorageUnavailable("transaction kept conflicting or being throttled")


def _write_in_chunks[T](
    items: list[T], chunk_size: int, write: Callable[[TransactWrite, list[T]], None]
) -> int:
    """Write items in transactions of chunk_size; an item whose condition fails
    (it changed meanwhile) is left out and the rest sent again. Returns how many
    were written. What was written stays written, and matches no more: after a
    StorageUnavailable, calling again is safe."""
    written = 0
    for start in range(0, len(items), chunk_size):
        chunk = items[start : start + chunk_size]
        while chunk:
            failed: set[int] = set()
            for reasons in _transaction_attempts(partial(_write_chunk, write, chunk)):
                failed = {
                    i
                    for i, r in enumerate(reasons[: len(chunk)])
                    if r and r.code == CONDITION_FAILED
                }
            if not failed:
                written += len(chunk)
                break
            chunk = [item for i, item in enumerate(chunk) if i not in failed]
    return written


def _write_chunk[T](
    write: Callable[[TransactWrite, list[T]], None], chunk: list[T], txn: TransactWrite
) -> None:
    write(txn, chunk)


def _transaction() -> TransactWrite:
    return TransactWrite(connection=_connection().connection)


def _back_off(attempt: int) -> None:
    jitter = random.uniform(0.5, 1.0)  # noqa: S311 (spreads retries; not a secret)
    time.sleep(jitter * TRANSACTION_BACKOFF_SECONDS * 2**attempt)


def _exists(expected_version: int | None) -> Any:
    """The todo is there, and not a tombstone [, at the expected version]."""
    condition = TodoItem.item_id.exists() & TodoItem.expires_at.does_not_exist()
    if expected_version is not None:
        condition &= TodoItem.version == expected_version
    return condition


def _bury(restorable_until: dt.datetime) -> list[Action]:
    """A todo as a tombstone: out of the listing index, purged by the TTL."""
    return [
        TodoItem.expires_at.set(restorable_until),
        TodoItem.deleted_order_key.set(TodoItem.order_key),
        TodoItem.order_key.remove(),
    ]


def _update_actions(todo_id: str, changes: dict[str, Any], at: dt.datetime) -> list[Action]:
    """Todo.changed's rules as one update expression, so DynamoDB applies them atomically."""
    actions: list[Action] = [TodoItem.updated_at.set(at), TodoItem.version.add(VERSION_STEP)]
    for name, value in changes.items():
        if name == "completed":
            actions.append(TodoItem.completed.set(value))
            # domain.completion_time: kept from the first completion, cleared on reopening.
            if value:
                actions.append(TodoItem.completed_at.set(TodoItem.completed_at | at))
            else:
                actions.append(TodoItem.completed_at.remove())
        elif name == "order":
            actions.append(TodoItem.order.set(value))
            actions.append(TodoItem.order_key.set(order_key(value, todo_id)))
        elif name == "priority":
            actions.append(TodoItem.priority.set(value.value))
        elif name == "due":
            actions.append(
                TodoItem.due.remove() if value is None else TodoItem.due.set(value.isoformat())
            )
        elif name == "notes":
            actions.append(TodoItem.notes.remove() if value is None else TodoItem.notes.set(value))
        elif name == "title":
            actions.append(TodoItem.title.set(value))
        else:  # the domain layer only lets writable fields through
            raise ValueError(f"not a writable field: {name}")
    return actions
