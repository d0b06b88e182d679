"""The local front door (tools/front_door.py), what `make switch` and the browser
tests go through: a switch lets requests in flight finish on the old backend, and
without a backend the API is 503 + Retry-After. (Serving the web app, its config
and the proxied API on one origin is what every browser test does through it:
tests/e2e/test_same_origin.py.)"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import requests

from tools.front_door import Backend, FrontDoor


class FakeBackend:
    """Answers every request with its own name; /todos/slow waits for `release`."""

    def __init__(self, name: str) -> None:
        self.release, self.slow_arrived = threading.Event(), threading.Event()
        backend = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                if self.path.endswith("/todos/slow"):
                    backend.slow_arrived.set()
                    backend.release.wait(10)
                data = json.dumps({"backend": name}).encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def door(tmp_path: Path) -> Iterator[FrontDoor]:
    (tmp_path / "index.html").write_text("<!doctype html><title>todo</title>")
    with FrontDoor({}, dist=tmp_path) as running:
        yield running


def test_a_switch_lets_requests_in_flight_finish_on_the_old_backend(door: FrontDoor) -> None:
    before, after = FakeBackend("serverless"), FakeBackend("serverful")
    try:
        old = Backend("serverless", before.url)
        door.switch(old)
        with ThreadPoolExecutor(1) as pool:
            slow = pool.submit(requests.get, f"{door.origin}/todos/slow", timeout=10)
            assert before.slow_arrived.wait(5)
            assert door.switch(Backend("serverful", after.url)) is old and old.in_flight == 1
            # A new request goes to the new backend while the old one's is still running.
            assert requests.get(f"{door.origin}/todos", timeout=5).json()["backend"] == "serverful"
            assert not old.wait_idle(timeout=0.05)
            before.release.set()
            assert slow.result().json()["backend"] == "serverless"
        assert old.wait_idle(timeout=5) and old.served == 1
    finally:
        before.close()
        after.close()


def test_without_a_reachable_backend_the_api_is_unavailable_for_now(door: FrontDoor) -> None:
    codes = []
    for _ in range(2):
        answer = requests.get(f"{door.origin}/todos", timeout=10)
        assert (answer.status_code, answer.headers["Retry-After"]) == (503, "1")
        codes.append(answer.json()["error"]["code"])
        gone = FakeBackend("gone")
        gone.close()
        door.switch(Backend("gone", gone.url))
    assert codes == ["no_backend", "backend_unavailable"]
