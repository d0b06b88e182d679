"""The local stack's transactions: all or nothing, as in DynamoDB, with moto's
whole-table copy replaced by a copy of the items a transaction writes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.dynamodb.models import DynamoDBBackend

from scripts.local_dynamodb import rolling_back_written_items


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
