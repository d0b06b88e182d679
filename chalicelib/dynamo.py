"""PynamoDB adapter: the todo store on DynamoDB.

Key design (docs/data-model.md): partition ``user_id`` (Cognito sub), sort
``item_id`` (ULID), and one LSI ``by_order`` on ``order_key`` for listing.
Every single-todo operation is one request: conditional writes return the new
item (``ReturnValues``) instead of reading first.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from pynamodb.attributes import (
    BooleanAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.exceptions import DoesNotExist, PynamoDBException, TransactWriteError
from pynamodb.expressions.update import Action
from pynamodb.indexes import AllProjection, LocalSecondaryIndex
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from chalicelib.domain import ORDER_MIN, Priority, Todo
from chalicelib.repository import (
    IdempotencyClaim,
    IdempotentReplay,
    Position,
    StorageUnavailable,
    TodoNotFound,
    VersionMismatch,
)

ORDER_INDEX = "by_order"
IDEMPOTENCY_PREFIX = "idem#"
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
    class Meta:
        table_name = "todos"
        region = "us-east-1"
        host: str | None = None
        connect_timeout_seconds = 2
        read_timeout_seconds = 5
        max_retry_attempts = 2

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

    def to_todo(self) -> Todo:
        return Todo(
            id=self.item_id,
            owner=self.user_id,
            title=self.title,
            completed=self.completed,
            order=int(self.order),
            notes=self.notes,
            due=dt.date.fromisoformat(self.due) if self.due else None,
            priority=Priority(self.priority),
            created_at=self.created_at,
            updated_at=self.updated_at,
            completed_at=self.completed_at,
            version=int(self.version),
        )


class IdempotencyRecord(Model):
    """Lives in the todo table (no ``order_key``, so never in the listing index)."""

    class Meta:
        table_name = "todos"
        region = "us-east-1"
        host: str | None = None

    user_id = UnicodeAttribute(hash_key=True)
    item_id = UnicodeAttribute(range_key=True)
    fingerprint = UnicodeAttribute()
    todo = UnicodeAttribute()  # the created todo as JSON, replayed on retries
    expires_at = TTLAttribute()


MODELS: tuple[type[Model], ...] = (TodoItem, IdempotencyRecord)


def bind_models(table_name: str, region: str, endpoint: str | None) -> None:
    """Point the models at a table; called once at start-up (and by tests)."""
    for model in MODELS:
        model.Meta.table_name = table_name
        model.Meta.region = region
        model.Meta.host = endpoint
        model._connection = None  # drop any connection made for another table


def create_table(wait: bool = True) -> None:
    """Create the table if missing (local stack and tests; infra code creates it on AWS)."""
    if not TodoItem.exists():
        TodoItem.create_table(billing_mode="PAY_PER_REQUEST", wait=wait)
        IdempotencyRecord.update_ttl(ignore_update_ttl_errors=True)


def ping() -> None:
    """One cheap read (GetItem, eventually consistent) that proves the table answers."""
    with _storage_errors(), suppress(DoesNotExist):
        TodoItem.get(READY_PROBE_KEY, READY_PROBE_KEY)


def dynamodb_client() -> Any:
    """The botocore client PynamoDB uses (for request counting: chalicelib.observability,
    tests and benchmarks)."""
    return TodoItem._get_connection().connection.client


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
        new_item = TodoItem.item_id.does_not_exist()
        with _storage_errors():
            if claim is None:
                item.save(condition=new_item)
                return
            self._add_once(item, todo, claim)

    def _add_once(self, item: TodoItem, todo: Todo, claim: IdempotencyClaim) -> None:
        record = IdempotencyRecord(
            todo.owner,
            IDEMPOTENCY_PREFIX + claim.key_digest,
            fingerprint=claim.fingerprint,
            todo=json.dumps(todo.to_json(url=""), separators=(",", ":")),
            expires_at=claim.expires_at,
        )
        # TTL deletion lags, so an expired record counts as absent.
        unused = IdempotencyRecord.item_id.does_not_exist() | (
            IdempotencyRecord.expires_at < claim.claimed_at
        )
        try:
            # One request: the key claim and the todo are written together or not at all.
            with TransactWrite(connection=TodoItem._get_connection().connection) as txn:
                txn.save(record, condition=unused, return_values="ALL_OLD")
                txn.save(item, condition=TodoItem.item_id.does_not_exist())
        except TransactWriteError as exc:
            reasons = exc.cancellation_reasons
            first = reasons[0] if reasons else None
            if first and first.code == "ConditionalCheckFailed" and first.raw_item:
                old = IdempotencyRecord.from_raw_data(first.raw_item)
                raise IdempotentReplay(
                    _todo_from_json(todo.owner, json.loads(old.todo)), old.fingerprint
                ) from exc
            raise

    def get(self, owner: str, todo_id: str) -> Todo | None:
        with _storage_errors():
            try:
                return TodoItem.get(owner, todo_id, consistent_read=True).to_todo()
            except DoesNotExist:
                return None

    def update(
        self,
        owner: str,
        todo_id: str,
        changes: dict[str, Any],
        updated_at: dt.datetime,
        expected_version: int | None,
    ) -> Todo:
        item = TodoItem(owner, todo_id)
        actions = _update_actions(todo_id, changes, updated_at)
        with _storage_errors():
            try:
                item.update(actions=actions, condition=_exists(expected_version))
            except PynamoDBException as exc:
                if _is_condition_failure(exc):
                    self._raise_missing_or_stale(owner, todo_id, expected_version)
                raise
        return item.to_todo()

    def delete(self, owner: str, todo_id: str, expected_version: int | None) -> None:
        with _storage_errors():
            try:
                TodoItem(owner, todo_id).delete(condition=_exists(expected_version))
            except PynamoDBException as exc:
                if _is_condition_failure(exc):
                    self._raise_missing_or_stale(owner, todo_id, expected_version)
                raise

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
            # Exactly one Query per page. One extra item tells whether more remain.
            data = TodoItem._get_connection().query(
                owner,
                range_key_condition=range_condition,
                filter_condition=filter_condition,
                index_name=ORDER_INDEX,
                consistent_read=True,
                limit=limit + 1,
            )
        items = [TodoItem.from_raw_data(raw) for raw in data.get("Items", [])]
        if len(items) > limit:
            items = items[:limit]
            next_after = position_from_order_key(items[-1].order_key)
        elif "LastEvaluatedKey" in data:
            # A filter hid some of what was read; more may match further on.
            next_after = position_from_order_key(data["LastEvaluatedKey"]["order_key"]["S"])
        else:
            next_after = None
        return [item.to_todo() for item in items], next_after

    def _each_todo(self, owner: str, completed: bool | None) -> Iterator[TodoItem]:
        filter_condition = None if completed is None else TodoItem.completed == completed
        yield from TodoItem.by_order.query(
            owner, filter_condition=filter_condition, consistent_read=True
        )

    def delete_all(self, owner: str, *, completed: bool | None) -> int:
        count = 0
        with _storage_errors(), TodoItem.batch_write() as batch:
            for item in self._each_todo(owner, completed):
                batch.delete(item)
                count += 1
        return count

    def set_all_completed(self, owner: str, completed: bool, at: dt.datetime) -> int:
        count = 0
        with _storage_errors():
            for item in self._each_todo(owner, completed=not completed):
                try:
                    item.update(
                        actions=_update_actions(item.item_id, {"completed": completed}, at),
                        condition=TodoItem.completed == (not completed),
                    )
                    count += 1
                except PynamoDBException as exc:
                    if not _is_condition_failure(exc):  # changed or deleted meanwhile
                        raise
        return count


def _exists(expected_version: int | None) -> Any:
    condition = TodoItem.item_id.exists()
    if expected_version is not None:
        condition &= TodoItem.version == expected_version
    return condition


def _update_actions(todo_id: str, changes: dict[str, Any], at: dt.datetime) -> list[Action]:
    actions: list[Action] = [TodoItem.updated_at.set(at), TodoItem.version.add(1)]
    for name, value in changes.items():
        if name == "completed":
            actions.append(TodoItem.completed.set(value))
            if value:  # keep the first completion time if already completed
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


def _todo_from_json(owner: str, data: dict[str, Any]) -> Todo:
    def timestamp(value: str | None) -> dt.datetime | None:
        return dt.datetime.fromisoformat(value) if value else None

    created_at = timestamp(data["created_at"])
    updated_at = timestamp(data["updated_at"])
    assert created_at is not None and updated_at is not None
    return Todo(
        id=data["id"],
        owner=owner,
        title=data["title"],
        completed=data["completed"],
        order=data["order"],
        notes=data["notes"],
        due=dt.date.fromisoformat(data["due"]) if data["due"] else None,
        priority=Priority(data["priority"]),
        created_at=created_at,
        updated_at=updated_at,
        completed_at=timestamp(data["completed_at"]),
        version=data["version"],
    )
