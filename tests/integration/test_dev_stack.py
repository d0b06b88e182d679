"""The test harness around scripts/dev.py: a failed start is retried on fresh
ports and reported, never hidden."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from scripts import local_stack
from tests import dev_stack

pytestmark = pytest.mark.integration
WEB_ORIGIN = "http://127.0.0.1:5999"


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A port some other process is listening on."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        yield int(taken.getsockname()[1])


def test_a_failed_start_is_retried_on_fresh_ports_and_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, taken_port: int
) -> None:
    first_moto_port = local_stack.free_port()
    chosen = iter([[first_moto_port, taken_port]])
    real_free_ports = local_stack.free_ports
    monkeypatch.setattr(
        local_stack, "free_ports", lambda count: next(chosen, None) or real_free_ports(count)
    )
    with (
        pytest.warns(UserWarning, match=f"port {taken_port} is in use") as warned,
        dev_stack.dev_stack(tmp_path, cors_origins=WEB_ORIGIN) as running,
    ):
        health = requests.get(f"{running.info['api_url']}/health", timeout=5)
    assert health.json() == {"status": "ok"}
    assert running.state_dir.name == "attempt-2"
    assert "attempt 1: exited with code 1" in str(warned[0].message)
    assert "or set API_PORT" in str(warned[0].message)
    # The busy port was named before anything started: no stack, no moto.
    assert not (tmp_path / "attempt-1" / "stack.json").exists()
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://127.0.0.1:{first_moto_port}/moto-api/", timeout=2)


def test_a_stack_that_never_starts_fails_with_every_attempts_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, taken_port: int
) -> None:
    monkeypatch.setattr(local_stack, "free_ports", lambda count: [taken_port, taken_port])
    with (
        pytest.warns(UserWarning),
        pytest.raises(pytest.fail.Exception) as failed,
        dev_stack.dev_stack(tmp_path, cors_origins=WEB_ORIGIN),
    ):
        pass
    message = str(failed.value)
    assert "attempt 1: exited with code 1" in message and "attempt 2: exited" in message
    assert message.count(f"port {taken_port} is in use") == 2
