"""`make bench` (``python -m bench.api_cpu``): the app's own CPU per API operation.

The serverful path's request (the WSGI shim's event through ``app``, a token
already verified) for a page of 20, a single GET and a create, with DynamoDB's
answers replayed: each operation's HTTP response is recorded once from
in-process moto, then handed back from botocore's ``before-send`` with moto
switched off. So the figures hold everything our process does (routing, auth
cache, service, PynamoDB, botocore's serialising, signing and parsing) and
nothing of the store's. Issue 13's targets: a page of 20 at most half of
3.3 ms, a single todo at most 0.6 ms. Then the token check alone: a token this
process verified before (the verified-token cache), and a new one (keys in hand).
"""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

from botocore.awsrequest import AWSResponse
from moto.core.botocore_stubber import MockRawResponse
from moto.core.models import botocore_stubber

from bench.serverful import cpu_us

PAGE = 20
TARGET_US = {"GET /todos?limit=20": 1650.0, "GET /todos/{id}": 600.0}


@contextmanager
def replayed(events: Any, answers: dict[str, tuple[int, dict[str, str], bytes]]) -> Iterator[None]:
    """Answer each operation with its recorded response; moto does no work meanwhile."""

    def answer(request: Any, event_name: str, **_: Any) -> AWSResponse:
        status, headers, body = answers[event_name.rsplit(".", 1)[-1]]
        return AWSResponse(request.url, status, headers, MockRawResponse(body))

    events.register_first("before-send.dynamodb", answer)
    botocore_stubber.enabled = False
    try:
        yield
    finally:
        botocore_stubber.enabled = True
        events.unregister("before-send.dynamodb", answer)


def measure(number: int) -> dict[str, float]:
    import app as app_module
    from chalice_wsgi import ChaliceWSGIAdapter
    from chalicelib.dynamo import dynamodb_client
    from tests.contract.runtimes.inprocess import in_process_aws

    with in_process_aws() as aws:
        user = aws.new_user()
        adapter = ChaliceWSGIAdapter(app_module.app)

        def event(method: str, target: str, body: bytes = b"") -> dict[str, Any]:
            path, _, query = target.partition("?")
            environ = {
                "REQUEST_METHOD": method,
                "PATH_INFO": path,
                "QUERY_STRING": query,
                "HTTP_AUTHORIZATION": f"Bearer {user.id_token}",
                "CONTENT_TYPE": "application/json",
                "CONTENT_LENGTH": str(len(body)),
                "wsgi.input": io.BytesIO(body),
            }
            built = adapter.build_event(environ, "request-id")
            assert built is not None
            return built

        def call(built: dict[str, Any]) -> dict[str, Any]:
            response: dict[str, Any] = app_module.app(built, None)
            assert response["statusCode"] < 300, response
            return response

        create = event("POST", "/todos", b'{"title": "bench", "notes": "some notes"}')
        todo_id = ""
        for _ in range(PAGE + 5):
            todo_id = json.loads(call(create)["body"])["id"]
        operations = {
            f"GET /todos?limit={PAGE}": event("GET", f"/todos?limit={PAGE}"),
            "GET /todos/{id}": event("GET", f"/todos/{todo_id}"),
            "POST /todos": create,
        }
        # Record each operation's answer as moto gives it.
        answers: dict[str, tuple[int, dict[str, str], bytes]] = {}

        def record(http_response: Any, event_name: str, **_: Any) -> None:
            answers[event_name.rsplit(".", 1)[-1]] = (
                http_response.status_code,
                dict(http_response.headers),
                http_response.content,
            )

        events = dynamodb_client().meta.events
        events.register("after-call.dynamodb", record)
        for built in operations.values():
            call(built)
        events.unregister("after-call.dynamodb", record)
        with replayed(events, answers):
            return {
                name: cpu_us(partial(call, built), number) for name, built in operations.items()
            }


def token_checks(number: int) -> dict[str, float]:
    """CPU of TokenVerifier.verify: the same token again, and a new token each call."""
    from chalicelib.auth import JwksCache, TokenVerifier
    from chalicelib.config import load_settings
    from tests.contract.runtimes.inprocess import moto_public_jwks
    from tests.tokens import claims_for, moto_signing_key, signed

    settings = load_settings(
        {"COGNITO_USER_POOL_ID": "us-east-1_BENCH", "COGNITO_APP_CLIENT_ID": "bench-client"}
    )
    jwks = JwksCache(settings.jwks_url, fetch=lambda _url: moto_public_jwks())
    verifier = TokenVerifier(settings, jwks)
    rounds = 5  # cpu_us's
    key = moto_signing_key()  # loaded once: building a private key checks it (slow)
    tokens = iter(
        [
            signed(claims_for(settings.issuer, settings.app_client_id, sub=f"user-{i}"), key)
            for i in range(number * rounds + 1)
        ]
    )
    token = next(tokens)
    verifier.verify(token)  # keys fetched, this token verified once
    return {
        "token check, verified before": cpu_us(lambda: verifier.verify(token), number * 30),
        "token check, new token": cpu_us(lambda: verifier.verify(next(tokens)), number, rounds),
    }


def main() -> int:
    number = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    results = {**measure(number), **token_checks(number)}
    print(f"{'operation (DynamoDB answers replayed)':40} {'CPU µs':>8}  target")
    for name, us in results.items():
        target = TARGET_US.get(name)
        print(f"{name:40} {us:8.0f}  {f'≤ {target:.0f}' if target else ''}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
