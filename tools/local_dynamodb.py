"""moto's DynamoDB as the local stack serves it: requests cost what they would in
DynamoDB, not more as the table grows.

- Before each TransactWriteItems, moto deep-copies every table the transaction
  names, to put them back if it fails: each create cost more than the one before (a
  benchmark's few thousand todos made creates 5x slower). Here moto's whole-table copy
  is skipped, and the written items alone are saved and put back on failure.
- A Query reads every item of the table, to keep the queried partition's: listing 20
  todos took 25 ms once a benchmark had made a few thousand. Here a Query on the table
  or a local secondary index (whose partition is the table's) reads only its partition.

For the serialized moto server only (one request at a time).
"""

from __future__ import annotations

import copy
import inspect
from collections.abc import Callable, Iterator
from typing import Any

from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType
from moto.dynamodb.models.table import Table

Transact = Callable[[DynamoDBBackend, list[dict[str, Any]]], None]
Query = Callable[..., Any]
Written = tuple[Table, DynamoType, DynamoType | None]


def written_items(
    backend: DynamoDBBackend, transact_items: list[dict[str, Any]]
) -> Iterator[Written]:
    for entry in transact_items:
        for operation, request in entry.items():
            table = backend.tables.get(request.get("TableName"))
            if table is None or operation == "ConditionCheck":
                continue
            key = request.get("Item", {}) if operation == "Put" else request.get("Key", {})
            if table.hash_key_attr in key and (
                not table.range_key_attr or table.range_key_attr in key
            ):
                yield (table, *backend.get_keys_value(table, key))


def restore(table: Table, hash_key: DynamoType, range_key: DynamoType | None, item: Any) -> None:
    bucket: Any = table.items[hash_key] if range_key is not None else table.items
    slot = range_key if range_key is not None else hash_key
    if item is None:
        bucket.pop(slot, None)
    else:
        bucket[slot] = item


def rolling_back_written_items(original: Transact) -> Transact:
    def transact_write_items(
        backend: DynamoDBBackend, transact_items: list[dict[str, Any]]
    ) -> None:
        saved = [
            (table, hash_key, range_key, copy.deepcopy(table.get_item(hash_key, range_key)))
            for table, hash_key, range_key in written_items(backend, transact_items)
        ]
        Table.__deepcopy__ = lambda table, memo: table  # type: ignore[attr-defined]
        try:
            original(backend, transact_items)
        except Exception:
            for table, hash_key, range_key, item in reversed(saved):
                restore(table, hash_key, range_key, item)
            raise
        finally:
            del Table.__deepcopy__  # type: ignore[attr-defined]

    return transact_write_items


def reading_one_partition(original: Query) -> Query:
    signature = inspect.signature(original)

    def query(table: Table, *args: Any, **kwargs: Any) -> Any:
        arguments = signature.bind(table, *args, **kwargs).arguments
        hash_key, index_name = arguments["hash_key"], arguments.get("index_name")
        on_partition = index_name is None or index_name in {index.name for index in table.indexes}
        if hash_key is None or not table.range_key_attr or not on_partition:
            return original(table, *args, **kwargs)  # a GSI's partition spans the table's
        partition = table.items.get(hash_key, {})
        table.all_items = lambda: list(partition.values())  # type: ignore[method-assign]
        try:
            return original(table, *args, **kwargs)
        finally:
            del table.all_items

    return query


def install() -> None:
    DynamoDBBackend.transact_write_items = rolling_back_written_items(  # type: ignore[method-assign,assignment]
        DynamoDBBackend.transact_write_items
    )
    Table.query = reading_one_partition(Table.query)  # type: ignore[method-assign]
