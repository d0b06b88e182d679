"""Runtime: the real server (server.py: granian, one process of several threads,
as on EC2) over HTTP, against a real moto server. (Named "gunicorn", which served the
API until issue 21.)

Tokens are issued by moto's Cognito and verified by the app against the JWKS
the moto server publishes, exactly as on EC2 (where it is Cognito's).
"""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests
from requests.structures import CaseInsensitiveDict

from tests.contract.runtimes.base import ApiResponse, Runtime, User, make_user
from tests.contract.runtimes.inprocess import CORS_ORIGIN
from tools.gunicorn_server import GunicornStack, gunicorn_stack
from tools.local_faults import CONTROL_PATH
from tools.local_stack import Stack

REQUEST_TIMEOUT_SECONDS = 30


class GunicornRuntime(Runtime):
    name = "gunicorn"

    def __init__(self, served: GunicornStack) -> None:
        self._served = served
        self.stack = served.stack
        self.base_url = served.base_url
        self.transport_url = served.base_url  # where requests go (base_url: what links say)
        self.client_id = served.stack.client_id
        self.issuer = served.stack.issuer
        self._sessions = threading.local()  # one connection pool per client thread

    def _send(self, method: str, path: str, headers: dict[str, str], body: bytes) -> ApiResponse:
        response = self._session().request(
            method,
            self.transport_url + path,
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

    def inject_fault(self, **fault: Any) -> None:
        control_fault(self._served.stack, "POST", fault)

    def clear_faults(self) -> None:
        control_fault(self._served.stack, "DELETE")

    def _session(self) -> requests.Session:
        if not hasattr(self._sessions, "session"):
            self._sessions.session = requests.Session()
        session: requests.Session = self._sessions.session
        return session


def control_fault(stack: Stack, method: str, fault: dict[str, Any] | None = None) -> None:
    """Drive the moto server's fault control (tools/local_faults.py)."""
    response = requests.request(
        method, f"{stack.endpoint}{CONTROL_PATH}", json=fault, timeout=REQUEST_TIMEOUT_SECONDS
    )
    response.raise_for_status()


@contextmanager
def gunicorn_runtime() -> Iterator[GunicornRuntime]:
    with tempfile.TemporaryDirectory(prefix="gunicorn-runtime-") as log_dir:
        try:
            with gunicorn_stack(log_dir=Path(log_dir), cors_origins=CORS_ORIGIN) as served:
                yield GunicornRuntime(served)
        except Exception:
            # The server's own words are the quickest way to the cause.
            log = Path(log_dir) / "gunicorn.log"
            if log.exists():
                print(f"--- server log (tail) ---\n{log.read_text()[-4000:]}")
            raise
