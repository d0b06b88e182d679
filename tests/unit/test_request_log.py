"""One request, one JSON log line: the fields an operator needs, nothing private.

Runs through Chalice's test client (what `chalice local` and Lambda run) and
through the WSGI shim (what the EC2 server runs; tests/contract/test_server.py
checks that the server adds no access line of its own).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

import app as app_module
from chalicelib.domain import Todo
from chalicelib.service import TodoService
from tests.conftest import Output
from tests.contract.runtimes.base import Runtime, User
from tests.contract.runtimes.chalice_client import chalice_runtime
from tests.contract.runtimes.wsgi_inprocess import wsgi_runtime

SECRET_TITLE = "Call the notary about the inheritance"
REQUEST_FIELDS = {"correlation_id", "method", "route", "status", "latency_ms", "dynamodb_requests"}
ROOT = Path(__file__).resolve().parents[2]
RUNTIMES = {"chalice": chalice_runtime, "wsgi": wsgi_runtime}


@pytest.fixture(scope="module", params=sorted(RUNTIMES))
def api(request: pytest.FixtureRequest) -> Iterator[Runtime]:
    with RUNTIMES[request.param]() as runtime:
        yield runtime


@pytest.fixture(scope="module")
def user(api: Runtime) -> User:
    return api.new_user()


def only_log(output: Output) -> dict[str, Any]:
    logs = output.logs()
    assert len(logs) == 1, logs
    return logs[0]


def test_one_request_is_one_json_line_with_the_operators_fields(
    api: Runtime, user: User, output: Output
) -> None:
    created = api.request("POST", "/todos", headers=user.auth_headers, json={"title": "x"})
    output.clear()

    response = api.request("GET", f"/todos/{created.json()['id']}", headers=user.auth_headers)

    assert response.status == 200
    line = only_log(output)
    assert line.keys() >= REQUEST_FIELDS
    assert line["correlation_id"] == response.headers["X-Request-Id"]
    assert line["method"] == "GET"
    assert line["route"] == "/todos/{todo_id}"
    assert line["status"] == 200
    assert line["level"] == "INFO"
    assert line["service"] == "todo-api"
    assert 0 < line["latency_ms"] < 10_000
    assert line["dynamodb_requests"] == 1  # one GetItem
    # `user` is a stable keyed hash of the Cognito sub, never the sub itself.
    key = app_module.observability.user_key(user.sub)
    assert line["user"] == key == app_module.observability.user_key(user.sub)
    assert key != app_module.observability.user_key(user.sub + "x") and len(key) == 16


def test_the_log_line_never_holds_the_token_the_email_or_the_todo(
    api: Runtime, user: User, output: Output
) -> None:
    response = api.request(
        "POST", "/todos", headers=user.auth_headers, json={"title": SECRET_TITLE, "notes": "n"}
    )

    assert response.status == 201
    raw = output.stream.getvalue()
    line = only_log(output)
    assert line["status"] == 201 and line["route"] == "/todos"
    for secret in (user.id_token, user.email, user.sub, SECRET_TITLE, response.json()["id"]):
        assert secret not in raw
    assert not {"token", "email", "title", "notes", "authorization"} & {k.lower() for k in line}


def test_every_response_carries_a_request_id_even_an_error(api: Runtime, output: Output) -> None:
    responses = [
        api.request("GET", "/health"),
        api.request("GET", "/todos"),  # no token: 401
        api.request("POST", "/todos", headers={"Authorization": "Bearer x"}, body=b"{"),
    ]

    ids = [response.headers["X-Request-Id"] for response in responses]
    assert len(set(ids)) == 3
    # A healthy liveness probe is answered but neither logged nor counted.
    assert [line["correlation_id"] for line in output.logs()] == ids[1:]
    assert [line["status"] for line in output.logs()] == [401, 401]
    assert ids[0] not in output.stream.getvalue()


def test_the_wsgi_shims_request_id_is_the_one_returned_and_logged(output: Output) -> None:
    with wsgi_runtime() as api:
        response = api.request("GET", "/todos")
    # The shim names each request (x-amzn-RequestId, as API Gateway does).
    assert response.headers["X-Request-Id"] == response.headers["x-amzn-RequestId"]
    assert only_log(output)["correlation_id"] == response.headers["X-Request-Id"]


class ExplodingRepository:
    """A store with a bug: every call fails in a way nobody anticipated."""

    def __getattr__(self, name: str) -> Any:
        def explode(*args: Any, **kwargs: Any) -> Todo:
            raise RuntimeError("index out of range in the store adapter")

        return explode


def test_an_unhandled_exception_logs_its_stack_trace_and_answers_the_json_500(
    api: Runtime, user: User, output: Output
) -> None:
    working = app_module.dependencies()
    app_module.configure(
        app_module.Dependencies(
            settings=working.settings,
            service=TodoService(ExplodingRepository(), clock=lambda: dt.datetime.now(dt.UTC)),
            authenticator=working.authenticator,
        )
    )
    try:
        response = api.request("GET", "/todos", headers=user.auth_headers)
    finally:
        app_module.configure(working)

    assert response.status == 500
    assert response.json() == {"error": {"code": "internal_error", "message": "internal error"}}
    assert "index out of range" not in response.body.decode()  # never leaked to the client
    line = only_log(output)  # the trace is part of the request's one line
    assert line["level"] == "ERROR"
    assert line["status"] == 500
    assert line["correlation_id"] == response.headers["X-Request-Id"]
    assert line["exception_name"] == "RuntimeError"
    assert "index out of range in the store adapter" in line["exception"]
    assert "Traceback" in line["exception"]
    assert line["stack_trace"]["type"] == "RuntimeError"
    assert any(frame["function"] == "explode" for frame in line["stack_trace"]["frames"])


REQUESTS_IN_A_FRESH_PROCESS = """
from chalice.test import Client
import app
with Client(app.app) as client:
    client.http.get("/todos")  # no token: 401
    client.http.get("/ready")  # no DynamoDB here: 503
"""


def run_app(env: dict[str, str]) -> str:
    result = subprocess.run(
        [sys.executable, "-c", REQUESTS_IN_A_FRESH_PROCESS],
        cwd=ROOT,
        env={"PATH": os.environ.get("PATH", ""), "AWS_DEFAULT_REGION": "us-east-1",
             "DYNAMODB_ENDPOINT": "http://127.0.0.1:9", "AWS_ACCESS_KEY_ID": "x",
             "AWS_SECRET_ACCESS_KEY": "x", "AWS_MAX_ATTEMPTS": "1", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )  # fmt: skip
    return result.stdout


def test_the_log_level_filters_and_the_text_format_is_readable_without_metrics() -> None:
    out = run_app({"LOG_LEVEL": "WARNING"})
    logs = [json.loads(line) for line in out.splitlines() if '"_aws"' not in line]
    assert [(line["level"], line["route"], line["status"]) for line in logs] == [
        ("WARNING", "/ready", 503)
    ]

    out = run_app({"LOG_FORMAT": "text"})
    lines = out.splitlines()
    assert len(lines) == 2
    assert re.match(r"^\d\d:\d\d:\d\d\.\d{3} INFO +GET /todos 401  .*status=401", lines[0])
    assert "WARNING" in lines[1] and "GET /ready 503" in lines[1]
    assert "_aws" not in out and not out.lstrip().startswith("{")


def test_on_lambda_api_gateways_request_id_is_returned_and_logged(output: Output) -> None:
    # The REST proxy event API Gateway sends, with its own request id.
    event = {
        "resource": "/todos", "path": "/todos", "httpMethod": "GET",
        "headers": {"Host": "abc.execute-api.eu-west-1.amazonaws.com"},
        "multiValueHeaders": {}, "queryStringParameters": None,
        "multiValueQueryStringParameters": None, "pathParameters": None,
        "stageVariables": None, "body": None, "isBase64Encoded": False,
        "requestContext": {"resourcePath": "/todos", "httpMethod": "GET", "stage": "api",
                           "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
                           "identity": {"sourceIp": "203.0.113.9"}},
    }  # fmt: skip
    response = app_module.app(event, None)

    assert response["headers"]["X-Request-Id"] == "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"
    assert only_log(output)["correlation_id"] == "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"


def test_two_threads_in_requests_at_once_each_log_and_count_their_own(output: Output) -> None:
    # Both requests are open before either writes its line (as when one waits on
    # DynamoDB while another runs): each line and metric document is its own.
    both_open = threading.Barrier(2, timeout=5)
    observability = app_module.observability

    def serve(request_id: str) -> None:
        with observability.request(request_id, "GET", "/todos") as record:
            both_open.wait()
            observability.logger.info("inside", extra={"mine": request_id})
            both_open.wait()
            observability.finish(record, 200)

    with ThreadPoolExecutor(2) as pool:
        list(pool.map(serve, ["request-a", "request-b"]))
    inside = {line["mine"]: line["correlation_id"] for line in output.logs() if "mine" in line}
    assert inside == {"request-a": "request-a", "request-b": "request-b"}
    finished = sorted(line["correlation_id"] for line in output.logs() if "status" in line)
    assert finished == ["request-a", "request-b"]
    assert sorted(doc["request_id"] for doc in output.metrics()) == ["request-a", "request-b"]
