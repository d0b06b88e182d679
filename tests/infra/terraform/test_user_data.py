"""The EC2 user data renders to valid shell that installs and runs the app as planned."""

from __future__ import annotations

import re
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.infra.terraform.conftest import env_file_settings, render_user_data
from tools.deploy_serverful import Terraform


@pytest.fixture(scope="module")
def user_data(compute_module: Terraform) -> str:
    return render_user_data(compute_module)


def test_user_data_is_valid_bash(user_data: str) -> None:
    result = subprocess.run(
        ["bash", "-n"], input=user_data, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert user_data.startswith("#!/bin/bash\n")


def test_user_data_verifies_the_artifact_before_installing_it(user_data: str) -> None:
    download = user_data.index("aws s3 cp")
    check = user_data.index(f'echo "{"ab" * 32}  $artifact" | sha256sum --check --strict')
    install = user_data.index("bash /opt/todo/install_app.sh")
    assert download < check < install
    assert "s3://todo-prod-artifacts-123/releases/" in user_data


def test_user_data_runs_the_server_as_a_non_root_user_under_systemd(user_data: str) -> None:
    unit = user_data[user_data.index("[Unit]") : user_data.index("\nUNIT\n")]
    assert re.search(r"^User=todo$", unit, re.MULTILINE)
    assert "ExecStart=/opt/todo/venv/bin/python server.py" in unit
    assert "EnvironmentFile=/etc/todo/app.env" in unit
    assert "NoNewPrivileges=true" in unit
    assert "systemctl enable --now todo-api.service" in user_data


def test_user_data_hands_the_app_its_settings(user_data: str) -> None:
    assert env_file_settings(user_data) == {
        "AWS_REGION": "eu-west-1",
        "AWS_DEFAULT_REGION": "eu-west-1",
        "TABLE_NAME": "todo-prod-todos",
        "COGNITO_USER_POOL_ID": "eu-west-1_AbCdEf123",
        "COGNITO_APP_CLIENT_ID": "client123",
        "CORS_ORIGINS": "https://d111111abcdef8.cloudfront.net",
        "SERVER_BIND": "0.0.0.0:8080",
        "PUBLIC_API_ORIGIN": "https://abc123.execute-api.eu-west-1.amazonaws.com",
        "POWERTOOLS_SERVICE_NAME": "todo-prod",
        "LOG_LEVEL": "INFO",
    }


class ReadyServer(ThreadingHTTPServer):
    """GET /ready answers 503 `failures` times, then 200; counts the calls."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.calls = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.calls += 1
                ready = self.path == "/ready" and server.calls > server.failures
                self.send_response(200 if ready else 503)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)


@contextmanager
def ready_server(failures: int) -> Iterator[ReadyServer]:
    server = ReadyServer(failures)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def run_readiness_gate(user_data: str, tmp_path: Path) -> str:
    """The user data's readiness gate, with the launch hook calls recorded, not sent."""
    gate = user_data[user_data.index("# Readiness gate") :]
    result_file = tmp_path / "hook-result"
    script = (
        "set -euo pipefail\n"
        f'complete_launch() {{ echo "$1" > {result_file}; }}\n'
        'fail() { echo "boot failed: $1"; complete_launch ABANDON; exit 1; }\n' + gate
    )
    subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=60)
    return result_file.read_text().strip()


def test_instance_joins_the_load_balancer_once_ready_answers_200(
    compute_module: Terraform, tmp_path: Path
) -> None:
    with ready_server(failures=2) as server:
        user_data = render_user_data(compute_module, app_port=server.server_address[1])
        assert run_readiness_gate(user_data, tmp_path) == "CONTINUE"
    assert server.calls == 3


def test_instance_that_never_gets_ready_is_abandoned(
    compute_module: Terraform, tmp_path: Path
) -> None:
    with ready_server(failures=10**6) as server:
        user_data = render_user_data(
            compute_module, app_port=server.server_address[1], ready_timeout_seconds=3
        )
        assert run_readiness_gate(user_data, tmp_path) == "ABANDON"
    assert server.calls >= 2
