"""The local front door (scripts/front_door.py): the web app and its config on one
origin, the API's paths proxied to the active backend, switched atomically."""

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

from scripts.front_door import Backend, FrontDoor

WEB_CONFIG = {"apiUrl": "http://elsewhere.test", "region": "us-east-1", "userPoolId": "p"}


class FakeBackend:
    """An HTTP server answering every request with what it received, as JSON;
    /todos/slow waits until `release` is set."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.release = threading.Event()
        self.slow_arrived = threading.Event()
        self.connections: set[tuple[str, int]] = set()
        backend = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def answer(self) -> None:
                backend.connections.add(self.client_address)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                if self.path.endswith("/todos/slow"):
                    backend.slow_arrived.set()
                    backend.release.wait(10)
                data = json.dumps(
                    {
                        "backend": backend.name,
                        "method": self.command,
                        "path": self.path,
                        "authorization": self.headers.get("Authorization"),
                        "body": body,
                    }
                ).encode()
                self.send_response(201 if self.command == "POST" else 200)
                self.send_header("Content-Type", "application/json")
                self.send_header("ETag", '"1"')
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PATCH = do_DELETE = answer

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
def dist(tmp_path: Path) -> Path:
    (tmp_path / "index.html").write_text("<!doctype html><title>todo</title>")
    return tmp_path


@pytest.fixture
def backends() -> Iterator[tuple[FakeBackend, FakeBackend]]:
    pair = FakeBackend("serverless"), FakeBackend("serverful")
    yield pair
    for backend in pair:
        backend.close()


@pytest.fixture
def door(dist: Path) -> Iterator[FrontDoor]:
    with FrontDoor(WEB_CONFIG, dist=dist) as running:
        yield running


def test_serves_the_web_app_and_a_config_calling_the_api_on_its_own_origin(
    door: FrontDoor,
) -> None:
    assert "<title>todo</title>" in requests.get(f"{door.origin}/", timeout=5).text
    config = requests.get(f"{door.origin}/config.json", timeout=5)
    assert config.json() == {**WEB_CONFIG, "apiUrl": door.origin}
    assert config.headers["Cache-Control"] == "no-store"


def test_api_paths_go_to_the_backend_under_its_prefix_with_authorization(
    door: FrontDoor, backends: tuple[FakeBackend, FakeBackend]
) -> None:
    door.switch(Backend("serverless", backends[0].url + "/api"))
    with requests.Session() as client:
        created = client.post(
            f"{door.origin}/todos?x=1",
            json={"title": "milk"},
            headers={"Authorization": "Bearer token-1"},
            timeout=5,
        )
        assert created.status_code == 201
        assert created.headers["ETag"] == '"1"'
        assert created.json() == {
            "backend": "serverless",
            "method": "POST",
            "path": "/api/todos?x=1",
            "authorization": "Bearer token-1",
            "body": '{"title": "milk"}',
        }
        for path in ("/health", "/ready", "/todos/abc"):
            assert client.get(door.origin + path, timeout=5).json()["path"] == "/api" + path
        # Not an API path: the web app's (here: not found), never the backend's.
        assert client.get(f"{door.origin}/todosx", timeout=5).status_code == 404
    # One kept-alive connection from the door to the backend for all of them.
    assert len(backends[0].connections) == 1


def test_a_switch_lets_requests_in_flight_finish_on_the_old_backend(
    door: FrontDoor, backends: tuple[FakeBackend, FakeBackend]
) -> None:
    old = Backend("serverless", backends[0].url)
    door.switch(old)
    with ThreadPoolExecutor(1) as pool:
        slow = pool.submit(requests.get, f"{door.origin}/todos/slow", timeout=10)
        assert backends[0].slow_arrived.wait(5)
        previous = door.switch(Backend("serverful", backends[1].url))
        assert previous is old and old.in_flight == 1
        # A new request goes to the new backend while the old one's is still running.
        assert requests.get(f"{door.origin}/todos", timeout=5).json()["backend"] == "serverful"
        assert not old.wait_idle(timeout=0.05)
        backends[0].release.set()
        assert slow.result().json()["backend"] == "serverless"
    assert old.wait_idle(timeout=5)
    assert old.served == 1


def test_without_a_backend_the_api_is_unavailable(door: FrontDoor) -> None:
    answer = requests.get(f"{door.origin}/todos", timeout=5)
    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "1"
    assert answer.json()["error"]["code"] == "no_backend"


def test_an_unreachable_backend_is_unavailable_for_now(door: FrontDoor) -> None:
    closed = FakeBackend("gone")
    closed.close()
    door.switch(Backend("gone", closed.url))
    answer = requests.get(f"{door.origin}/todos", timeout=10)
    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "1"
    assert answer.json()["error"]["code"] == "backend_unavailable"
