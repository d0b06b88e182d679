"""Run the API the serverful way on this machine: gunicorn + the WSGI shim.

`make serve` runs gunicorn against the local stack of `make dev` (it reads
``$DEV_STATE_DIR/stack.json``). The context managers start everything on free
127.0.0.1 ports for the gunicorn test runtime, `make bench-serverful` and
`make load`, and stop what they started.
"""

from __future__ import annotations

import http.client
import json
import os
import sys
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.local_stack import (  # noqa: E402 - needs the repo root on sys.path
    FAKE_CREDENTIALS,
    Stack,
    aws_client,
    background_process,
    create_user,
    environment_with,
    moto_server,
    on_free_ports,
    provision,
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
    workers: int | None = 2,
    log_path: Path | None = None,
) -> Iterator[str]:
    """gunicorn serving wsgi:application on a free port; yields its base URL."""

    @contextmanager
    def serve(port: int) -> Iterator[str]:
        base_url = f"http://127.0.0.1:{port}"
        env = environment_with({**app_environment, "GUNICORN_BIND": f"127.0.0.1:{port}"})
        if workers is not None:  # None: gunicorn.conf.py's default (2 x cores + 1)
            env["WEB_CONCURRENCY"] = str(workers)
        env.pop("AWS_LAMBDA_FUNCTION_NAME", None)  # never trust a gateway that is not there
        with background_process(
            gunicorn_command(),
            ready_url=f"{base_url}/health",
            env=env,
            cwd=ROOT,
            log_path=log_path,
            stop_timeout=30,
        ):
            yield base_url

    with on_free_ports(1, serve) as base_url:
        yield base_url


@dataclass
class ServerfulStack:
    base_url: str
    stack: Stack
    cognito: Any  # boto3 cognito-idp client bound to the moto server


@contextmanager
def serverful_stack(
    *, workers: int | None = 2, log_dir: Path | None = None, cors_origins: str = ""
) -> Iterator[ServerfulStack]:
    """A moto server with the table/pool/client, and gunicorn pointed at it."""
    moto_log = log_dir / "moto.log" if log_dir else None
    gunicorn_log = log_dir / "gunicorn.log" if log_dir else None
    with moto_server(log_path=moto_log, serialized=True) as endpoint:
        # PynamoDB (used to create the table) reads credentials from the environment.
        with mock.patch.dict(os.environ, FAKE_CREDENTIALS):
            stack = provision(endpoint)
        app_env = stack.app_environment(cors_origins=cors_origins)
        with gunicorn_server(app_env, workers=workers, log_path=gunicorn_log) as base_url:
            yield ServerfulStack(base_url, stack, aws_client("cognito-idp", endpoint))


LOAD_USER_PASSWORD = "Load-Test-Passw0rd"  # noqa: S105 - a throwaway local user


@dataclass(frozen=True)
class LocalUser:
    email: str
    id_token: str

    @property
    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.id_token}"}


def new_user(served: ServerfulStack, label: str = "load") -> LocalUser:
    """A confirmed Cognito user in the moto server, signed in (real moto tokens)."""
    email = f"{label}-{uuid.uuid4().hex[:12]}@example.com"
    tokens = create_user(served.cognito, served.stack, email, LOAD_USER_PASSWORD)
    return LocalUser(email, tokens["id_token"])


@dataclass(frozen=True)
class HttpResult:
    status: int
    headers: dict[str, str]  # lower-case names, repeated fields joined
    body: bytes
    seconds: float

    def json(self) -> Any:
        return json.loads(self.body)


class HttpClient:
    """A small HTTP/1.1 client for load: one connection per request, like the ALB
    to a sync gunicorn worker (which closes the connection after each response)."""

    def __init__(self, base_url: str, timeout: float = 30.0) -> None:
        parts = urlsplit(base_url)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"expected http://host:port, got {base_url}")
        self._host = parts.hostname
        self._port = parts.port or 80
        self._timeout = timeout

    def request(
        self,
        method: str,
        path: str,
        headers: dict[str, str] | None = None,
        json_body: Any = None,
    ) -> HttpResult:
        all_headers = dict(headers or {})
        body = None
        if json_body is not None:
            body = json.dumps(json_body).encode()
            all_headers["Content-Type"] = "application/json"
        connection = http.client.HTTPConnection(self._host, self._port, timeout=self._timeout)
        started = time.perf_counter()
        try:
            connection.request(method, path, body=body, headers=all_headers)
            response = connection.getresponse()
            data = response.read()
        finally:
            connection.close()
        elapsed = time.perf_counter() - started
        received: dict[str, str] = {}
        for name, value in response.getheaders():
            key = name.lower()
            received[key] = f"{received[key]}, {value}" if key in received else value
        return HttpResult(response.status, received, data, elapsed)


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return float("nan")
    rank = max(0, min(len(sorted_values) - 1, round(fraction * len(sorted_values)) - 1))
    return sorted_values[rank]


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
