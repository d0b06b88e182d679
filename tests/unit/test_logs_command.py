"""`make logs` reads the stack's app log group (moto's CloudWatch Logs stands in): the
serverful group /todo/<stack>/app, the serverless /aws/lambda/<stack>-api."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from unittest import mock

import boto3
import pytest
from moto import mock_aws

from tools import logs as logs_command
from tools.local_stack import FAKE_CREDENTIALS


@pytest.fixture
def stack_logs() -> Iterator[object]:
    env = {**FAKE_CREDENTIALS, "AWS_DEFAULT_REGION": "eu-west-1", "STAGE": "dev"}
    with mock.patch.dict(os.environ, env), mock_aws():
        logs = boto3.client("logs", region_name="eu-west-1")
        logs.create_log_group(logGroupName="/todo/todo-dev/app")
        logs.create_log_stream(logGroupName="/todo/todo-dev/app", logStreamName="i-0abc")
        now = int(time.time() * 1000)
        logs.put_log_events(
            logGroupName="/todo/todo-dev/app",
            logStreamName="i-0abc",
            logEvents=[
                {"timestamp": now - 3_600_000, "message": '{"status":200,"route":"/old"}'},
                {"timestamp": now - 1000, "message": '{"status":200,"route":"/health"}'},
                {"timestamp": now, "message": '{"status":500,"route":"/todos"}'},
            ],
        )
        yield logs


def test_make_logs_prints_the_recent_lines_of_the_stacks_group(
    stack_logs: object, capsys: pytest.CaptureFixture[str]
) -> None:
    code = logs_command.main(["--architecture", "serverful", "--since", "10m", "--no-follow"])
    out, err = capsys.readouterr()
    assert code == 0
    assert "/todo/todo-dev/app" in err  # STAGE=dev picks todo-dev
    lines = out.splitlines()
    assert len(lines) == 2  # the hour-old line is before SINCE
    assert lines[0].endswith('i-0abc {"status":200,"route":"/health"}')
    assert lines[1].endswith('i-0abc {"status":500,"route":"/todos"}')


def test_following_polls_again_without_repeating_lines(stack_logs: object) -> None:
    polls: list[float] = []

    def sleep(seconds: float) -> None:
        polls.append(seconds)
        if len(polls) == 2:
            raise KeyboardInterrupt

    query = {"logGroupName": "/todo/todo-dev/app", "startTime": int(time.time() * 1000) - 60_000}
    seen = []
    with pytest.raises(KeyboardInterrupt):
        for event in logs_command.events(stack_logs, query, follow=True, sleep=sleep):
            seen.append(event["message"])
    assert len(seen) == 2 and len(polls) == 2


def test_a_missing_group_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    env = {**FAKE_CREDENTIALS, "AWS_DEFAULT_REGION": "eu-west-1", "STACK_NAME": "nothing"}
    with mock.patch.dict(os.environ, env), mock_aws():
        code = logs_command.main(["--no-follow"])
    assert code == 1
    assert "no log group /aws/lambda/nothing-api" in capsys.readouterr().err


def test_since_must_be_a_duration() -> None:
    assert logs_command.parse_since("2h").total_seconds() == 7200
    with pytest.raises(SystemExit, match="SINCE"):
        logs_command.parse_since("yesterday")
