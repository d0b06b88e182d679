"""The request log on the real servers: gunicorn (EC2's) and `chalice local` (`make dev`'s).

Both are real processes; their output is read back from the log file they write.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests

from scripts.gunicorn_server import gunicorn_stack
from scripts.local_stack import background_process, new_user, on_free_ports

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.integration


def json_lines(path: Path) -> list[dict[str, Any]]:
    lines = []
    for raw in path.read_text().splitlines():
        if raw.startswith("{"):
            lines.append(json.loads(raw))
    return lines


def app_lines_for(path: Path, request_id: str, timeout: float = 10.0) -> list[dict[str, Any]]:
    """The app's log lines for one request."""
    deadline = time.monotonic() + timeout
    while True:
        found = [line for line in json_lines(path) if line.get("correlation_id") == request_id]
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def test_gunicorn_writes_one_json_line_per_request_with_the_shims_request_id(
    tmp_path: Path,
) -> None:
    with gunicorn_stack(workers=1, log_dir=tmp_path) as served:
        # The worker's warm-up requests (wsgi.warm_worker: a 401 among them) log nothing.
        assert json_lines(tmp_path / "gunicorn.log") == []
        user = new_user(served.cognito, served.stack, "obs")
        headers = user.auth_headers
        created = requests.post(
            f"{served.base_url}/todos", json={"title": "top secret"}, headers=headers, timeout=30
        )
        ready = requests.get(f"{served.base_url}/ready", timeout=30)

    log = tmp_path / "gunicorn.log"
    assert created.status_code == 201
    request_id = created.headers["X-Request-Id"]
    assert request_id == created.headers["x-amzn-RequestId"]
    (line,) = app_lines_for(log, request_id)
    assert (line["method"], line["route"], line["status"]) == ("POST", "/todos", 201)
    # One line per request: gunicorn writes no access line of its own beside it.
    naming_it = [
        raw for raw in log.read_text().splitlines() if request_id in raw and "_aws" not in raw
    ]
    assert len(naming_it) == 1, naming_it
    assert line["dynamodb_requests"] == 1 and line["user"]
    assert "top secret" not in log.read_text() and user.email not in log.read_text()
    emf = [doc for doc in json_lines(log) if "_aws" in doc and doc["request_id"] == request_id]
    assert [doc["TodosCreated"] for doc in emf] == [[1.0]]
    # Readiness against a real moto server: its DynamoDB and its JWKS both answer.
    assert ready.status_code == 200, ready.text
    assert ready.json() == {"status": "ready"}


@contextmanager
def chalice_local(log_path: Path) -> Iterator[str]:
    chalice = str(Path(sys.executable).parent / "chalice")

    @contextmanager
    def serve(port: int) -> Iterator[str]:
        command = [chalice, "local", "--stage", "local", "--no-autoreload",
                   "--host", "127.0.0.1", "--port", str(port)]  # fmt: skip
        url = f"http://127.0.0.1:{port}"
        with background_process(command, ready_url=f"{url}/health", cwd=ROOT, log_path=log_path):
            yield url

    with on_free_ports(1, serve) as url:
        yield url


def test_chalice_local_answers_with_a_generated_request_id_and_logs_it(tmp_path: Path) -> None:
    log = tmp_path / "chalice.log"
    with chalice_local(log) as url:
        response = requests.get(f"{url}/todos", timeout=10)  # no token: 401
        request_id = response.headers["X-Request-Id"]
        lines = app_lines_for(log, request_id)

    assert response.status_code == 401
    assert len(request_id) == 36  # chalice local has no request id of its own: a UUID
    (line,) = lines
    assert (line["route"], line["status"]) == ("/todos", 401)
