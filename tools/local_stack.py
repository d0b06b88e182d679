"""The local stand-in for AWS (a moto server, the table, user pool and app client,
signed-in users) and how every local server is started, awaited and stopped."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
import warnings
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any
from unittest import mock

import boto3

from chalicelib.config import DEFAULT_TABLE_NAME, cognito_issuer
from tools.shared_rules import PASSWORD_POLICY  # the production pools' policy

ROOT = Path(__file__).resolve().parent.parent
# Starts of a server on free ports before giving up (see on_free_ports).
START_ATTEMPTS = 2
REGION = "us-east-1"
USER_POOL_NAME = "todo-local"
APP_CLIENT_NAME = "todo-web"
FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
}
THROWAWAY_PASSWORD = "Load-Test-Passw0rd"  # noqa: S105 - throwaway local users


@dataclass(frozen=True)
class Stack:
    """What `make dev` writes to .dev/stack.json."""

    region: str
    endpoint: str | None
    table: str
    user_pool_id: str
    client_id: str
    issuer: str
    jwks_url: str
    api_url: str = ""
    web_url: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_file(cls, path: Path) -> Stack:
        """The stack `make dev` runs, from its stack.json."""
        if not path.exists():
            raise SystemExit(
                f"{path} not found: start the local stack first with `make dev` "
                "(or point DEV_STATE_DIR at its state directory)"
            )
        data = json.loads(path.read_text())
        return cls(**{field.name: data[field.name] for field in fields(cls) if field.name in data})

    def app_environment(self, cors_origins: str = "") -> dict[str, str]:
        """The environment chalicelib.config reads, pointed at this stack."""
        env = {
            "AWS_REGION": self.region,
            "AWS_DEFAULT_REGION": self.region,
            "TABLE_NAME": self.table,
            "COGNITO_USER_POOL_ID": self.user_pool_id,
            "COGNITO_APP_CLIENT_ID": self.client_id,
            "COGNITO_ISSUER": self.issuer,
            "COGNITO_JWKS_URL": self.jwks_url,
            "CORS_ORIGINS": cors_origins,
            **FAKE_CREDENTIALS,
        }
        if self.endpoint:
            env["DYNAMODB_ENDPOINT"] = self.endpoint
        return env


def local_cors_origins() -> str:
    """CORS_ORIGINS, by default the local web app's (`make dev`'s WEB_PORT) origins."""
    web_port = os.environ.get("WEB_PORT", "5173")
    return (
        os.environ.get("CORS_ORIGINS") or f"http://127.0.0.1:{web_port},http://localhost:{web_port}"
    )


def free_port() -> int:
    return free_ports(1)[0]


def free_ports(count: int) -> list[int]:
    """`count` distinct ports free on 127.0.0.1 now (all held while choosing, so
    no two are the same)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [int(sock.getsockname()[1]) for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


class ServerDidNotStart(RuntimeError):
    """A server process exited, or did not answer in time, while starting."""


# Often: a server's start is timed by when it first answers (`make bench-serverful`'s
# start-up), and a refused connection costs microseconds.
READY_POLL_SECONDS = 0.01


def wait_for_http(
    url: str, timeout: float = 30.0, process: subprocess.Popen[Any] | None = None
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise ServerDidNotStart(f"process for {url} exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(READY_POLL_SECONDS)
    raise ServerDidNotStart(f"{url} did not answer within {timeout:.0f}s")


def stop_process(process: subprocess.Popen[Any], timeout: float = 10.0) -> None:
    """Stop a process we started (and its children, via its process group)."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@contextmanager
def background_process(
    command: list[str],
    *,
    ready_url: str,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    log_path: Path | None = None,
    show_output: bool = False,
    start_timeout: float = 30.0,
    stop_timeout: float = 10.0,
) -> Iterator[subprocess.Popen[bytes]]:
    """Run a server process until the block ends; ready once `ready_url` answers.
    Its output goes to `log_path`, to this terminal with `show_output`, else nowhere."""
    if log_path:
        log_path.parent.mkdir(parents=True, exist_ok=True)
    log = open(log_path, "ab") if log_path else None  # noqa: SIM115
    process = subprocess.Popen(
        command,
        cwd=cwd,
        env=None if env is None else dict(env),
        stdout=log or (None if show_output else subprocess.DEVNULL),
        stderr=subprocess.STDOUT if log or not show_output else None,
        start_new_session=True,  # its own group: stopping it stops its children
    )
    try:
        wait_for_http(ready_url, timeout=start_timeout, process=process)
        yield process
    finally:
        stop_process(process, timeout=stop_timeout)
        if log:
            log.close()


@contextmanager
def moto_server(port: int | None = None, log_path: Path | None = None) -> Iterator[str]:
    """The local stack's moto server (run_serialized_moto) on 127.0.0.1, as a process;
    yields its endpoint URL."""

    @contextmanager
    def serve(port: int) -> Iterator[str]:
        endpoint = f"http://127.0.0.1:{port}"
        command = [sys.executable, "-m", "tools.local_stack", "serialized-moto", str(port)]
        ready_url = f"{endpoint}/moto-api/"
        with background_process(command, ready_url=ready_url, cwd=ROOT, log_path=log_path):
            yield endpoint

    with serve(port) if port else on_free_ports(1, serve) as endpoint:
        yield endpoint


@contextmanager
def on_free_ports[T](count: int, serve: Callable[..., AbstractContextManager[T]]) -> Iterator[T]:
    """`serve(*ports)` on `count` ports free now; on other ports once more if it does not
    start, as another process may take a free port before the server binds it. A retry
    is a warning; a second failure raises with both attempts' reasons."""
    failures: list[str] = []
    for attempt in range(1, START_ATTEMPTS + 1):
        with ExitStack() as running:
            try:
                served = running.enter_context(serve(*free_ports(count)))
            except ServerDidNotStart as error:
                failures.append(f"attempt {attempt}: {error}")
                if attempt < START_ATTEMPTS:
                    warnings.warn(f"a server did not start, retrying: {failures[-1]}", stacklevel=3)
                continue
            yield served
            return
    raise ServerDidNotStart("\n".join(failures))


def run_serialized_moto(port: int) -> None:
    """moto server on 127.0.0.1:port, answering one request at a time: moto's DynamoDB
    is not thread-safe (TransactWriteItems deep-copies a table other threads write to,
    now and then a 500 "dictionary changed size during iteration"); AWS has no such bug."""
    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from werkzeug.serving import run_simple

    from tools import local_dynamodb
    from tools.local_cognito import CognitoGaps
    from tools.local_faults import FaultInjection

    os.environ.setdefault("MOTO_PORT", str(port))
    local_dynamodb.install()
    moto_app = CognitoGaps(DomainDispatcherApplication(create_backend_app))
    one_at_a_time = threading.Lock()

    def serialized(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        with one_at_a_time:
            return list(moto_app(environ, start_response))

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    # Faults (tools/local_faults.py) sit outside the lock: a delayed request holds up no other.
    served = FaultInjection(serialized)
    run_simple("127.0.0.1", port, served, threaded=True, request_handler=MotoRequestHandler)


def aws_client(service: str, endpoint: str | None, region: str = REGION) -> Any:
    kwargs: dict[str, Any] = {"region_name": region}
    if endpoint:
        kwargs["endpoint_url"] = endpoint
        kwargs.update(
            aws_access_key_id=FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        )
    return boto3.client(service, **kwargs)


def provision(endpoint: str | None) -> Stack:
    """Create (or find) the table, user pool and app client in moto: at `endpoint`, or
    in-process (`moto.mock_aws`) if None. Idempotent."""
    from chalicelib.dynamo import bind_models, create_table

    bind_models(DEFAULT_TABLE_NAME, REGION, endpoint)
    # PynamoDB reads credentials from the environment; moto's server takes any.
    with mock.patch.dict(os.environ, FAKE_CREDENTIALS if endpoint else {}):
        create_table()
    cognito = aws_client("cognito-idp", endpoint)
    pool_id = _find_or_create_pool(cognito)
    client_id = _find_or_create_client(cognito, pool_id)
    issuer = cognito_issuer(REGION, pool_id)
    # moto serves the pool's keys under its own host; AWS under the issuer.
    jwks_base = endpoint or issuer.rsplit("/", 1)[0]
    return Stack(
        region=REGION,
        endpoint=endpoint,
        table=DEFAULT_TABLE_NAME,
        user_pool_id=pool_id,
        client_id=client_id,
        issuer=issuer,
        jwks_url=f"{jwks_base}/{pool_id}/.well-known/jwks.json",
    )


def _find_or_create_pool(cognito: Any) -> str:
    for pool in cognito.list_user_pools(MaxResults=60)["UserPools"]:
        if pool["Name"] == USER_POOL_NAME:
            return str(pool["Id"])
    created = cognito.create_user_pool(
        PoolName=USER_POOL_NAME,
        UsernameAttributes=["email"],
        AutoVerifiedAttributes=["email"],
        Policies={"PasswordPolicy": PASSWORD_POLICY},
    )
    return str(created["UserPool"]["Id"])


def _find_or_create_client(cognito: Any, pool_id: str) -> str:
    clients = cognito.list_user_pool_clients(UserPoolId=pool_id, MaxResults=60)
    for client in clients["UserPoolClients"]:
        if client["ClientName"] == APP_CLIENT_NAME:
            return str(client["ClientId"])
    created = cognito.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName=APP_CLIENT_NAME,
        GenerateSecret=False,
        ExplicitAuthFlows=[
            "ALLOW_USER_SRP_AUTH",
            "ALLOW_USER_PASSWORD_AUTH",
            "ALLOW_REFRESH_TOKEN_AUTH",
        ],
    )
    return str(created["UserPoolClient"]["ClientId"])


def create_user(cognito: Any, stack: Stack, email: str, password: str) -> dict[str, str]:
    """Sign up and confirm a user (idempotent), then sign in; returns the tokens."""
    try:
        cognito.sign_up(ClientId=stack.client_id, Username=email, Password=password)
    except cognito.exceptions.UsernameExistsException:
        pass
    else:
        cognito.admin_confirm_sign_up(UserPoolId=stack.user_pool_id, Username=email)
    result = cognito.initiate_auth(
        ClientId=stack.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": password},
    )["AuthenticationResult"]
    return {
        "id_token": result["IdToken"],
        "access_token": result["AccessToken"],
        "refresh_token": result.get("RefreshToken", ""),
    }


@dataclass(frozen=True)
class LocalUser:
    email: str
    id_token: str

    @property
    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.id_token}"}


def new_user(cognito: Any, stack: Stack, label: str = "load") -> LocalUser:
    """A throwaway confirmed user in the stack's pool, signed in."""
    email = f"{label}-{uuid.uuid4().hex[:12]}@example.com"
    return LocalUser(email, create_user(cognito, stack, email, THROWAWAY_PASSWORD)["id_token"])


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "serialized-moto":
        sys.exit("usage: local_stack.py serialized-moto PORT")
    run_serialized_moto(int(sys.argv[2]))
