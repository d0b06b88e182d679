"""`make dev` sets the public API origin: links point at the API's own address,
not at whatever Host a client sends (issue 10)."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from scripts.local_stack import Stack, aws_client, new_user
from tests import dev_stack

pytestmark = pytest.mark.integration


def test_links_from_make_dev_point_at_its_api(tmp_path: Path) -> None:
    with dev_stack.dev_stack(tmp_path, cors_origins="http://127.0.0.1:5999") as running:
        info = running.info
        stack = Stack(**info)
        user = new_user(aws_client("cognito-idp", stack.endpoint), stack, "links")
        created = requests.post(
            f"{info['api_url']}/todos",
            json={"title": "x"},
            headers={**user.auth_headers, "Host": "evil.example.com"},
            timeout=30,
        )
    assert created.status_code == 201, created.text
    assert created.json()["url"].startswith(f"{info['api_url']}/todos/")
    assert created.headers["Location"] == created.json()["url"]
