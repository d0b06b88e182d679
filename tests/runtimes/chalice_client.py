"""Runtime: Chalice's own test client, in-process, over mock_aws."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from chalice.test import Client
from requests.structures import CaseInsensitiveDict

import app as app_module
from tests.runtimes.base import UNSET, ApiResponse, User, encode_body, relative
from tests.runtimes.inprocess import InProcessAws, in_process_aws


class ChaliceRuntime:
    name = "chalice"
    base_url = "http://localhost"

    def __init__(self, client: Client, aws: InProcessAws) -> None:
        self._client = client
        self._aws = aws
        self.client_id = aws.stack.client_id
        self.issuer = aws.stack.issuer

    def request(
        self,
        method: str,
        path: str,
        *,
        headers: dict[str, str] | None = None,
        json: Any = UNSET,
        body: bytes | None = None,
    ) -> ApiResponse:
        merged, payload = encode_body(headers, json, body)
        merged.setdefault("Host", "localhost")
        response = self._client.http.request(
            method, relative(path), headers=merged, body=payload or b""
        )
        return ApiResponse(
            status=response.status_code,
            headers=CaseInsensitiveDict(response.headers),
            body=response.body or b"",
        )

    def new_user(self) -> User:
        return self._aws.new_user()


@contextmanager
def chalice_runtime() -> Iterator[ChaliceRuntime]:
    with in_process_aws() as aws, Client(app_module.app) as client:
        yield ChaliceRuntime(client, aws)
