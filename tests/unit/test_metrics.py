"""Metrics as CloudWatch embedded metric format documents, checked against the spec."""

from __future__ import annotations

import http.server
import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from chalicelib import observability
from chalicelib.dynamo import MAX_RETRY_ATTEMPTS, bind_models
from chalicelib.errors import AuthFailure
from tests.conftest import Output
from tests.unit.emf import emf_problems
from tests.runtimes.base import User
from tests.runtimes.chalice_client import ChaliceRuntime, chalice_runtime
from tests.tokens import claims_for, other_rsa_key, signed, unsigned


@pytest.fixture(scope="module")
def api() -> Iterator[ChaliceRuntime]:
    with chalice_runtime() as runtime:
        yield runtime


@pytest.fixture(scope="module")
def user(api: ChaliceRuntime) -> User:
    return api.new_user()


# The GetItem's attempts: one, plus the retries chalicelib.dynamo allows.
ATTEMPTS = 1 + MAX_RETRY_ATTEMPTS


def metric_values(documents: list[dict[str, Any]]) -> dict[str, float]:
    """Each metric's total over the documents."""
    totals: dict[str, float] = {}
    for document in documents:
        for directive in document["_aws"]["CloudWatchMetrics"]:
            for metric in directive["Metrics"]:
                value = document[metric["Name"]]
                totals[metric["Name"]] = totals.get(metric["Name"], 0) + sum(
                    value if isinstance(value, list) else [value]
                )
    return totals


def test_each_request_emits_a_valid_emf_document_by_route_and_status_class(
    api: ChaliceRuntime, user: User, output: Output
) -> None:
    api.request("POST", "/todos", headers=user.auth_headers, json={"title": "t"})

    (document,) = output.metrics()
    assert emf_problems(document) == []
    (directive,) = document["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == observability.METRICS_NAMESPACE == "TodoApp"
    assert directive["Dimensions"] == [["service"], ["service", "route", "status_class"]]
    assert (document["service"], document["route"], document["status_class"]) == (
        "todo-api",
        "POST /todos",
        "2xx",
    )
    units = {metric["Name"]: metric["Unit"] for metric in directive["Metrics"]}
    assert units == {
        "Requests": "Count",
        "Latency": "Milliseconds",
        "DynamoDBRequests": "Count",
        "TodosCreated": "Count",
    }
    assert document["request_id"] == output.logs()[0]["correlation_id"]  # metadata, no dimension


def test_todo_events_count_what_changed(api: ChaliceRuntime, output: Output) -> None:
    headers = api.new_user().auth_headers
    first = api.request("POST", "/todos", headers=headers, json={"title": "a"}).json()
    api.request("POST", "/todos", headers=headers, json={"title": "b"})
    api.request("POST", "/todos", headers={**headers, "Idempotency-Key": "k1"}, json={"title": "c"})
    api.request("POST", "/todos", headers={**headers, "Idempotency-Key": "k1"}, json={"title": "c"})
    api.request("PATCH", f"/todos/{first['id']}", headers=headers, json={"completed": True})
    api.request("PATCH", f"/todos/{first['id']}", headers=headers, json={"completed": True})
    api.request("PATCH", f"/todos/{first['id']}", headers=headers, json={"title": "a2"})
    api.request("PATCH", "/todos", headers=headers, json={"completed": True})  # the other 2
    api.request("DELETE", f"/todos/{first['id']}", headers=headers)
    api.request("DELETE", "/todos", headers=headers)  # the other 2

    documents = output.metrics()
    assert all(emf_problems(document) == [] for document in documents)
    totals = metric_values(documents)
    # The idempotent replay creates nothing; completing a completed todo completes nothing.
    assert totals["TodosCreated"] == 3
    assert totals["TodosCompleted"] == 3
    assert totals["TodosDeleted"] == 3
    assert totals["Requests"] == 10


def test_auth_failures_are_counted_by_reason(api: ChaliceRuntime, output: Output) -> None:
    api.request("GET", "/todos")
    api.request("GET", "/todos", headers={"Authorization": "Basic abc"})

    documents = output.metrics()
    assert all(emf_problems(document) == [] for document in documents)
    failures = [d for d in documents if "AuthFailures" in d]
    assert [d["reason"] for d in failures] == ["missing_token", "malformed_header"]
    for document in failures:
        (directive,) = document["_aws"]["CloudWatchMetrics"]
        assert directive["Dimensions"] == [["service"], ["service", "reason"]]
        assert [m["Name"] for m in directive["Metrics"]] == ["AuthFailures"]


def refused_requests(api: ChaliceRuntime) -> dict[AuthFailure, dict[str, str]]:
    """For every reason a token is refused, the headers of a request refused for it."""
    good = claims_for(api.issuer, api.client_id)
    now = int(time.time())
    tokens = {
        AuthFailure.MALFORMED_TOKEN: "not.a.jwt",
        AuthFailure.BAD_ALGORITHM: unsigned(good),
        AuthFailure.UNKNOWN_KEY: signed(good, kid="withdrawn-key"),
        AuthFailure.BAD_SIGNATURE: signed(good, key=other_rsa_key()),
        AuthFailure.EXPIRED: signed({**good, "exp": now - 600, "iat": now - 4200}),
        AuthFailure.WRONG_ISSUER: signed(claims_for(api.issuer + "x", api.client_id)),
        AuthFailure.WRONG_CLIENT: signed(claims_for(api.issuer, "another-client")),
        AuthFailure.INVALID_TOKEN: signed({**good, "token_use": "refresh"}),
    }
    return {
        AuthFailure.MISSING_TOKEN: {},
        AuthFailure.MALFORMED_HEADER: {"Authorization": "Basic abc"},
        **{reason: {"Authorization": f"Bearer {token}"} for reason, token in tokens.items()},
    }


def test_every_refusal_reason_is_the_metrics_dimension_and_the_logs_field(
    api: ChaliceRuntime, output: Output
) -> None:
    requests = refused_requests(api)
    assert set(requests) == set(AuthFailure)  # a new reason needs a case here
    for reason, headers in requests.items():
        output.clear()
        assert api.request("GET", "/todos", headers=headers).status == 401, reason
        (line,) = output.logs()
        assert line["auth_failure"] == reason.value
        (failure,) = [d for d in output.metrics() if "AuthFailures" in d]
        assert failure["reason"] == reason.value


class ThrottlingDynamoDB(http.server.BaseHTTPRequestHandler):
    """A DynamoDB endpoint that always says "slow down"."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = json.dumps(
            {
                "__type": "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
                "message": "The level of configured provisioned throughput was exceeded.",
            }
        ).encode()
        self.send_response(400)
        self.send_header("Content-Type", "application/x-amz-json-1.0")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def throttling_endpoint() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), ThrottlingDynamoDB)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_dynamodb_throttles_are_counted_per_attempt(
    user: User, throttling_endpoint: str, output: Output
) -> None:
    with chalice_runtime() as api:
        stack = api._aws.stack
        bind_models(stack.table, stack.region, throttling_endpoint)
        try:
            response = api.request("GET", "/todos", headers=user.auth_headers)
        finally:
            bind_models(stack.table, stack.region, None)

    assert response.status == 503 and response.headers["Retry-After"]
    (line,) = output.logs()
    # Every attempt the client makes (chalicelib.dynamo bounds them), each throttled.
    assert line["dynamodb_requests"] == ATTEMPTS
    assert line["dynamodb_throttles"] == ATTEMPTS
    (document,) = output.metrics()
    assert emf_problems(document) == []
    assert document["DynamoDBThrottles"] == [float(ATTEMPTS)]
    assert document["status_class"] == "5xx"


@pytest.mark.parametrize(
    ("broken", "problem"),
    [
        ({"_aws": {"Timestamp": 1, "CloudWatchMetrics": []}}, "should be non-empty"),
        (
            {
                "_aws": {
                    "CloudWatchMetrics": [
                        {"Namespace": "N", "Dimensions": [], "Metrics": [{"Name": "M"}]}
                    ]
                },
                "M": 1,
            },
            "'Timestamp' is a required property",
        ),
        (
            {
                "_aws": {
                    "Timestamp": 1,
                    "CloudWatchMetrics": [
                        {"Namespace": "N", "Dimensions": [["d"]], "Metrics": [{"Name": "M"}]}
                    ],
                },
                "M": 1,
            },
            "dimension 'd'",
        ),
        (
            {
                "_aws": {
                    "Timestamp": 1,
                    "CloudWatchMetrics": [
                        {"Namespace": "N", "Dimensions": [], "Metrics": [{"Name": "M"}]}
                    ],
                },
                "M": "1",
            },
            "metric 'M'",
        ),
        (
            {
                "_aws": {
                    "Timestamp": 1,
                    "CloudWatchMetrics": [
                        {
                            "Namespace": "N",
                            "Dimensions": [],
                            "Metrics": [{"Name": "M", "Unit": "Parsecs"}],
                        }
                    ],
                },
                "M": 1,
            },
            "is not one of",
        ),
    ],
)
def test_the_emf_check_rejects_what_the_spec_forbids(broken: dict[str, Any], problem: str) -> None:
    problems = emf_problems(broken)
    assert any(problem in p for p in problems), problems
