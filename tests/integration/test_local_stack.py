"""`make dev` for real: moto server and `chalice local` as processes, the API
driven over HTTP with tokens issued by moto's Cognito and verified against
the JWKS moto serves."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from scripts.local_stack import free_ports, stop_process
from tests.dev_stack import dev_stack
from tests.tokens import claims_for, signed, unsigned

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.integration


class LocalStack:
    def __init__(self, state_dir: Path, env: dict[str, str], process: subprocess.Popen[bytes]):
        self.state_dir = state_dir
        self.env = env
        self.process = process
        self.stack = json.loads((state_dir / "stack.json").read_text())
        self.api = self.stack["api_url"]

    def user_token(self, email: str, password: str = "Local-Passw0rd") -> str:
        result = subprocess.run(
            [sys.executable, "-m", "scripts.dev", "user", "--email", email, "--password", password],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
        )
        return result.stdout.strip()


@pytest.fixture(scope="module")
def local_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    state_dir = tmp_path_factory.mktemp("dev-state")
    with dev_stack(state_dir, cors_origins="http://127.0.0.1:5999") as running:
        yield LocalStack(running.state_dir, running.env, running.process)


def test_stack_file_describes_the_running_stack(local_stack: LocalStack) -> None:
    stack = local_stack.stack
    assert set(stack) == {
        "region", "endpoint", "table", "user_pool_id", "client_id", "issuer", "jwks_url",
        "api_url", "web_url",
    }  # fmt: skip
    assert stack["issuer"] == f"https://cognito-idp.us-east-1.amazonaws.com/{stack['user_pool_id']}"
    keys = requests.get(stack["jwks_url"], timeout=5).json()["keys"]
    assert keys and keys[0]["kty"] == "RSA"
    assert requests.get(f"{stack['api_url']}/health", timeout=5).json() == {"status": "ok"}


def test_api_over_http_with_real_cognito_tokens(local_stack: LocalStack) -> None:
    api = local_stack.api
    token = local_stack.user_token("integration@example.com")
    auth = {"Authorization": f"Bearer {token}"}
    created = requests.post(f"{api}/todos", json={"title": "over HTTP"}, headers=auth, timeout=5)
    assert created.status_code == 201
    todo = created.json()
    assert todo["url"] == f"{api}/todos/{todo['id']}" == created.headers["Location"]
    assert requests.get(todo["url"], headers=auth, timeout=5).json() == todo
    patched = requests.patch(
        todo["url"],
        json={"completed": True},
        headers={**auth, "If-Match": created.headers["ETag"]},
        timeout=5,
    )
    assert patched.status_code == 200 and patched.json()["completed"] is True
    stale = requests.patch(
        todo["url"], json={"title": "x"}, headers={**auth, "If-Match": '"1"'}, timeout=5
    )
    assert stale.status_code == 412
    other = local_stack.user_token("someone-else@example.com")
    foreign = requests.get(todo["url"], headers={"Authorization": f"Bearer {other}"}, timeout=5)
    assert foreign.status_code == 404
    assert requests.delete(todo["url"], headers=auth, timeout=5).status_code == 204
    assert requests.get(f"{api}/todos", headers=auth, timeout=5).json() == []


def test_make_user_is_idempotent(local_stack: LocalStack) -> None:
    first = local_stack.user_token("twice@example.com")
    second = local_stack.user_token("twice@example.com")
    assert first.count(".") == second.count(".") == 2


@pytest.mark.parametrize(
    "header",
    ["Bearer garbage", "Bearer a.b.c", "Basic Zm9vOmJhcg==", "Bearer"],
)
def test_malformed_tokens_are_401_not_500(local_stack: LocalStack, header: str) -> None:
    response = requests.get(
        f"{local_stack.api}/todos", headers={"Authorization": header}, timeout=5
    )
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_forged_tokens_are_rejected_over_http(local_stack: LocalStack) -> None:
    stack = local_stack.stack
    good_claims = claims_for(stack["issuer"], stack["client_id"])
    for token in [unsigned(good_claims), signed(claims_for(stack["issuer"], "other-client"))]:
        response = requests.get(
            f"{local_stack.api}/todos", headers={"Authorization": f"Bearer {token}"}, timeout=5
        )
        assert response.status_code == 401


def test_ctrl_c_stops_everything(tmp_path: Path) -> None:
    moto_port, api_port = free_ports(2)
    env = {
        **os.environ,
        "MOTO_PORT": str(moto_port),
        "API_PORT": str(api_port),
        "DEV_STATE_DIR": str(tmp_path),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "scripts.dev", "--no-web"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        assert process.stdout is not None
        for line in process.stdout:
            if b"Local stack is up" in line:
                break
        stack = json.loads((tmp_path / "stack.json").read_text())
        os.killpg(process.pid, signal.SIGINT)
        assert process.wait(timeout=20) == 0
        for url in (stack["endpoint"] + "/moto-api/", stack["api_url"] + "/health"):
            with pytest.raises(requests.ConnectionError):
                requests.get(url, timeout=2)
    finally:
        stop_process(process)
