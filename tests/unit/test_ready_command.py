"""`make ready`: the deploy waits for GET /ready, honouring Retry-After."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest

from tools import ready


class FlakyThenReady(http.server.BaseHTTPRequestHandler):
    answers: ClassVar[list[int]] = []

    def do_GET(self) -> None:
        status = self.answers.pop(0) if self.answers else 200
        body = json.dumps({"status": "ready"} if status == 200 else {"error": "not ready"})
        self.send_response(status)
        if status == 503:
            self.send_header("Retry-After", "5")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def api_url() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FlakyThenReady)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def test_waits_as_retry_after_says_until_ready(api_url: str) -> None:
    FlakyThenReady.answers = [503, 503]
    waits: list[float] = []
    said: list[str] = []
    assert ready.wait_until_ready(api_url, 60, sleep=waits.append, say=said.append)
    assert waits == [5.0, 5.0]
    assert said[-1] == f"ready: {api_url}ready"


def test_gives_up_at_the_timeout(api_url: str) -> None:
    FlakyThenReady.answers = [503] * 100
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    said: list[str] = []
    assert not ready.wait_until_ready(
        api_url, 12, sleep=sleep, clock=lambda: now[0], say=said.append
    )
    assert "not ready within 12 s" in said[-1]


def test_reads_the_api_url_from_the_deploy_outputs(api_url: str, tmp_path: Path) -> None:
    FlakyThenReady.answers = []
    outputs = tmp_path / "serverless-outputs.json"
    outputs.write_text(json.dumps({"api_url": api_url.rstrip("/")}))
    assert ready.main(["--outputs", str(outputs), "--timeout", "5"]) == 0
