"""API Gateway's CORS answer (infra/modules/api) must match the app's own."""

from __future__ import annotations

import re

from chalicelib import http
from tools.deploy_serverful import TERRAFORM_DIR


def _hcl_list(block: str, name: str) -> set[str]:
    match = re.search(rf"^\s*{name}\s*=\s*\[([^\]]*)\]", block, re.MULTILINE)
    assert match, f"{name} not found in cors_configuration"
    return {item.lower() for item in re.findall(r'"([^"]+)"', match.group(1))}


def _header_set(value: str) -> set[str]:
    return {item.strip().lower() for item in value.split(",") if item.strip()}


def test_gateway_cors_configuration_mirrors_the_app() -> None:
    source = (TERRAFORM_DIR / "modules" / "api" / "main.tf").read_text()
    block = source[source.index("cors_configuration {") :]
    block = block[: block.index("\n  }")]

    assert _hcl_list(block, "allow_methods") == _header_set(http.CORS_ALLOW_METHODS)
    assert _hcl_list(block, "allow_headers") == _header_set(http.CORS_ALLOW_HEADERS)
    assert _hcl_list(block, "expose_headers") == _header_set(http.CORS_EXPOSE_HEADERS)
    max_age = re.search(r"max_age\s*=\s*(\d+)", block)
    assert max_age and max_age.group(1) == http.CORS_MAX_AGE_SECONDS
