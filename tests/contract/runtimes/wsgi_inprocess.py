"""Runtime: the WSGI shim in-process, through werkzeug's test client, over mock_aws.

Same in-process AWS as the "chalice" runtime; only the way the request reaches
the app differs: WSGI environ -> ChaliceWSGIAdapter -> app(event).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from requests.structures import CaseInsensitiveDict
from werkzeug.test import Client

from tests.contract.runtimes.base import ApiResponse
from tests.contract.runtimes.inprocess import InProcessAws, InProcessRuntime, in_process_aws


class WsgiInProcessRuntime(InProcessRuntime):
    name = "wsgi"

    def __init__(self, client: Client, aws: InProcessAws) -> None:
        super().__init__(aws)
        self._client = client

    def _send(self, method: str, path: str, headers: dict[str, str], body: bytes) -> ApiResponse:
        response = self._client.open(path, method=method, headers=headers, data=body)
        return ApiResponse(
            status=response.status_code,
            headers=joined_headers(response.headers.items()),
            body=response.get_data(),
        )


def joined_headers(items: Any) -> CaseInsensitiveDict[str]:
    """Response headers with repeated fields joined, as an HTTP client sees them."""
    headers: CaseInsensitiveDict[str] = CaseInsensitiveDict()
    for name, value in items:
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    return headers


@contextmanager
def wsgi_runtime() -> Iterator[WsgiInProcessRuntime]:
    # The real entry point gunicorn serves, not a second adapter built here.
    import wsgi

    with in_process_aws() as aws:
        yield WsgiInProcessRuntime(Client(wsgi.application), aws)
