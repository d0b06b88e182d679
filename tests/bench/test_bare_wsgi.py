"""`make bench-serverful`'s bounds serve bench/bare_wsgi: apps that answer `/health`
as ours does, so they differ from it only in what runs around the answer."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest
from chalice.test import Client as ChaliceClient
from werkzeug.test import Client

from app import app

BARE_WSGI = Path(__file__).resolve().parents[2] / "bench" / "bare_wsgi" / "wsgi.py"


def bare_wsgi(monkeypatch: pytest.MonkeyPatch, kind: str) -> ModuleType:
    """bench/bare_wsgi/wsgi.py as gunicorn loads it with BARE_APP=kind (not as `wsgi`,
    which is the real entry point)."""
    monkeypatch.setenv("BARE_APP", kind)
    spec = importlib.util.spec_from_file_location("bare_wsgi", BARE_WSGI)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("kind", ["wsgi", "chalice"])
def test_the_bare_apps_answer_health_as_the_api_does(
    monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    with ChaliceClient(app) as client:
        ours = client.http.get("/health")
    module = bare_wsgi(monkeypatch, kind)
    assert (module.application is module.answer_200) == (kind == "wsgi")
    answer = Client(module.application).get("/health")
    assert (answer.status_code, answer.data) == (ours.status_code, ours.body)
    assert answer.headers["Content-Type"] == ours.headers["Content-Type"]
