"""The local stack's DynamoDB: transactions all or nothing, as in DynamoDB, with
moto's whole-table copy replaced by a copy of the items a transaction writes; and
queries that read only their partition, with the answers moto gives."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.table import Table

from scripts.local_dynamodb import reading_one_partition, rolling_back_written_items


@pytest.fixture
def table(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setattr(
        DynamoDBBackend,
        "transact_write_items",
        rolling_back_written_items(DynamoDBBackend.transact_write_items),
    )
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        client.create_table(
            TableName="t",
            KeySchema=[
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        client.put_item(
            TableName="t", Item={"pk": {"S": "u"}, "sk": {"S": "count"}, "n": {"N": "1"}}
        )
        yield client


def items(client: Any) -> dict[str, dict[str, Any]]:
    scanned = client.scan(TableName="t")["Items"]
    return {item["sk"]["S"]: item for item in scanned}


def put(sk: str) -> dict[str, Any]:
    return {"Put": {"TableName": "t", "Item": {"pk": {"S": "u"}, "sk": {"S": sk}}}}


def add_one_to_count() -> dict[str, Any]:
    return {
        "Update": {
            "TableName": "t",
            "Key": {"pk": {"S": "u"}, "sk": {"S": "count"}},
            "UpdateExpression": "ADD n :one",
            "ExpressionAttributeValues": {":one": {"N": "1"}},
        }
    }


def test_a_transaction_that_succeeds_writes_every_item(table: Any) -> None:
    table.transact_write_items(TransactItems=[put("a"), add_one_to_count()])
    assert set(items(table)) == {"a", "count"}
    assert items(table)["count"]["n"] == {"N": "2"}


def test_a_failed_transaction_leaves_no_write_behind(table: Any) -> None:
    must_not_exist = {
        "ConditionCheck": {
            "TableName": "t",
            "Key": {"pk": {"S": "u"}, "sk": {"S": "count"}},
            "ConditionExpression": "attribute_not_exists(pk)",
        }
    }
    # The put and the update come before and after the failing check: both undone.
    with pytest.raises(ClientError, match="TransactionCanceled"):
        table.transact_write_items(TransactItems=[put("a"), must_not_exist])
    with pytest.raises(ClientError, match="TransactionCanceled"):
        failing_put = {"Put": {**put("b")["Put"], "ConditionExpression": "attribute_exists(pk)"}}
        table.transact_write_items(TransactItems=[add_one_to_count(), failing_put])

    assert set(items(table)) == {"count"}
    assert items(table)["count"]["n"] == {"N": "1"}


def keyed_table(client: Any) -> None:
    """A table like the todos': a local index on `order`, and a global one."""
    attribute = [
        {"AttributeName": name, "AttributeType": "S"} for name in ("pk", "sk", "order", "g")
    ]
    client.create_table(
        TableName="q",
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=attribute,
        LocalSecondaryIndexes=[
            {
                "IndexName": "by_order",
                "KeySchema": [
                    {"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "order", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by_g",
                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    for owner in ("u", "v"):
        for i in range(12):
            item = {"pk": {"S": owner}, "sk": {"S": f"{i:02d}"}, "g": {"S": f"g{i % 2}"}}
            if i != 5:  # an item the local index leaves out
                item["order"] = {"S": f"{(7 * i) % 12:02d}"}
            client.put_item(TableName="q", Item=item)


QUERIES: list[dict[str, Any]] = [
    {"KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "u"}}},
    {
        "IndexName": "by_order",
        "KeyConditionExpression": "pk = :p AND #o BETWEEN :a AND :b",
        "ExpressionAttributeNames": {"#o": "order"},
        "ExpressionAttributeValues": {":p": {"S": "v"}, ":a": {"S": "02"}, ":b": {"S": "09"}},
        "ScanIndexForward": False,
    },
    {
        "IndexName": "by_order",
        "KeyConditionExpression": "pk = :p",
        "FilterExpression": "g = :g",
        "ExpressionAttributeValues": {":p": {"S": "u"}, ":g": {"S": "g1"}},
    },
    {"KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "none"}}},
    {"IndexName": "by_g", "KeyConditionExpression": "g = :g",
     "ExpressionAttributeValues": {":g": {"S": "g0"}}},
]  # fmt: skip


def pages(client: Any, query: dict[str, Any], limit: int = 4) -> list[Any]:
    """Every page of `query`, `limit` items at a time."""
    answers, start = [], None
    while True:
        page = client.query(
            TableName="q", Limit=limit, **query, **({"ExclusiveStartKey": start} if start else {})
        )
        answers.append((page["Items"], page.get("LastEvaluatedKey")))
        start = page.get("LastEvaluatedKey")
        if start is None:
            return answers


def answers_to(queries: list[dict[str, Any]]) -> list[Any]:
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        keyed_table(client)
        return [pages(client, query) for query in queries]


def test_queries_answer_as_moto_does(monkeypatch: pytest.MonkeyPatch) -> None:
    moto_answers = answers_to(QUERIES)
    monkeypatch.setattr(Table, "query", reading_one_partition(Table.query))
    assert answers_to(QUERIES) == moto_answers
    assert [len(page) for page, _ in moto_answers[0]] == [4, 4, 4]  # the test has teeth


def test_a_query_reads_only_its_partition(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Table, "query", reading_one_partition(Table.query))

    def every_item(table: Table) -> list[Any]:
        raise AssertionError("the query read the whole table")

    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        keyed_table(client)
        monkeypatch.setattr(Table, "all_items", every_item)
        assert len(client.query(TableName="q", **QUERIES[0])["Items"]) == 12
        assert len(client.query(TableName="q", **QUERIES[1])["Items"]) == 8
        with pytest.raises(AssertionError, match="whole table"):  # a global index: all of it
            client.query(TableName="q", **QUERIES[-1])
