"""openapi.yaml documents exactly the API the app serves."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from openapi_spec_validator import validate

import app as app_module
from chalicelib.domain import NOTES_MAX_LENGTH, PRIORITIES, TITLE_MAX_LENGTH
from chalicelib.http import MAX_BODY_BYTES
from chalicelib.service import LIMIT_DEFAULT, LIMIT_MAX

SPEC_PATH = Path(__file__).resolve().parent.parent / "openapi.yaml"
HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def spec() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text())
    return loaded


def test_spec_is_valid_openapi() -> None:
    validate(spec())


def test_spec_and_app_have_the_same_routes() -> None:
    documented = {
        (path, method.upper())
        for path, item in spec()["paths"].items()
        for method in item
        if method in HTTP_METHODS
    }
    served = {
        (path, method) for path, methods in app_module.app.routes.items() for method in methods
    }
    assert documented - served == set(), "documented but not served"
    assert served - documented == set(), "served but not documented"


def test_only_health_readiness_and_preflight_are_open() -> None:
    document = spec()
    assert document["security"] == [{"cognito": []}]
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method not in HTTP_METHODS:
                continue
            is_open = operation.get("security") == []
            assert is_open == (path in ("/health", "/ready") or method == "options"), (path, method)


def test_documented_limits_match_the_code() -> None:
    schemas = spec()["components"]["schemas"]
    assert schemas["TodoCreate"]["properties"]["title"]["maxLength"] == TITLE_MAX_LENGTH
    assert schemas["Todo"]["properties"]["notes"]["maxLength"] == NOTES_MAX_LENGTH
    assert schemas["Priority"]["enum"] == list(PRIORITIES)
    limit = spec()["paths"]["/todos"]["get"]["parameters"][1]["schema"]
    assert (limit["maximum"], limit["default"]) == (LIMIT_MAX, LIMIT_DEFAULT)
    assert str(MAX_BODY_BYTES) in spec()["info"]["description"]
