"""Run the API the serverful way on this machine: gunicorn + the WSGI shim.

`make serve` runs gunicorn against the local stack of `make dev` (it reads
``$DEV_STATE_DIR/stack.json``). The context managers start everything on free
127.0.0.1 ports for the gunicorn test runtime, `make bench-serverful` and
`make load`, and stop what they started.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.local_stack import (  # noqa: E402 - needs the repo root on sys.path
    FAKE_CREDENTIALS,
    Stack,
    aws_client,
    environment_with,
    free_port,
    moto_server,
    provision,
    stop_process,
    wait_for_http,
)

GUNICORN_CONF = ROOT / "gunicorn.conf.py"
DEFAULT_SERVE_BIND = "127.0.0.1:8080"


def gunicorn_command() -> list[str]:
    return [sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONF), "wsgi:application"]


def default_cors_origins(env: Mapping[str, str]) -> str:
    """The same default `make dev` uses: the local web app's origins."""
    web_port = env.get("WEB_PORT", "5173")
    return env.get("CORS_ORIGINS") or (f"http://127.0.0.1:{web_port},http://localhost:{web_port}")


def stack_from_file(path: Path) -> Stack:
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise SystemExit(
            f"{path} not found: start the local stack first with `make dev` "
            "(or point DEV_STATE_DIR at its state directory)"
        ) from None
    fields = Stack.__dataclass_fields__
    return Stack(**{key: value for key, value in data.items() if key in fields})


@contextmanager
def gunicorn_server(
    app_environment: Mapping[str, str],
    *,
    workers: int = 2,
    log_path: Path | None = None,
) -> Iterator[str]:
    """gunicorn serving wsgi:application on a free port; yields its base URL."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = environment_with(
        {
            **app_environment,
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "WEB_CONCURRENCY": str(workers),
        }
    )
    env.pop("AWS_LAMBDA_FUNCTION_NAME", None)  # never trust a gateway that is not there
    log = open(log_path, "ab") if log_path else subprocess.DEVNULL  # noqa: SIM115
    process = subprocess.Popen(
        gunicorn_command(),
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_for_http(f"{base_url}/health", process=process)
        yield base_url
    finally:
        stop_process(process, timeout=30)
        if log_path:
            log.close()  # type: ignore[union-attr]


@dataclass
class ServerfulStack:
    base_url: str
    stack: Stack
    cognito: Any  # boto3 cognito-idp client bound to the moto server


@contextmanager
def serverful_stack(
    *, workers: int = 2, log_dir: Path | None = None, cors_origins: str = ""
) -> Iterator[ServerfulStack]:
    """A moto server with the table/pool/client, and gunicorn pointed at it."""
    moto_log = log_dir / "moto.log" if log_dir else None
    gunicorn_log = log_dir / "gunicorn.log" if log_dir else None
    with moto_server(log_path=moto_log) as endpoint:
        # PynamoDB (used to create the table) reads credentials from the environment.
        with mock.patch.dict(os.environ, FAKE_CREDENTIALS):
            stack = provision(endpoint)
        app_env = stack.app_environment(cors_origins=cors_origins)
        with gunicorn_server(app_env, workers=workers, log_path=gunicorn_log) as base_url:
            yield ServerfulStack(base_url, stack, aws_client("cognito-idp", endpoint))


def serve() -> None:
    """`make serve`: gunicorn in the foreground against `make dev`'s stack."""
    state_dir = Path(os.environ.get("DEV_STATE_DIR", ".dev"))
    stack = stack_from_file(state_dir / "stack.json")
    env = environment_with(stack.app_environment(cors_origins=default_cors_origins(os.environ)))
    env.setdefault("GUNICORN_BIND", DEFAULT_SERVE_BIND)
    env.pop("AWS_LAMBDA_FUNCTION_NAME", None)
    print(
        f"serving the API with gunicorn on http://{env['GUNICORN_BIND']} (stack: {stack.endpoint})"
    )
    sys.stdout.flush()
    os.chdir(ROOT)
    command = gunicorn_command()
    os.execve(command[0], command, env)  # noqa: S606 - our own interpreter, fixed arguments


if __name__ == "__main__":
    serve()
