"""Metrics: one CloudWatch EMF document per request (Powertools writes the format;
these tests hold what the app puts in it: names, units, dimensions, counts)."""

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
from tests.contract.runtimes.base import User
from tests.contract.runtimes.chalice_client import ChaliceRuntime, chalice_runtime
from tests.tokens import claims_for, other_rsa_key, signed, unsigned


@pytest.fixture(scope="module")
def api() -> Iterator[ChaliceRuntime]:
    with chalice_runtime() as runtime:
        yield runtime


def directive(document: dict[str, Any]) -> dict[str, Any]:
    (only,) = document["_aws"]["CloudWatchMetrics"]
    return only


def total(documents: list[dict[str, Any]], name: str) -> float:
    return sum(
        sum(d[name]) if isinstance(d[name], list) else d[name] for d in documents if name in d
    )


def test_each_request_is_one_document_by_route_and_status_class(
    api: ChaliceRuntime, output: Output
) -> None:
    api.request("POST", "/todos", headers=api.new_user().auth_headers, json={"title": "t"})

    (document,) = output.metrics()
    metrics = directive(document)
    assert metrics["Namespace"] == observability.METRICS_NAMESPACE == "TodoApp"
    assert metrics["Dimensions"] == [["service"], ["service", "route", "status_class"]]
    assert (document["service"], document["route"], document["status_class"]) == (
        "todo-api", "POST /todos", "2xx",
    )  # fmt: skip
    assert {m["Name"]: m["Unit"] for m in metrics["Metrics"]} == {
        "Requests": "Count", "Latency": "Milliseconds", "DynamoDBRequests": "Count",
        "TodosCreated": "Count",
    }  # fmt: skip
    assert document["request_id"] == output.logs()[0]["correlation_id"]  # metadata, no dimension


def test_todo_events_count_what_changed(api: ChaliceRuntime, output: Output) -> None:
    headers = api.new_user().auth_headers
    first = api.request("POST", "/todos", headers=headers, json={"title": "a"}).json()
    api.request("POST", "/todos", headers=headers, json={"title": "b"})
    for _ in range(2):  # an idempotent replay creates nothing
        api.request(
            "POST", "/todos", headers={**headers, "Idempotency-Key": "k"}, json={"title": "c"}
        )
    for _ in range(2):  # completing a completed todo completes nothing
        api.request("PATCH", f"/todos/{first['id']}", headers=headers, json={"completed": True})
    api.request("PATCH", "/todos", headers=headers, json={"completed": True})  # the other 2
    api.request("DELETE", f"/todos/{first['id']}", headers=headers)
    api.request("DELETE", "/todos", headers=headers)  # the other 2

    documents = output.metrics()
    assert [total(documents, name) for name in observability.TODO_EVENTS] == [3, 3, 3]
    assert total(documents, "Requests") == 9


def test_every_refusal_reason_is_the_metrics_dimension_and_the_logs_field(
    api: ChaliceRuntime, output: Output
) -> None:
    good, now = claims_for(api.issuer, api.client_id), int(time.time())
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
    refused = {
        AuthFailure.MISSING_TOKEN: {},
        AuthFailure.MALFORMED_HEADER: {"Authorization": "Basic abc"},
        **{reason: {"Authorization": f"Bearer {token}"} for reason, token in tokens.items()},
    }
    assert set(refused) == set(AuthFailure)  # a new reason needs a case here
    for reason, headers in refused.items():
        output.clear()
        assert api.request("GET", "/todos", headers=headers).status == 401, reason
        (line,) = output.logs()
        assert line["auth_failure"] == reason.value and "user" not in line
        (failure,) = [d for d in output.metrics() if "AuthFailures" in d]
        assert failure["reason"] == reason.value
        assert directive(failure)["Dimensions"] == [["service"], ["service", "reason"]]


class ThrottlingDynamoDB(http.server.BaseHTTPRequestHandler):
    """A DynamoDB endpoint that always says "slow down"."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = json.dumps(
            {"__type": "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException"}
        ).encode()
        self.send_response(400)
        self.send_header("Content-Type", "application/x-amz-json-1.0")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


def test_dynamodb_throttles_are_counted_per_attempt(api: ChaliceRuntime, output: Output) -> None:
    user: User = api.new_user()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), ThrottlingDynamoDB)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    stack = api._aws.stack
    bind_models(stack.table, stack.region, f"http://127.0.0.1:{server.server_address[1]}")
    try:
        response = api.request("GET", "/todos", headers=user.auth_headers)
    finally:
        bind_models(stack.table, stack.region, None)
        server.shutdown()
        server.server_close()

    assert response.status == 503 and response.headers["Retry-After"]
    attempts = 1 + MAX_RETRY_ATTEMPTS  # every attempt chalicelib.dynamo allows, each throttled
    (line,) = output.logs()
    assert (line["dynamodb_requests"], line["dynamodb_throttles"]) == (attempts, attempts)
    (document,) = output.metrics()
    assert (document["DynamoDBThrottles"], document["status_class"]) == ([float(attempts)], "5xx")
