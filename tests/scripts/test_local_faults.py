"""The fault-injection control of the local moto server (scripts/local_faults.py)."""

from __future__ import annotations

import json
from typing import Any

from werkzeug.test import Client
from werkzeug.wrappers import Response

from scripts.local_faults import CONTROL_PATH, FaultInjection

DYNAMODB = "DynamoDB_20120810."


def moto_stand_in(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    start_response("200 OK", [("Content-Type", "application/json")])
    return [json.dumps({"reached_moto": True, "body": body.decode()}).encode()]


def client(remote_addr: str = "127.0.0.1") -> tuple[Client, FaultInjection]:
    """A test client to the control, calling from `remote_addr`."""
    faults = FaultInjection(moto_stand_in)

    def from_address(environ: dict[str, Any], start_response: Any) -> Any:
        return faults({**environ, "REMOTE_ADDR": remote_addr}, start_response)

    return Client(from_address, Response), faults


class Answer:
    def __init__(self, response: Any) -> None:
        self.status_code = response.status_code
        self.json = json.loads(response.data)  # DynamoDB's type is application/x-amz-json-1.0


def call(http: Client, operation: str, body: dict[str, Any] | None = None) -> Answer:
    headers = {"X-Amz-Target": DYNAMODB + operation}
    return Answer(http.post("/", headers=headers, data=json.dumps(body or {})))


def test_off_unless_asked_and_the_next_n_matching_requests_fail() -> None:
    http, _ = client()
    assert call(http, "GetItem").json["reached_moto"]
    plan = {"target": "dynamodb", "kind": "throttle", "operation": "GetItem", "count": 2}
    assert http.post(CONTROL_PATH, json=plan).status_code == 200
    assert call(http, "Query").json["reached_moto"]  # another operation passes
    for _ in range(2):
        failed = call(http, "GetItem")
        assert failed.status_code == 400
        assert failed.json["__type"].endswith("#ThrottlingException")
    assert call(http, "GetItem").json["reached_moto"]
    assert http.get(CONTROL_PATH).json == {"pending": []}


def test_each_kind_answers_as_dynamodb_does() -> None:
    http, faults = client()
    for kind in ("5xx", "transaction_conflict", "unprocessed"):
        http.post(CONTROL_PATH, json={"target": "dynamodb", "kind": kind})
    assert call(http, "PutItem").status_code == 500
    cancelled = call(http, "TransactWriteItems", {"TransactItems": [{}, {}]})
    assert [r["Code"] for r in cancelled.json["CancellationReasons"]] == ["TransactionConflict"] * 2
    items: dict[str, Any] = {"todos": [{"DeleteRequest": {}}]}
    unprocessed = call(http, "BatchWriteItem", {"RequestItems": items})
    assert (unprocessed.status_code, unprocessed.json) == (200, {"UnprocessedItems": items})
    assert faults.plan.pending() == []


def test_jwks_faults_and_the_moto_body_is_still_readable() -> None:
    http, _ = client()
    http.post(CONTROL_PATH, json={"target": "jwks", "kind": "garbage"})
    http.post(CONTROL_PATH, json={"target": "jwks", "kind": "fail"})
    jwks = "/us-east-1_x/.well-known/jwks.json"
    assert http.get(jwks).data.startswith(b"<html>")
    assert http.get(jwks).status_code == 503
    assert json.loads(http.get(jwks).data)["reached_moto"]
    # A dynamodb fault that does not match leaves the body for moto to read.
    http.post(CONTROL_PATH, json={"target": "dynamodb", "kind": "5xx", "operation": "Query"})
    assert json.loads(call(http, "GetItem", {"Key": 1}).json["body"]) == {"Key": 1}


def test_the_control_rejects_bad_plans_and_other_hosts() -> None:
    http, faults = client()
    for bad in ({"target": "dynamodb", "kind": "explode"}, {"target": "s3", "kind": "fail"},
                {"target": "jwks", "kind": "fail", "count": 0}, ["not", "an", "object"],
                {"target": "dynamodb", "kind": "unprocessed", "operation": "PutItem"}):  # fmt: skip
        assert http.post(CONTROL_PATH, json=bad).status_code == 400, bad
    assert http.put(CONTROL_PATH).status_code == 405
    remote, remote_faults = client("10.0.0.5")
    assert remote.post(CONTROL_PATH, json={"target": "jwks", "kind": "fail"}).status_code == 403
    assert remote_faults.plan.pending() == faults.plan.pending() == []
    http.post(CONTROL_PATH, json={"target": "jwks", "kind": "fail", "count": 5})
    assert http.delete(CONTROL_PATH).json == {"pending": []}
