"""WSGI entry point of the serverful path: ``wsgi:application``.

The very same Chalice ``app`` as on Lambda, behind ``ChaliceWSGIAdapter``.
server.py calls ``prepare`` once in the master (the settings, the DynamoDB client,
the token signing keys and the crypto imports, shared by every forked worker), and
granian calls ``serve`` in each worker: it warms the worker up and hands over the app.
"""

from __future__ import annotations

import gc
import io
import logging
import os
from collections.abc import Iterator
from contextlib import suppress
from typing import Any

from app import app, dependencies, observability, watch_storage
from chalice_wsgi import ChaliceWSGIAdapter
from chalicelib.config import ConfigError
from chalicelib.errors import ApiError, NotFound

logger = logging.getLogger(__name__)
# A well-formed id no todo has (ULIDs are made of the time and randomness), of an
# owner no user is (Cognito subs are UUIDs).
WARM_UP_TODO_ID = "00000000000000000000000000"
WARM_UP_OWNER = "warm-up"
# CPython (3.11+) specializes a function's bytecode only once it has run a few times:
# under granian on 3.13 a new worker's first real request (a page) cost 3.7x a steady
# one's CPU with no warm-up, 1.8-2.0x after 8 rounds that read no page, 1.0-1.5x (median
# 1.1x) now that they do (docs/wsgi.md, issue 21's bench).
WARM_UP_ROUNDS = int(os.environ.get("WARM_UP_ROUNDS") or 8)  # the bench measures 0 too


def prepare() -> None:
    """Fail on a missing setting, and ready what every request needs."""
    ready = dependencies()
    if not ready.settings.public_api_origin:
        # Behind API Gateway + ALB the request's Host is the ALB's: links need this.
        raise ConfigError("PUBLIC_API_ORIGIN must be set: the URL clients call the API at")
    ready.authenticator.prefetch()  # a failure is retried on the first request
    # The botocore client (no connection is opened) with the request log's hooks: a
    # hook added later would empty botocore's event caches on a request.
    watch_storage()
    # Objects made so far live as long as the process: keep the collector off their
    # pages, so forked workers share them instead of copying them.
    gc.freeze()


def serve() -> ChaliceWSGIAdapter:
    """In each new worker (granian's factory target), before it takes requests."""
    warm_worker()
    return application


def warm_worker() -> None:
    """Requests through the app in a new worker before it takes requests, their log
    lines and metrics written to nowhere: `/health`, a todo's GET with each signing
    key's refused token (the route, the signature check, the 401), an authenticated
    request's log line, and a todo's read and a page's through the service (the first
    opens the worker's DynamoDB connection), WARM_UP_ROUNDS times. A forked process
    copies each memory page it touches, and the interpreter specializes what runs
    often: done here, not on the worker's first real requests."""
    for _ in range(WARM_UP_ROUNDS):
        with observability.to_nowhere():
            for environ in _warm_up_requests():
                b"".join(application(environ, lambda status, headers: None))
        observability.warm_up()
        try:
            service = dependencies().service
            with suppress(NotFound):  # as expected
                service.get(WARM_UP_OWNER, WARM_UP_TODO_ID)
            service.list(WARM_UP_OWNER)  # a page's Query and reader (an empty page)
        except ApiError:
            return  # DynamoDB unavailable: requests will say so; not waited for again
        except Exception:
            logger.exception("worker warm-up failed")
            return


def _warm_up_requests() -> Iterator[dict[str, Any]]:
    yield {"REQUEST_METHOD": "GET", "PATH_INFO": "/health", "wsgi.input": io.BytesIO()}
    for token in dependencies().authenticator.refused_tokens():
        yield {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": f"/todos/{WARM_UP_TODO_ID}",
            "HTTP_AUTHORIZATION": f"Bearer {token}",
            "wsgi.input": io.BytesIO(),
        }


application = ChaliceWSGIAdapter(app)
