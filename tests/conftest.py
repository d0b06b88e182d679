from __future__ import annotations

import io
import json
import os
import sys
from collections import Counter
from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest
from moto import mock_aws

from tools.local_stack import FAKE_CREDENTIALS


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


class Output:
    """What the app wrote, one JSON object a line: log lines, and EMF documents (`_aws`)."""

    def __init__(self) -> None:
        self.stream = io.StringIO()

    def lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.stream.getvalue().splitlines() if line]

    def logs(self) -> list[dict[str, Any]]:
        return [line for line in self.lines() if "_aws" not in line]

    def metrics(self) -> list[dict[str, Any]]:
        return [line for line in self.lines() if "_aws" in line]

    def clear(self) -> None:
        self.stream.seek(0)
        self.stream.truncate()


@pytest.fixture
def output() -> Iterator[Output]:
    """The app's log and metric output during one test."""
    import app as app_module

    captured = Output()
    app_module.observability.set_stream(captured.stream)
    try:
        yield captured
    finally:
        app_module.observability.set_stream(sys.stdout)
