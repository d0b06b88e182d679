"""A small HTTP/1.1 client for `make load`, the benchmarks and their tests: one
connection per request (so threads can share a client), and the time each took."""

from __future__ import annotations

import http.client
import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit


@dataclass(frozen=True)
class HttpResult:
    status: int
    headers: dict[str, str]  # lower-case names, repeated fields joined
    body: bytes
    seconds: float

    def json(self) -> Any:
        return json.loads(self.body)


class HttpClient:
    def __init__(self, base_url: str, timeout: float = 30.0) -> None:
        parts = urlsplit(base_url)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"expected http://host:port, got {base_url}")
        self._address = (parts.hostname, parts.port or 80)
        self._timeout = timeout

    def request(
        self, method: str, path: str, headers: dict[str, str] | None = None, json_body: Any = None
    ) -> HttpResult:
        headers = dict(headers or {})
        body = None if json_body is None else json.dumps(json_body).encode()
        if body is not None:
            headers["Content-Type"] = "application/json"
        connection = http.client.HTTPConnection(*self._address, timeout=self._timeout)
        started = time.perf_counter()
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
        finally:
            connection.close()
        elapsed = time.perf_counter() - started
        names = {name.lower() for name in response.headers}
        received = {name: ", ".join(response.headers.get_all(name) or []) for name in names}
        return HttpResult(response.status, received, data, elapsed)
