from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest
from moto import mock_aws

from scripts.local_stack import FAKE_CREDENTIALS


@pytest.fixture
def aws() -> Iterator[None]:
    """A fresh in-process AWS (moto) with the todo table, for one test."""
    from chalicelib.dynamo import bind_models, create_table

    env = {**FAKE_CREDENTIALS, "AWS_DEFAULT_REGION": "us-east-1"}
    with mock.patch.dict(os.environ, env), mock_aws():
        bind_models("todos-test", "us-east-1", None)
        create_table()
        yield


class RequestCounter:
    """Counts DynamoDB API calls as botocore sends them (retries excluded)."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()

    def __call__(self, model: Any, **_: Any) -> None:
        self.calls[model.name] += 1

    @property
    def total(self) -> int:
        return sum(self.calls.values())

    def reset(self) -> None:
        self.calls.clear()


@pytest.fixture
def dynamodb_requests(aws: None) -> Iterator[RequestCounter]:
    from chalicelib.dynamo import dynamodb_client

    counter = RequestCounter()
    events = dynamodb_client().meta.events
    events.register("before-call.dynamodb", counter)
    try:
        yield counter
    finally:
        events.unregister("before-call.dynamodb", counter)
