"""`make bench`'s CPU figures: DynamoDB's answers replayed, moto doing no work."""

from __future__ import annotations

import pytest

from bench.api_cpu import replayed
from chalicelib.dynamo import DynamoTodoRepository, bind_models, dynamodb_client
from chalicelib.repository import StorageUnavailable

EMPTY_PAGE: tuple[int, dict[str, str], bytes] = (
    200,
    {},
    b'{"Count": 0, "Items": [], "ScannedCount": 0}',
)


def test_replayed_answers_stand_in_for_moto_and_only_while_replaying(aws: None) -> None:
    bind_models("no-such-table", "us-east-1", None)  # moto would answer ResourceNotFound
    repo = DynamoTodoRepository()
    with replayed(dynamodb_client().meta.events, {"Query": EMPTY_PAGE}):
        assert repo.list("owner", completed=None, limit=20, after=None) == ([], None)
    with pytest.raises(StorageUnavailable):
        repo.list("owner", completed=None, limit=20, after=None)
