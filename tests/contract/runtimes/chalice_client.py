"""Runtime: Chalice's own test client, in-process, over mock_aws."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from chalice.test import Client
from requests.structures import CaseInsensitiveDict

import app as app_module
from tests.contract.runtimes.base import ApiResponse
from tests.contract.runtimes.inprocess import InProcessAws, InProcessRuntime, in_process_aws


class ChaliceRuntime(InProcessRuntime):
    name = "chalice"

    def __init__(self, client: Client, aws: InProcessAws) -> None:
        super().__init__(aws)
        self._client = client

    def _send(self, method: str, path: str, headers: dict[str, str], body: bytes) -> ApiResponse:
        response = self._client.http.request(
            method, path, headers={"Host": "localhost", **headers}, body=body
        )
        return ApiResponse(
            status=response.status_code,
            headers=CaseInsensitiveDict(response.headers),
            body=response.body or b"",
        )


@contextmanager
def chalice_runtime() -> Iterator[ChaliceRuntime]:
    with in_process_aws() as aws, Client(app_module.app) as client:
        yield ChaliceRuntime(client, aws)
