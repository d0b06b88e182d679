"""CORS for configured origins on every response, errors included."""

from __future__ import annotations

from tests.contract.runtimes.base import Runtime, User
from tests.contract.runtimes.inprocess import CORS_ORIGIN


def test_allowed_origin_on_success_and_error(api: Runtime, alice: User) -> None:
    origin = {"Origin": CORS_ORIGIN}
    responses = [
        api.request(
            "POST", "/todos", headers={**alice.auth_headers, **origin}, json={"title": "t"}
        ),
        api.request("GET", "/todos", headers=origin),  # 401
        api.request("POST", "/todos", headers={**alice.auth_headers, **origin}, json={}),  # 400
        api.request("PUT", "/todos", headers=origin),  # 405
        api.request("GET", "/health", headers=origin),
    ]
    for response in responses:
        assert response.headers["Access-Control-Allow-Origin"] == CORS_ORIGIN, response.status
        exposed = response.headers["Access-Control-Expose-Headers"]
        assert {"ETag", "Link", "Location"} <= {h.strip() for h in exposed.split(",")}
        assert "Origin" in response.headers["Vary"]


def test_other_origins_get_no_cors_headers(api: Runtime, alice: User) -> None:
    response = api.request(
        "GET", "/todos", headers={**alice.auth_headers, "Origin": "https://evil.example.com"}
    )
    assert response.status == 200
    assert "Access-Control-Allow-Origin" not in response.headers
    assert response.headers["Vary"] == "Origin"


def test_preflight_needs_no_token(api: Runtime) -> None:
    for path in ("/todos", "/todos/01ARZ3NDEKTSV4RRFFQ69G5FAV", "/health"):
        response = api.request(
            "OPTIONS",
            path,
            headers={
                "Origin": CORS_ORIGIN,
                "Access-Control-Request-Method": "PATCH",
                "Access-Control-Request-Headers": "authorization,content-type,if-match",
            },
        )
        assert response.status == 204, path
        assert response.headers["Access-Control-Allow-Origin"] == CORS_ORIGIN
        assert "PATCH" in response.headers["Access-Control-Allow-Methods"]
        allowed = response.headers["Access-Control-Allow-Headers"].lower()
        assert {"authorization", "content-type", "if-match", "idempotency-key"} <= {
            h.strip() for h in allowed.split(",")
        }
