from __future__ import annotations

import io
import json
import sys
from collections.abc import Iterator
from typing import Any

import pytest

import app as app_module
from tests.observability.emf import is_emf


class Output:
    """What the app wrote (logs and EMF documents), one JSON object a line."""

    def __init__(self) -> None:
        self.stream = io.StringIO()

    def lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.stream.getvalue().splitlines() if line]

    def logs(self) -> list[dict[str, Any]]:
        return [line for line in self.lines() if not is_emf(line)]

    def metrics(self) -> list[dict[str, Any]]:
        return [line for line in self.lines() if is_emf(line)]

    def clear(self) -> None:
        self.stream.seek(0)
        self.stream.truncate()


@pytest.fixture
def output() -> Iterator[Output]:
    captured = Output()
    app_module.observability.set_stream(captured.stream)
    try:
        yield captured
    finally:
        app_module.observability.set_stream(sys.stdout)
