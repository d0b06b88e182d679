"""wsgi.warm_worker, run in each new server worker (wsgi.serve) before it serves: its requests
go through the app as a client's would, leave no log line or metric behind, and a
DynamoDB that does not answer is waited for once, not once a round."""

from __future__ import annotations

import io
import sys
from collections.abc import Iterable, Iterator
from typing import Any

import pytest

import app as app_module
from chalicelib.errors import ServiceUnavailable
from tests.contract.runtimes.inprocess import in_process_aws


@pytest.fixture
def log() -> Iterator[io.StringIO]:
    """What the app logs and meters while the test runs."""
    stream = io.StringIO()
    app_module.observability.set_stream(stream)
    try:
        yield stream
    finally:
        app_module.observability.set_stream(sys.stdout)


@pytest.fixture
def wsgi(log: io.StringIO) -> Iterator[Any]:
    import wsgi

    with in_process_aws():
        app_module.dependencies().authenticator.prefetch()  # as wsgi.prepare does
        yield wsgi


def statuses_of(wsgi: Any, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The statuses the warm-up's requests through the app are answered with."""
    statuses: list[str] = []
    real = wsgi.application

    def recording(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        def start(status: str, headers: list[tuple[str, str]]) -> None:
            statuses.append(status)
            start_response(status, headers)

        return real(environ, start)

    monkeypatch.setattr(wsgi, "application", recording)
    return statuses


def test_each_round_asks_for_health_and_for_a_todo_with_a_refused_token_unlogged(
    wsgi: Any, log: io.StringIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    statuses = statuses_of(wsgi, monkeypatch)
    wsgi.warm_worker()
    # moto's pool signs with one key: one refused token a round.
    assert statuses == ["200 OK", "401 Unauthorized"] * wsgi.WARM_UP_ROUNDS
    assert log.getvalue() == ""  # no request line, no metrics


def test_a_dynamodb_that_does_not_answer_is_asked_once(
    wsgi: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads = []

    def unavailable(owner: str, todo_id: str) -> None:
        reads.append(todo_id)
        raise ServiceUnavailable("DynamoDB did not answer")

    monkeypatch.setattr(app_module.dependencies().service, "get", unavailable)
    wsgi.warm_worker()
    assert reads == [wsgi.WARM_UP_TODO_ID]


def test_each_round_reads_a_todo_and_a_page_through_the_service(wsgi: Any) -> None:
    # The read paths a user's first requests take: a page's Query (and its hook's
    # registration, done before the first request) paid here, not on that request.
    from chalicelib.dynamo import dynamodb_client

    sent: list[str] = []

    def count(model: Any, **_: Any) -> None:
        sent.append(model.name)

    events = dynamodb_client().meta.events
    events.register("before-call.dynamodb", count)
    try:
        wsgi.warm_worker()
    finally:
        events.unregister("before-call.dynamodb", count)
    assert sent == ["GetItem", "Query"] * wsgi.WARM_UP_ROUNDS
