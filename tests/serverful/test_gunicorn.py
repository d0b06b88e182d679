"""gunicorn.conf.py: settings from the environment, graceful stop, and no control
socket left behind. (The one log line per request is the app's: tests/observability.)"""

from __future__ import annotations

import os
import runpy
import subprocess
from pathlib import Path
from typing import Any

import pytest
import requests

from scripts.gunicorn_server import GUNICORN_CONF, ROOT, gunicorn_command
from scripts.local_stack import background_process, free_port


def load_config(env: dict[str, str]) -> dict[str, Any]:
    clean = {k: v for k, v in os.environ.items() if k not in ("GUNICORN_BIND", "WEB_CONCURRENCY")}
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update({**clean, **env})
    try:
        return runpy.run_path(str(GUNICORN_CONF))
    finally:
        os.environ.clear()
        os.environ.update(saved)


def test_defaults_bind_locally_and_size_workers_from_cores() -> None:
    config = load_config({})
    assert config["bind"] == ["127.0.0.1:8080"]
    assert config["workers"] == 2 * len(os.sched_getaffinity(0)) + 1
    assert config["worker_class"] == "sync"
    assert config["accesslog"] is None  # the app logs each request once
    assert config["control_socket_disable"] is True
    assert config["preload_app"] is True
    # Recycling, if any, far above a load run: never a restart on the request path.
    lowest_bound = config["max_requests"] - config["max_requests_jitter"]
    assert config["max_requests"] == 0 or lowest_bound >= 500_000
    assert 0 < config["graceful_timeout"] <= config["timeout"]


def test_bind_and_workers_come_from_the_environment() -> None:
    config = load_config({"GUNICORN_BIND": "0.0.0.0:8080", "WEB_CONCURRENCY": "3"})
    assert config["bind"] == ["0.0.0.0:8080"]
    assert config["workers"] == 3


@pytest.mark.integration
def test_real_gunicorn_serves_and_stops_cleanly(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    port = free_port()
    log_path = tmp_path / "gunicorn.log"
    env = {
        **{k: v for k, v in os.environ.items() if k != "XDG_RUNTIME_DIR"},
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
        # gunicorn >= 25.1 would make ~/.gunicorn/ for its control socket.
        "HOME": str(home),
    }
    command = [*gunicorn_command()[:-1], "tests.chalicelib.test_wsgi:served"]
    base_url = f"http://127.0.0.1:{port}"
    with background_process(
        command, ready_url=f"{base_url}/plain/ready", env=env, cwd=ROOT, log_path=log_path
    ) as process:
        response = requests.get(f"{base_url}/plain/a%20b?tag=x", timeout=10)
        assert response.status_code == 200
        assert response.json() == {"name": "a b", "tags": ["x"]}
    # background_process stopped it with SIGTERM: a graceful, clean exit.
    output = log_path.read_text()
    assert process.returncode == 0, output
    leftovers = list(home.rglob("*"))
    assert leftovers == [], f"gunicorn left files behind: {leftovers}"


@pytest.mark.integration
def test_gunicorn_refuses_to_serve_without_a_public_origin(tmp_path: Path) -> None:
    # Links would otherwise point at the internal ALB (or a client's Host).
    env = {
        **{k: v for k, v in os.environ.items() if k != "PUBLIC_API_ORIGIN"},
        "GUNICORN_BIND": f"127.0.0.1:{free_port()}",
        "WEB_CONCURRENCY": "1",
        "HOME": str(tmp_path),
    }
    result = subprocess.run(
        gunicorn_command(), cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert "PUBLIC_API_ORIGIN must be set" in result.stdout + result.stderr
