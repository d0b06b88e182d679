"""`make dev`'s stack (tools/dev.py --no-web) as a test fixture: real moto server
and `chalice local` processes on free ports, for the integration and browser tests."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import pytest

from tools.local_stack import ServerDidNotStart, on_free_ports, stop_process

ROOT = Path(__file__).resolve().parents[1]
READY_LINE = "Local stack is up"
START_TIMEOUT_SECONDS = 120


@contextmanager
def dev_stack(
    state_dir: Path, cors_origins: str, public_api_origin: str = ""
) -> Iterator[dict[str, Any]]:
    """tools/dev.py --no-web, running until the block ends (a failed start is
    retried on other ports by on_free_ports, with a warning); yields its
    .dev/stack.json. The API's links name `public_api_origin` when given (a front
    door), else the API's own address."""
    attempts = itertools.count(1)

    @contextmanager
    def serve(moto_port: int, api_port: int) -> Iterator[dict[str, Any]]:
        attempt_dir = state_dir / f"attempt-{next(attempts)}"
        attempt_dir.mkdir(parents=True)
        env = {
            **os.environ,
            "MOTO_PORT": str(moto_port),
            "API_PORT": str(api_port),
            "DEV_STATE_DIR": str(attempt_dir),
            "CORS_ORIGINS": cors_origins,
            "PUBLIC_API_ORIGIN": public_api_origin,
        }
        log_path = attempt_dir / "dev.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "tools.dev", "--no-web"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            try:
                problem = _wait_until_up(process, log_path)
                if problem is not None:
                    said = log_path.read_text(errors="replace")
                    raise ServerDidNotStart(f"{problem}; tools/dev.py said:\n{said}")
                yield json.loads((attempt_dir / "stack.json").read_text())
            finally:
                stop_process(process)

    with ExitStack() as running:
        try:
            info = running.enter_context(on_free_ports(2, serve))
        except ServerDidNotStart as error:
            pytest.fail(f"tools/dev.py did not start:\n{error}")
        yield info


def _wait_until_up(process: subprocess.Popen[bytes], log_path: Path) -> str | None:
    """None once dev.py says the stack is up (its API answered), else what went wrong."""
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if READY_LINE in log_path.read_text(errors="replace"):
            return None
        if process.poll() is not None:
            return f"exited with code {process.returncode}"
        time.sleep(0.2)
    return f"not up within {START_TIMEOUT_SECONDS}s"
