"""openapi.yaml documents exactly the API the app serves."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import yaml
from openapi_spec_validator import validate

import app as app_module
from chalicelib.domain import (
    BULK_LIMIT,
    NOTES_MAX_LENGTH,
    ORDER_MAX,
    ORDER_MIN,
    PRIORITIES,
    TITLE_MAX_LENGTH,
    TITLE_PATTERN,
    TODO_QUOTA,
)
from chalicelib.errors import ValidationError
from chalicelib.http import MAX_BODY_BYTES, expected_version
from chalicelib.repository import Position
from chalicelib.service import (
    CURSOR_PATTERN,
    LIMIT_DEFAULT,
    LIMIT_MAX,
    decode_cursor,
    encode_cursor,
)

SPEC_PATH = Path(__file__).resolve().parents[2] / "api" / "openapi.yaml"
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
    document, text = spec(), SPEC_PATH.read_text()
    schemas = document["components"]["schemas"]
    assert schemas["TodoCreate"]["properties"]["title"]["maxLength"] == TITLE_MAX_LENGTH
    assert schemas["Todo"]["properties"]["notes"]["maxLength"] == NOTES_MAX_LENGTH
    assert schemas["Priority"]["enum"] == list(PRIORITIES)
    limit = document["paths"]["/todos"]["get"]["parameters"][1]["schema"]
    assert (limit["maximum"], limit["default"]) == (LIMIT_MAX, LIMIT_DEFAULT)
    assert str(MAX_BODY_BYTES) in document["info"]["description"]
    assert f"at most {TODO_QUOTA} todos" in text
    assert f"changes at\n    most {BULK_LIMIT} todos" in text
    for method, count in (("patch", "updated"), ("delete", "deleted")):
        answer = document["paths"]["/todos"][method]["responses"]["200"]
        assert answer["content"]["application/json"]["schema"]["properties"][count]["maximum"] == (
            BULK_LIMIT
        )


@pytest.mark.parametrize(
    "value", ["", " ", "*", '"3"', 'W/"3"', "3", '"3", "4"', '"x"', 'w/"3"', '"' + "9" * 19 + '"']
)
def test_the_if_match_schema_is_what_the_app_accepts(value: str) -> None:
    pattern = spec()["components"]["parameters"]["IfMatch"]["schema"]["pattern"]
    request = SimpleNamespace(headers={"if-match": value})
    try:
        expected_version(request)  # type: ignore[arg-type]
        accepted = True  # a weak tag too: understood, and never matching (412)
    except ValidationError:
        accepted = False
    assert bool(re.match(pattern, value)) == accepted


def test_the_cursor_and_title_schemas_are_the_apps_own_patterns() -> None:
    """One definition each: the app's patterns (chalicelib.service, chalicelib.domain,
    whose tests check them against the parsers) are the spec's."""
    document = spec()
    assert document["paths"]["/todos"]["get"]["parameters"][2]["schema"]["pattern"] == (
        CURSOR_PATTERN
    )
    for position in (Position(ORDER_MIN, "7" + "Z" * 25), Position(ORDER_MAX, "0" * 26)):
        assert decode_cursor(encode_cursor(position)) == position
    for name in ("TodoCreate", "TodoPatch"):
        assert document["components"]["schemas"][name]["properties"]["title"]["pattern"] == (
            TITLE_PATTERN
        ), name
