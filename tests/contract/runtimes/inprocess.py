"""In-process AWS for tests: moto's mock_aws with the app pointed at it.

Tokens are real moto-issued Cognito tokens and are verified for real, against
the public key moto signs with (the same JWKS a moto server publishes).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from unittest import mock

from moto import mock_aws
from moto.utilities.utils import load_resource

import app as app_module
from chalicelib.auth import Authenticator, JwksCache, TokenVerifier
from chalicelib.config import load_settings
from chalicelib.dynamo import DynamoTodoRepository, dynamodb_client
from chalicelib.service import TodoService
from tests.contract.runtimes.base import ApiResponse, Runtime, User, make_user
from tools.local_faults import Fault, FaultPlan, install_in_process
from tools.local_stack import FAKE_CREDENTIALS, Stack, aws_client, provision

CORS_ORIGIN = "https://app.example.com"
# Where the in-process runtimes' absolute links point (PUBLIC_API_ORIGIN).
IN_PROCESS_ORIGIN = "http://localhost"


def moto_public_jwks() -> dict[str, Any]:
    jwks: dict[str, Any] = load_resource("cognitoidp/resources/jwks-public.json")
    return jwks


@dataclass
class InProcessAws:
    stack: Stack
    cognito: Any
    faults: FaultPlan

    def new_user(self) -> User:
        return make_user(self.cognito, self.stack)


class InProcessRuntime(Runtime):
    """A runtime calling the app in this process, over in-process AWS.

    Requests go one at a time: Chalice keeps the current request on the app
    object (Lambda runs one request per process), and in-process moto is not
    thread-safe. Concurrency is exercised for real by the gunicorn runtime."""

    base_url = IN_PROCESS_ORIGIN
    _one_at_a_time = threading.Lock()

    def request(self, *args: Any, **kwargs: Any) -> ApiResponse:
        with self._one_at_a_time:
            return super().request(*args, **kwargs)

    def __init__(self, aws: InProcessAws) -> None:
        self._aws = aws
        self.stack = aws.stack
        self.client_id = aws.stack.client_id
        self.issuer = aws.stack.issuer

    def new_user(self) -> User:
        return self._aws.new_user()

    def inject_fault(self, **fault: Any) -> None:
        self._aws.faults.add(Fault(**fault))

    def clear_faults(self) -> None:
        self._aws.faults.clear()


@contextmanager
def in_process_aws() -> Iterator[InProcessAws]:
    """mock_aws + table + pool + client, and the Chalice app wired to them."""
    env = {**FAKE_CREDENTIALS, "AWS_DEFAULT_REGION": "us-east-1"}
    with mock.patch.dict(os.environ, env), mock_aws():
        stack = provision(endpoint=None)
        settings = load_settings(
            {
                **stack.app_environment(cors_origins=CORS_ORIGIN),
                "PUBLIC_API_ORIGIN": IN_PROCESS_ORIGIN,
            }
        )
        jwks = JwksCache(settings.jwks_url, fetch=lambda _url: moto_public_jwks())
        app_module.configure(
            app_module.Dependencies(
                settings=settings,
                service=TodoService(DynamoTodoRepository()),
                authenticator=Authenticator(settings, TokenVerifier(settings, jwks)),
            )
        )
        faults = FaultPlan()
        uninstall_faults = install_in_process(dynamodb_client(), faults)
        try:
            yield InProcessAws(stack, aws_client("cognito-idp", None), faults)
        finally:
            uninstall_faults()
            app_module.configure(None)
