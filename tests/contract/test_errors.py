"""Bad input: always a JSON error with the right 4xx status, never a 500,
and never a partial write."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.http import MAX_BODY_BYTES
from tests.contract.runtimes.base import Runtime, User


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status == status, response.body
    assert response.headers["Content-Type"].startswith("application/json")
    error: dict[str, Any] = response.json()["error"]
    assert error["code"] == code
    assert isinstance(error["message"], str) and error["message"]
    return error


# Each field's rules are tests/unit/test_domain.py's; here, that a rule broken over HTTP
# is a 400 naming the field and writes nothing, including for what JSON decoding yields
# (a lone surrogate escape, a decomposed title).
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "title"),
        ({"title": 42}, "title"),
        ({"title": "t", "due": "2026-13-01"}, "due"),
        ({"title": "t", "owner": "someone-else"}, "owner"),
        ({"title": "a\ud800"}, "title"),  # a lone surrogate: valid JSON, not storable
        ({"title": "t", "notes": "\udfff"}, "notes"),
        ({"title": "e\u0301" * 501}, "title"),  # 501 characters once composed (NFC)
    ],
)
def test_invalid_create_names_the_field(
    api: Runtime, alice: User, body: dict[str, Any], field: str
) -> None:
    error = assert_error(
        api.request("POST", "/todos", headers=alice.auth_headers, json=body),
        400,
        "validation_error",
    )
    assert field in error["fields"]
    assert api.request("GET", "/todos", headers=alice.auth_headers).json() == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": None}, "title"),
        ({"completed": None}, "completed"),
        ({"version": 9}, "version"),
        ({"id": "x"}, "id"),
        ({"title": "ok", "bogus": 1}, "bogus"),
        ({"notes": "\ud800"}, "notes"),
    ],
)
def test_invalid_patch_changes_nothing(
    api: Runtime, alice: User, body: dict[str, Any], field: str
) -> None:
    todo = api.request("POST", "/todos", headers=alice.auth_headers, json={"title": "t"}).json()
    error = assert_error(
        api.request("PATCH", todo["url"], headers=alice.auth_headers, json=body),
        400,
        "validation_error",
    )
    assert field in error["fields"]
    assert api.request("GET", todo["url"], headers=alice.auth_headers).json() == todo


@pytest.mark.parametrize(
    "raw",
    [b"{", b"not json", b"\xff\xfe", b'{"title": "a",}', b"", b"[1, 2", b"[" * 50_000],
    ids=["open-brace", "text", "not-utf8", "trailing-comma", "empty", "unclosed", "deep-nesting"],
)
def test_invalid_json(api: Runtime, alice: User, raw: bytes) -> None:
    headers = {**alice.auth_headers, "Content-Type": "application/json"}
    assert_error(api.request("POST", "/todos", headers=headers, body=raw), 400, "invalid_json")


def test_a_bad_bulk_patch_is_400(api: Runtime, alice: User) -> None:
    response = api.request("PATCH", "/todos", headers=alice.auth_headers, json={"completed": "yes"})
    assert_error(response, 400, "validation_error")


def test_oversized_body_is_413(api: Runtime, alice: User) -> None:
    body = b'{"title": "' + b"x" * MAX_BODY_BYTES + b'"}'
    headers = {**alice.auth_headers, "Content-Type": "application/json"}
    assert_error(
        api.request("POST", "/todos", headers=headers, body=body), 413, "payload_too_large"
    )


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
def test_a_body_not_sent_as_json_is_415(
    api: Runtime, alice: User, content_type: str | None
) -> None:
    headers = {**alice.auth_headers, **({"Content-Type": content_type} if content_type else {})}
    response = api.request("POST", "/todos", headers=headers, body=b'{"title": "t"}')
    assert_error(response, 415, "unsupported_media_type")


def test_json_with_charset_is_accepted(api: Runtime, alice: User) -> None:
    headers = {**alice.auth_headers, "Content-Type": "application/json; charset=utf-8"}
    response = api.request("POST", "/todos", headers=headers, body='{"title": "café"}'.encode())
    assert response.status == 201 and response.json()["title"] == "café"


@pytest.mark.parametrize(
    ("method", "path"),
    [("PUT", "/todos"), ("POST", "/todos/01ARZ3NDEKTSV4RRFFQ69G5FAV"), ("DELETE", "/health")],
)
def test_wrong_method_is_405_with_allow(api: Runtime, alice: User, method: str, path: str) -> None:
    response = api.request(method, path, headers=alice.auth_headers)
    assert_error(response, 405, "method_not_allowed")
    assert "GET" in response.headers["Allow"]


def test_unicode_and_edge_values_round_trip(api: Runtime, alice: User) -> None:
    body = {"title": "x" * 500, "notes": "🙂 " * 100, "order": -1_000_000_000, "due": "2024-02-29"}
    todo = api.request("POST", "/todos", headers=alice.auth_headers, json=body).json()
    assert (todo["title"], todo["notes"], todo["order"], todo["due"]) == (
        body["title"], body["notes"], body["order"], body["due"],
    )  # fmt: skip
