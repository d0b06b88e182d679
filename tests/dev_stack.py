"""`make dev`'s stack (scripts/dev.py --no-web) as a test fixture: real moto server
and `chalice local` processes on free ports, for the integration and browser tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from scripts.local_stack import free_ports, stop_process

ROOT = Path(__file__).resolve().parents[1]
READY_LINE = "Local stack is up"
START_TIMEOUT_SECONDS = 120
# A second start on fresh ports, so that a port another process grabbed between
# choosing it and binding it (a race no port picker can close) does not fail
# the run; the first attempt's log is reported as a warning, never hidden.
ATTEMPTS = 2


@dataclass(frozen=True)
class DevStack:
    state_dir: Path
    env: dict[str, str]
    process: subprocess.Popen[bytes]

    @property
    def info(self) -> dict[str, Any]:
        """.dev/stack.json of this stack."""
        info: dict[str, Any] = json.loads((self.state_dir / "stack.json").read_text())
        return info


@contextmanager
def dev_stack(state_dir: Path, cors_origins: str) -> Iterator[DevStack]:
    """scripts/dev.py --no-web, running until the block ends."""
    failures: list[str] = []
    for attempt in range(1, ATTEMPTS + 1):
        attempt_dir = state_dir / f"attempt-{attempt}"
        attempt_dir.mkdir(parents=True)
        moto_port, api_port = free_ports(2)
        env = {
            **os.environ,
            "MOTO_PORT": str(moto_port),
            "API_PORT": str(api_port),
            "DEV_STATE_DIR": str(attempt_dir),
            "CORS_ORIGINS": cors_origins,
        }
        log_path = attempt_dir / "dev.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [sys.executable, str(ROOT / "scripts" / "dev.py"), "--no-web"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            try:
                problem = _wait_until_up(process, log_path)
                if problem is None:
                    yield DevStack(attempt_dir, env, process)
                    return
            finally:
                stop_process(process)
        failures.append(
            f"attempt {attempt}: {problem}; scripts/dev.py said:\n{log_path.read_text()}"
        )
        if attempt < ATTEMPTS:
            warnings.warn(f"the dev stack failed to start, retrying: {failures[-1]}", stacklevel=1)
    pytest.fail("scripts/dev.py did not start:\n" + "\n".join(failures))


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
