"""WSGI entry point of the serverful path: ``gunicorn wsgi:application``.

The very same Chalice ``app`` as on Lambda, behind ``ChaliceWSGIAdapter``.
gunicorn.conf.py's hooks call ``prepare`` once in the master (the settings, the
DynamoDB client, the token signing keys and the crypto imports, shared by every
forked worker) and ``warm_worker`` in each worker before it serves.
"""

from __future__ import annotations

import gc
import io
import logging

from app import app, dependencies, observability, watch_storage
from chalicelib.config import ConfigError
from chalicelib.errors import ApiError
from chalicelib.wsgi import ChaliceWSGIAdapter

logger = logging.getLogger(__name__)
# A well-formed id no todo has (ULIDs are made of the time and randomness).
WARM_UP_TODO_ID = "00000000000000000000000000"


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


def warm_worker() -> None:
    """A request through the app, a token check, a request log line (to nowhere) and
    a read through the service, in a new worker before it takes requests: opens its
    DynamoDB connection and touches (copies) the memory pages a request needs, which
    a forked process otherwise pays for on its first real request."""
    health = {"REQUEST_METHOD": "GET", "PATH_INFO": "/health", "wsgi.input": io.BytesIO()}
    b"".join(application(health, lambda status, headers: None))
    dependencies().authenticator.warm_up()
    observability.warm_up()
    try:
        dependencies().service.get("warm-up", WARM_UP_TODO_ID)
    except ApiError:
        pass  # NotFound as expected, or DynamoDB unavailable: requests will say so
    except Exception:
        logger.exception("worker warm-up failed")


application = ChaliceWSGIAdapter(app)
