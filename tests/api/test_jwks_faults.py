"""The token keys (JWKS) failing, end to end, on the runtime that fetches them
over HTTP (gunicorn against the moto server; in-process runtimes are handed
the keys): a valid token is answered 200 or 503 + Retry-After, never 401."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from scripts.serverful import ServerfulStack, serverful_stack

from tests.runtimes.base import make_user
from tests.runtimes.gunicorn_http import REQUEST_TIMEOUT_SECONDS, control_fault

# Long enough for a fetch back-off of a few seconds to pass, and no more.
RECOVERY_SECONDS = 15


@pytest.fixture
def fresh_stack() -> Iterator[ServerfulStack]:
    """A server that has not fetched the keys yet (one worker: one key cache)."""
    with (
        tempfile.TemporaryDirectory(prefix="jwks-faults-") as log_dir,
        serverful_stack(workers=1, log_dir=Path(log_dir)) as served,
    ):
        yield served


@pytest.mark.parametrize("kind", ["fail", "garbage"])
def test_a_failing_key_fetch_is_never_a_401_for_a_valid_token(
    fresh_stack: ServerfulStack, kind: str
) -> None:
    user = make_user(fresh_stack.cognito, fresh_stack.stack)
    control_fault(fresh_stack.stack, "POST", {"target": "jwks", "kind": kind, "count": 2})
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
