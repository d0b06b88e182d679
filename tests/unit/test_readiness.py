"""GET /ready: 200 when DynamoDB (and, where the app checks tokens, the JWKS)
answers; 503 + Retry-After naming what does not. GET /health calls nothing."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

import app as app_module
from chalicelib.config import AUTH_MODE_GATEWAY, load_settings
from chalicelib.dynamo import MAX_RETRY_ATTEMPTS, bind_models
from chalicelib.errors import ServiceUnavailable
from chalicelib.readiness import CACHE_SECONDS, RETRY_AFTER_SECONDS, Readiness
from tests.conftest import Output
from tests.contract.runtimes.chalice_client import ChaliceRuntime, chalice_runtime
from tests.contract.runtimes.inprocess import moto_public_jwks

SETTINGS = load_settings({"COGNITO_USER_POOL_ID": "us-east-1_abc", "COGNITO_APP_CLIENT_ID": "c"})


class Probes:
    def __init__(self) -> None:
        self.storage_up = True
        self.jwks_up = True
        self.calls: list[str] = []
        self.now = 100.0

    def ping(self) -> None:
        self.calls.append("dynamodb")
        if not self.storage_up:
            raise OSError("connection refused")

    def fetch(self, url: str) -> Any:
        self.calls.append(url)
        if not self.jwks_up:
            raise OSError("timed out")
        return {"keys": [{"kid": "k"}]}

    def readiness(self, settings: Any = SETTINGS) -> Readiness:
        return Readiness(
            settings, ping_storage=self.ping, fetch_keys=self.fetch, clock=lambda: self.now
        )


@pytest.mark.parametrize(
    ("storage_up", "jwks_up", "message"),
    [
        (False, True, "not ready: DynamoDB does not answer"),
        (True, False, "not ready: the token signing keys (JWKS) cannot be fetched"),
        (False, False, "not ready: DynamoDB does not answer; the token signing keys"),
    ],
)
def test_not_ready_is_a_503_with_retry_after_naming_the_cause(
    storage_up: bool, jwks_up: bool, message: str
) -> None:
    probes = Probes()
    probes.storage_up, probes.jwks_up = storage_up, jwks_up
    with pytest.raises(ServiceUnavailable) as raised:
        probes.readiness().check()
    assert raised.value.message.startswith(message)
    assert raised.value.status == 503
    assert raised.value.headers == {"Retry-After": str(RETRY_AFTER_SECONDS)}


def test_ready_when_both_answer_and_one_answer_serves_every_caller_for_a_few_seconds() -> None:
    probes = Probes()
    readiness = probes.readiness()
    for _ in range(50):
        readiness.check()
    assert probes.calls == ["dynamodb", SETTINGS.jwks_url]
    probes.now += CACHE_SECONDS
    probes.storage_up = False
    with pytest.raises(ServiceUnavailable):
        readiness.check()
    assert probes.calls.count("dynamodb") == 2


def test_behind_the_gateway_authorizer_the_jwks_is_not_the_apps_concern() -> None:
    probes = Probes()
    settings = replace(SETTINGS, auth_mode=AUTH_MODE_GATEWAY, running_on_lambda=True)
    probes.jwks_up = False
    probes.readiness(settings).check()
    assert probes.calls == ["dynamodb"]


@pytest.fixture
def api() -> Iterator[ChaliceRuntime]:
    with chalice_runtime() as runtime:
        deps = app_module.dependencies()
        # The moto JWKS the in-process runtime verifies tokens with.
        deps.readiness = Readiness(deps.settings, fetch_keys=lambda _url: moto_public_jwks())
        yield runtime


def test_ready_route_makes_one_getitem_and_answers_ready(
    api: ChaliceRuntime, output: Output
) -> None:
    response = api.request("GET", "/ready")

    assert response.status == 200
    assert response.json() == {"status": "ready"}
    (line,) = output.logs()
    assert (line["route"], line["status"], line["dynamodb_requests"]) == ("/ready", 200, 1)


def test_ready_route_is_a_503_when_dynamodb_is_down(api: ChaliceRuntime, output: Output) -> None:
    stack = api._aws.stack
    bind_models(stack.table, stack.region, "http://127.0.0.1:9")  # nothing listens there
    try:
        response = api.request("GET", "/ready")
        health = api.request("GET", "/health")
    finally:
        bind_models(stack.table, stack.region, None)

    assert response.status == 503
    assert response.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert response.json()["error"] == {
        "code": "service_unavailable",
        "message": "not ready: DynamoDB does not answer",
    }
    assert health.status == 200  # liveness does not depend on DynamoDB (nor is it logged)
    # One GetItem with the retries chalicelib.dynamo allows.
    assert [line["dynamodb_requests"] for line in output.logs()] == [1 + MAX_RETRY_ATTEMPTS]
