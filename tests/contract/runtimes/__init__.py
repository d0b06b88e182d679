"""The runtimes the API contract suite runs against (see tests/contract/)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager

from tests.contract.runtimes.base import Runtime
from tests.contract.runtimes.chalice_client import chalice_runtime
from tests.contract.runtimes.gunicorn_http import gunicorn_runtime
from tests.contract.runtimes.lambda_package import lambda_runtime
from tests.contract.runtimes.wsgi_inprocess import wsgi_runtime

RUNTIMES: dict[str, Callable[[], AbstractContextManager[Runtime]]] = {
    "chalice": chalice_runtime,
    "wsgi": wsgi_runtime,
    "gunicorn": gunicorn_runtime,
    "lambda": lambda_runtime,
}
