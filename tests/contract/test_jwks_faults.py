"""The token keys (JWKS) failing, end to end, on the runtime that fetches them
over HTTP (gunicorn against the moto server; in-process runtimes are handed
the keys): a valid token is answered 200 or 503 + Retry-After, never 401."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from scripts.gunicorn_server import GunicornStack, gunicorn_server, local_moto_stack
from scripts.local_stack import aws_client
from tests.contract.runtimes.base import make_user
from tests.contract.runtimes.gunicorn_http import REQUEST_TIMEOUT_SECONDS, control_fault

# Long enough for a fetch back-off of a few seconds to pass, and no more.
RECOVERY_SECONDS = 15


@contextmanager
def stack_booted_while_keys_fail(kind: str) -> Iterator[GunicornStack]:
    """gunicorn (one worker: one key cache) started while the key endpoint fails:
    its fetch at boot fails, so the first requests must fetch again."""
    with (
        tempfile.TemporaryDirectory(prefix="jwks-faults-") as log_dir,
        local_moto_stack(Path(log_dir)) as stack,
    ):
        # The fetch at boot, and the first retry after it, fail.
        control_fault(stack, "POST", {"target": "jwks", "kind": kind, "count": 2})
        env = stack.app_environment()
        with gunicorn_server(env, workers=1, log_path=Path(log_dir) / "gunicorn.log") as server:
            yield GunicornStack(server.base_url, stack, aws_client("cognito-idp", stack.endpoint))


@pytest.mark.parametrize("kind", ["fail", "garbage"])
def test_a_failing_key_fetch_is_never_a_401_for_a_valid_token(kind: str) -> None:
    with stack_booted_while_keys_fail(kind) as fresh_stack:
        assert_503_until_the_keys_come_back(fresh_stack)


def assert_503_until_the_keys_come_back(fresh_stack: GunicornStack) -> None:
    user = make_user(fresh_stack.cognito, fresh_stack.stack)
    statuses = []
    deadline = time.monotonic() + RECOVERY_SECONDS
    while time.monotonic() < deadline:
        response = requests.get(
            f"{fresh_stack.base_url}/todos",
            headers=user.auth_headers,
            timeout=REQUEST_TIMEOUT_SECONDS,
        )
        statuses.append(response.status_code)
        if response.status_code == 200:
            break
        assert response.status_code == 503, (statuses, response.text)
        time.sleep(min(int(response.headers["Retry-After"]), 5))
    assert statuses[0] == 503 and statuses[-1] == 200, statuses
