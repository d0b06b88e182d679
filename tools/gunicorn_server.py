"""The serverful API's server (server.py: granian serving the WSGI shim): in the
foreground against `make dev`'s stack (`make serve`), or on a free 127.0.0.1 port for
tests, benchmarks and `make load`. (Named after gunicorn, which served it until issue 21.)"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tools.local_stack import (
    Stack,
    aws_client,
    background_process,
    local_cors_origins,
    moto_server,
    on_free_ports,
    provision,
)

ROOT = Path(__file__).resolve().parent.parent
SERVER = ROOT / "serverful" / "server.py"


def server_command(app_dir: Path = SERVER.parent) -> list[str]:
    """server.py of `app_dir` (run there: it serves that directory's wsgi.py)."""
    return [sys.executable, str(app_dir / SERVER.name)]


def server_environment(app_environment: Mapping[str, str], bind: str) -> dict[str, str]:
    """This process's environment plus the app's, serving on `bind`."""
    env = {**os.environ, **app_environment, "SERVER_BIND": bind}
    env.setdefault("PUBLIC_API_ORIGIN", f"http://{bind}")
    env.pop("AWS_LAMBDA_FUNCTION_NAME", None)  # never trust a gateway that is not there
    return env


@dataclass
class GunicornServer:
    base_url: str
    pid: int  # the master's


@contextmanager
def gunicorn_server(
    app_environment: Mapping[str, str],
    *,
    workers: int | None = 1,
    log_path: Path | None = None,
    app_dir: Path = SERVER.parent,
    settings: Mapping[str, str] | None = None,
) -> Iterator[GunicornServer]:
    """server.py serving `app_dir`'s wsgi.py on a free port until the block ends;
    `settings`: server.py's environment variables (SERVER_THREADS, ...)."""

    @contextmanager
    def serve(port: int) -> Iterator[GunicornServer]:
        bind = f"127.0.0.1:{port}"
        env = {**server_environment(app_environment, bind), **(settings or {})}
        if workers is not None:  # None: server.py's default (one per core)
            env["WEB_CONCURRENCY"] = str(workers)
        with background_process(
            server_command(app_dir),
            ready_url=f"http://{bind}/health",
            env=env,
            cwd=app_dir,
            log_path=log_path,
            stop_timeout=30,
        ) as process:
            yield GunicornServer(f"http://{bind}", process.pid)

    with on_free_ports(1, serve) as server:
        yield server


@dataclass
class GunicornStack:
    base_url: str
    stack: Stack
    cognito: Any  # boto3 cognito-idp client bound to the moto server


@contextmanager
def local_moto_stack(log_dir: Path | None = None) -> Iterator[Stack]:
    """A serialized moto server with the table, pool and client provisioned."""
    with moto_server(log_path=log_dir and log_dir / "moto.log") as endpoint:
        yield provision(endpoint)


@contextmanager
def gunicorn_stack(
    *, workers: int | None = 1, log_dir: Path | None = None, cors_origins: str = ""
) -> Iterator[GunicornStack]:
    """A moto server with the table/pool/client, and the server (one process of
    SERVER_THREADS threads by default) pointed at it."""
    gunicorn_log = log_dir and log_dir / "gunicorn.log"
    with local_moto_stack(log_dir) as stack:
        app_env = stack.app_environment(cors_origins=cors_origins)
        with gunicorn_server(app_env, workers=workers, log_path=gunicorn_log) as server:
            yield GunicornStack(server.base_url, stack, aws_client("cognito-idp", stack.endpoint))


def serve() -> None:
    """`make serve`: the server in the foreground against `make dev`'s stack."""
    stack = Stack.from_file(Path(os.environ.get("DEV_STATE_DIR", ".dev")) / "stack.json")
    bind = os.environ.get("SERVER_BIND", "127.0.0.1:8080")
    env = server_environment(stack.app_environment(local_cors_origins()), bind)
    print(f"serving the API with granian on http://{bind} (stack: {stack.endpoint})", flush=True)
    os.chdir(ROOT)
    command = server_command()
    os.execve(command[0], command, env)  # noqa: S606 - our own interpreter, fixed arguments


if __name__ == "__main__":
    serve()
