"""The least an app can do under our gunicorn.conf.py, to show what bounds `/health`:
`make bench-serverful` serves it with BARE_APP=wsgi, a WSGI app that answers 200
with /health's body itself (what gunicorn costs), and with BARE_APP=chalice, a
Chalice app of that one route behind ChaliceWSGIAdapter, with no middleware (what
Chalice and the shim add)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

from chalice import Chalice, Response

from chalicelib.wsgi import ChaliceWSGIAdapter

BODY = '{"status":"ok"}'


def answer_200(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    start_response(
        "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(BODY)))]
    )
    return [BODY.encode()]


chalice_app = Chalice(app_name="bare")
chalice_app.api.binary_types = []


@chalice_app.route("/health")
def health() -> Response:
    return Response(body=BODY, headers={"Content-Type": "application/json"})


application: Any = (
    ChaliceWSGIAdapter(chalice_app) if os.environ.get("BARE_APP") == "chalice" else answer_200
)


def prepare() -> None:
    """gunicorn.conf.py's hooks call these on the real entry point; nothing to ready."""


def warm_worker() -> None:
    """See prepare."""
