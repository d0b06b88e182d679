"""Runtime: a real gunicorn process over HTTP, against a real moto server.

Tokens are issued by moto's Cognito and verified by the app against the JWKS
the moto server publishes, exactly as on EC2 (where it is Cognito's).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests
from requests.structures import CaseInsensitiveDict

from scripts.gunicorn_server import GunicornStack, gunicorn_stack
from tests.runtimes.base import ApiResponse, Runtime, User, make_user
from tests.runtimes.inprocess import CORS_ORIGIN

REQUEST_TIMEOUT_SECONDS = 30


class GunicornRuntime(Runtime):
    name = "gunicorn"

    def __init__(self, served: GunicornStack) -> None:
        self._served = served
        self.base_url = served.base_url
        self.client_id = served.stack.client_id
        self.issuer = served.stack.issuer
        self._session = requests.Session()

    def _send(self, method: str, path: str, headers: dict[str, str], body: bytes) -> ApiResponse:
        response = self._session.request(
            method,
            self.base_url + path,
            headers=headers,
            data=body or None,
            allow_redirects=False,
            timeout=REQUEST_TIMEOUT_SECONDS,
        )
        return ApiResponse(
            status=response.status_code,
            headers=CaseInsensitiveDict(response.headers),
            body=response.content,
        )

    def new_user(self) -> User:
        return make_user(self._served.cognito, self._served.stack)

    def close(self) -> None:
        self._session.close()


@contextmanager
def gunicorn_runtime() -> Iterator[GunicornRuntime]:
    with tempfile.TemporaryDirectory(prefix="gunicorn-runtime-") as log_dir:
        try:
            with gunicorn_stack(log_dir=Path(log_dir), cors_origins=CORS_ORIGIN) as served:
                runtime = GunicornRuntime(served)
                try:
                    yield runtime
                finally:
                    runtime.close()
        except Exception:
            # The server's own words are the quickest way to the cause.
            log = Path(log_dir) / "gunicorn.log"
            if log.exists():
                print(f"--- gunicorn log (tail) ---\n{log.read_text()[-4000:]}")
            raise
