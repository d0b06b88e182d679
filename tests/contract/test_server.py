"""server.py (granian serving wsgi:application): settings from the environment, kept
alive connections, requests API Gateway passes answered in the API's own shape, a
graceful drain on SIGTERM. (The one log line per request is the app's: tests/observability.)"""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

import server
from tests.contract.runtimes.base import User, make_user
from tests.contract.runtimes.gunicorn_http import control_fault
from tools.gunicorn_server import (
    ROOT,
    GunicornStack,
    gunicorn_server,
    gunicorn_stack,
    server_command,
)
from tools.local_stack import free_port, wait_for_http

ALB = ROOT / "infra/modules/alb"
USER_DATA = ROOT / "infra/modules/compute/templates/user_data.sh.tftpl"


def _number(pattern: str, text: str) -> int:
    found = re.search(pattern, text)
    assert found, pattern
    return int(found.group(1))


def test_defaults_bind_locally_with_threads_and_a_worker_per_core() -> None:
    config = server.settings({})
    assert (config.host, config.port) == ("127.0.0.1", 8080)
    assert config.workers == len(os.sched_getaffinity(0))
    assert config.threads == 4
    options = server.granian_options(config)
    assert options["target"] == "wsgi:serve" and options["factory"] is True
    assert options["log_access"] is False  # the app logs each request once
    assert options["respawn_failed_workers"] is True


def test_settings_come_from_the_environment() -> None:
    env = {"SERVER_BIND": "10.0.0.5:9000", "WEB_CONCURRENCY": "3", "SERVER_THREADS": "8"}
    config = server.settings(env)
    assert (config.host, config.port, config.workers, config.threads) == ("10.0.0.5", 9000, 3, 8)


def test_idle_connections_outlive_the_albs_and_a_stop_drains_within_its_delay() -> None:
    alb = (ALB / "main.tf").read_text()
    alb_idle = _number(r"idle_timeout\s*=\s*(\d+)", alb)
    options = server.granian_options(server.settings({}))
    # The ALB must be the side that closes an idle connection, or it may send a request
    # on one we are closing: a 502.
    assert options["http1_settings"].header_read_timeout > alb_idle * 1000
    deregistration = _number(
        r'variable "deregistration_delay_seconds" \{[^}]*?default\s*=\s*(\d+)',
        (ALB / "variables.tf").read_text(),
    )
    stop_timeout = _number(r"TimeoutStopSec=(\d+)", USER_DATA.read_text())
    assert options["workers_kill_timeout"] == server.DRAIN_SECONDS
    assert min(deregistration, stop_timeout) > server.DRAIN_SECONDS


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GunicornStack]:
    with gunicorn_stack(log_dir=tmp_path_factory.mktemp("server")) as stack:
        yield stack


@pytest.fixture(scope="module")
def user(served: GunicornStack) -> User:
    return make_user(served.cognito, served.stack)


@pytest.mark.integration
def test_a_9_kb_header_is_served(served: GunicornStack) -> None:
    # API Gateway passes up to 10 KB of headers (gunicorn refused 8 KB with a 431 page).
    response = requests.get(f"{served.base_url}/health", headers={"X-Big": "a" * 9000}, timeout=10)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.integration
def test_connections_are_kept_alive(served: GunicornStack) -> None:
    address = urlsplit(served.base_url)
    connection = http.client.HTTPConnection(address.hostname or "", address.port)
    try:
        for _ in range(3):
            connection.request("GET", "/health")
            response = connection.getresponse()
            response.read()
            assert response.status == 200
            assert response.getheader("Connection") != "close"
        local_port = connection.sock.getsockname()[1]
        time.sleep(1)
        connection.request("GET", "/health")
        response = connection.getresponse()
        response.read()
        assert response.status == 200
        assert connection.sock.getsockname()[1] == local_port  # the same connection
    finally:
        connection.close()


@pytest.mark.integration
def test_an_idle_connection_is_closed_after_the_keepalive_setting(served: GunicornStack) -> None:
    # The setting reaches granian: 1 s here (75 s by default, above the ALB's 60 s).
    settings = {"SERVER_KEEPALIVE_SECONDS": "1"}
    with gunicorn_server(served.stack.app_environment(), settings=settings) as short:
        address = urlsplit(short.base_url)
        connection = http.client.HTTPConnection(address.hostname or "", address.port)
        try:
            connection.request("GET", "/health")
            connection.getresponse().read()
            time.sleep(2.5)
            with pytest.raises((ConnectionError, http.client.RemoteDisconnected)):
                connection.request("GET", "/health")
                connection.getresponse().read()
        finally:
            connection.close()


@pytest.mark.integration
def test_sigterm_finishes_the_requests_in_flight_then_exits_cleanly(
    tmp_path: Path, served: GunicornStack, user: User
) -> None:
    env = {
        **os.environ,
        **served.stack.app_environment(),
        "SERVER_BIND": f"127.0.0.1:{free_port()}",
        "PUBLIC_API_ORIGIN": "http://127.0.0.1",
        "WEB_CONCURRENCY": "1",
    }
    port = env["SERVER_BIND"].rsplit(":", 1)[1]
    base_url = f"http://127.0.0.1:{port}"
    log = (tmp_path / "server.log").open("w")
    process = subprocess.Popen(server_command(), cwd=ROOT, env=env, stdout=log, stderr=log)
    try:
        wait_for_http(f"{base_url}/health", timeout=60, process=process)
        # The next DynamoDB request waits 1.5 s in the stand-in (the app's read timeout is 2 s).
        control_fault(served.stack, "POST", {"target": "dynamodb", "kind": "delay", "seconds": 1.5})
        answers: list[requests.Response] = []
        slow = threading.Thread(
            target=lambda: answers.append(
                requests.get(f"{base_url}/todos", headers=user.auth_headers, timeout=30)
            )
        )
        slow.start()
        time.sleep(0.5)  # the request is in the app, waiting on DynamoDB
        process.send_signal(signal.SIGTERM)
        slow.join()
        assert process.wait(timeout=30) == 0
    finally:
        control_fault(served.stack, "DELETE")
        if process.poll() is None:
            process.kill()
            process.wait()
        log.close()
    output = (tmp_path / "server.log").read_text()
    assert [answer.status_code for answer in answers] == [200], output
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", int(port)), timeout=1).close()


@pytest.mark.integration
def test_the_server_refuses_to_serve_without_a_public_origin(tmp_path: Path) -> None:
    # Links would otherwise point at the internal ALB (or a client's Host).
    env = {
        **{k: v for k, v in os.environ.items() if k != "PUBLIC_API_ORIGIN"},
        "SERVER_BIND": f"127.0.0.1:{free_port()}",
        "WEB_CONCURRENCY": "1",
        "HOME": str(tmp_path),
    }
    result = subprocess.run(
        server_command(), cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert "PUBLIC_API_ORIGIN must be set" in result.stdout + result.stderr
