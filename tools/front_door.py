"""The local front door: what CloudFront is on AWS, on 127.0.0.1.

One origin for the browser: it serves the built web app (web/dist) with a
/config.json whose API URL is the door's own origin, and reverse-proxies the API's
paths (openapi.yaml: /health, /ready, /todos, /todos/{id}) to the active backend,
uncached, `Authorization` forwarded, over kept-alive connections. The web app so
calls the API on its own origin: no CORS preflight.

`switch(backend)` points the door at another backend atomically: each request
reads the active backend once, when it arrives, so requests in flight finish on
the old one and every new one goes to the new one (`Backend.wait_idle` waits for
the old one's to finish, before its compute is removed).
"""

from __future__ import annotations

import functools
import json
import threading
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import urllib3

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "web" / "dist"
# The API's paths (openapi.yaml); everything else is the web app.
API_PATHS = ("/health", "/ready", "/todos")
# Not forwarded either way (RFC 9110 7.6.1), or set by the door itself.
HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "host",
    "content-length",
}
BACKEND_TIMEOUT_SECONDS = 30
# Only a connection that never reached the backend is retried (nothing was sent),
# as CloudFront's origin connection attempts are.
BACKEND_RETRIES = urllib3.Retry(total=2, connect=2, read=0, redirect=0, status=0, other=0)


def is_api_path(path: str) -> bool:
    path = urlsplit(path).path
    return any(path == prefix or path.startswith(prefix + "/") for prefix in API_PATHS)


@dataclass(eq=False)
class Backend:
    """One compute path behind the door: `url` is its origin and path prefix
    (e.g. the REST API's stage, http://127.0.0.1:8123/api)."""

    name: str
    url: str
    served: int = 0
    _in_flight: int = 0
    _idle: threading.Condition = field(default_factory=threading.Condition)

    def __post_init__(self) -> None:
        parts = urlsplit(self.url)
        self.prefix = parts.path.rstrip("/")
        self.pool = urllib3.connection_from_url(
            f"{parts.scheme}://{parts.netloc}",
            maxsize=16,
            retries=BACKEND_RETRIES,
            timeout=BACKEND_TIMEOUT_SECONDS,
        )

    def forward(
        self, method: str, target: str, headers: Mapping[str, str], body: bytes
    ) -> urllib3.BaseHTTPResponse:
        with self._idle:
            self._in_flight += 1
            self.served += 1
        try:
            return self.pool.urlopen(
                method,
                self.prefix + target,
                body=body or None,
                headers=dict(headers),
                redirect=False,
                assert_same_host=False,
            )
        finally:
            with self._idle:
                self._in_flight -= 1
                self._idle.notify_all()

    @property
    def in_flight(self) -> int:
        with self._idle:
            return self._in_flight

    def wait_idle(self, timeout: float = BACKEND_TIMEOUT_SECONDS) -> bool:
        """True once no request is in flight on this backend (False on timeout)."""
        with self._idle:
            return self._idle.wait_for(lambda: self._in_flight == 0, timeout)

    def close(self) -> None:
        self.pool.close()


class FrontDoor:
    """The door, serving on 127.0.0.1 in a thread until `close()`."""

    def __init__(self, web_config: Mapping[str, Any], dist: Path = DIST) -> None:
        if not (dist / "index.html").exists():
            raise FileNotFoundError(f"no web build in {dist}: run `make web-build`")
        self.backend: Backend | None = None
        self.api_methods: Counter[str] = Counter()  # API requests received, by method
        self._count_lock = threading.Lock()
        self._server = ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(_Handler, door=self, directory=str(dist))
        )
        self._server.daemon_threads = True
        self.origin = f"http://127.0.0.1:{self._server.server_address[1]}"
        # The web app's runtime config, calling the API on the door's own origin.
        self.web_config = {**web_config, "apiUrl": self.origin}
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def count(self, method: str) -> None:
        with self._count_lock:
            self.api_methods[method] += 1

    def switch(self, backend: Backend) -> Backend | None:
        """Send every new API request to `backend`; the previous one, if any."""
        previous, self.backend = self.backend, backend
        return previous

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FrontDoor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Handler(SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive with the browser
    # Headers and body are two writes: without TCP_NODELAY the body waits for the
    # client's delayed ACK (~40 ms a response on Linux).
    disable_nagle_algorithm = True

    def __init__(self, *args: Any, door: FrontDoor, **kwargs: Any) -> None:
        self.door = door
        super().__init__(*args, **kwargs)

    def do_GET(self) -> None:
        if is_api_path(self.path):
            self.proxy()
        elif urlsplit(self.path).path == "/config.json":
            self.send_bytes(200, json.dumps(self.door.web_config).encode(), "application/json")
        else:
            super().do_GET()

    def do_HEAD(self) -> None:
        if is_api_path(self.path):
            self.proxy()
        else:
            super().do_HEAD()

    def do_OTHER(self) -> None:
        if is_api_path(self.path):
            self.proxy()
        else:
            self.send_bytes(405, b'{"error":{"code":"method_not_allowed"}}', "application/json")

    do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_OTHER

    def proxy(self) -> None:
        backend = self.door.backend  # read once: this request stays on it
        self.door.count(self.command)
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            self.send_bytes(411, b'{"error":{"code":"length_required"}}', "application/json")
            return
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if backend is None:
            self.unavailable("no_backend", "No backend is active behind the front door.")
            return
        headers = {n: v for n, v in self.headers.items() if n.lower() not in HOP_BY_HOP}
        headers["X-Forwarded-For"] = self.client_address[0]
        try:
            answer = backend.forward(self.command, self.path, headers, body)
        except urllib3.exceptions.HTTPError as error:
            self.log_error("backend %s: %s", backend.name, error)
            self.unavailable("backend_unavailable", "The API did not answer; try again.")
            return
        data = answer.data
        self.send_response(answer.status)
        for name, value in answer.headers.items():
            if name.lower() not in HOP_BY_HOP:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def unavailable(self, code: str, message: str) -> None:
        body = json.dumps({"error": {"code": code, "message": message}}).encode()
        self.send_bytes(503, body, "application/json", {"Retry-After": "1"})

    def send_bytes(
        self, status: int, body: bytes, content_type: str, headers: Mapping[str, str] | None = None
    ) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Type", content_type)
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet; errors go through log_error

    def log_error(self, format: str, *args: Any) -> None:
        super().log_message(format, *args)
