"""Traces: on Lambda each request is an X-Ray subsegment with its route and request
id; elsewhere (EC2, local) nothing is traced. The X-Ray SDK's UDP output is read
by a socket standing in for the X-Ray daemon."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
TRACE_ID = "1-5759e988-bd862e3fe1be46a994272793"
ONE_REQUEST = """
from chalice.test import Client
import app
with Client(app.app) as client:
    print(client.http.get("/health").headers["X-Request-Id"])
"""


@pytest.fixture
def xray_daemon() -> Iterator[socket.socket]:
    daemon = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    daemon.bind(("127.0.0.1", 0))
    daemon.settimeout(3)
    try:
        yield daemon
    finally:
        daemon.close()


def run_request(daemon: socket.socket, on_lambda: bool) -> str:
    port = daemon.getsockname()[1]
    env = {
        "PATH": os.environ.get("PATH", ""),
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_XRAY_DAEMON_ADDRESS": f"127.0.0.1:{port}",
        "LOG_LEVEL": "WARNING",
        # What X-Ray's SDK needs to trace (the Lambda runtime sets these for a sampled
        # invocation): given even off Lambda, so only the app's own choice decides.
        "LAMBDA_TASK_ROOT": str(ROOT),
        "_X_AMZN_TRACE_ID": f"Root={TRACE_ID};Parent=53995c3f42cd8ad8;Sampled=1",
    }
    if on_lambda:
        env.update(AWS_LAMBDA_FUNCTION_NAME="todo-api", AUTH_MODE="gateway")
    result = subprocess.run(
        [sys.executable, "-c", ONE_REQUEST],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.strip().splitlines()[-1]


def received(daemon: socket.socket) -> list[dict[str, Any]]:
    documents: list[dict[str, Any]] = []
    while True:
        try:
            datagram = daemon.recv(65535)
        except TimeoutError:
            return documents
        _header, _, body = datagram.decode().partition("\n")
        documents.append(json.loads(body))


def test_on_lambda_each_request_is_a_subsegment_and_off_lambda_nothing_is_traced(
    xray_daemon: socket.socket,
) -> None:
    request_id = run_request(xray_daemon, on_lambda=True)
    (subsegment,) = [d for d in received(xray_daemon) if d["name"] == "## GET /health"]
    assert subsegment["trace_id"] == TRACE_ID
    assert subsegment["annotations"] == {"route": "GET /health", "request_id": request_id}

    run_request(xray_daemon, on_lambda=False)
    assert received(xray_daemon) == []
