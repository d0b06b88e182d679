"""The runtimes the API contract suite runs against (see tests/api/)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager

from tests.runtimes.base import Runtime
from tests.runtimes.chalice_client import chalice_runtime

RUNTIMES: dict[str, Callable[[], AbstractContextManager[Runtime]]] = {
    "chalice": chalice_runtime,
}
