"""Every todo route refuses requests without a valid token for this app."""

from __future__ import annotations

import time

import pytest

from tests.contract.runtimes.base import Runtime, User
from tests.tokens import claims_for, hmac_signed, moto_public_pem, other_rsa_key, signed, unsigned

TODO_ROUTES = [
    ("GET", "/todos"),
    ("POST", "/todos"),
    ("PATCH", "/todos"),
    ("DELETE", "/todos"),
    ("GET", "/todos/01ARZ3NDEKTSV4RRFFQ69G5FAV"),
    ("PATCH", "/todos/01ARZ3NDEKTSV4RRFFQ69G5FAV"),
    ("DELETE", "/todos/01ARZ3NDEKTSV4RRFFQ69G5FAV"),
    ("POST", "/todos/01ARZ3NDEKTSV4RRFFQ69G5FAV/restore"),
]


def bad_tokens(api: Runtime) -> dict[str, str]:
    good = claims_for(api.issuer, api.client_id)
    now = int(time.time())
    return {
        "none": "",
        "garbage": "Bearer not.a.token",
        "alg-none": f"Bearer {unsigned(good)}",
        "hs256-with-public-key": f"Bearer {hmac_signed(good, moto_public_pem())}",
        "wrong-key": f"Bearer {signed(good, key=other_rsa_key())}",
        "expired": f"Bearer {signed({**good, 'exp': now - 600, 'iat': now - 4200})}",
        "wrong-issuer": f"Bearer {signed(claims_for(api.issuer + 'x', api.client_id))}",
        "wrong-client": f"Bearer {signed(claims_for(api.issuer, 'another-client'))}",
        "basic-scheme": "Basic dXNlcjpwYXNz",
    }


@pytest.mark.parametrize(("method", "path"), TODO_ROUTES)
def test_every_todo_route_requires_a_valid_token(api: Runtime, method: str, path: str) -> None:
    for name, header in bad_tokens(api).items():
        headers = {"Authorization": header} if header else {}
        response = api.request(method, path, headers=headers, json={"title": "x"})
        assert response.status == 401, (name, response.body)
        assert response.headers["WWW-Authenticate"].startswith("Bearer"), name
        assert response.json()["error"]["code"] == "unauthorized", name


def test_access_tokens_work_too(api: Runtime, alice: User) -> None:
    headers = {"Authorization": f"Bearer {alice.access_token}"}
    response = api.request("POST", "/todos", headers=headers, json={"title": "via access token"})
    if not api.accepts_access_tokens:
        # API Gateway's Cognito authorizer takes ID tokens on methods without OAuth scopes.
        assert response.status == 401
        return
    assert response.status == 201
    listed = api.request("GET", "/todos", headers=alice.auth_headers).json()
    assert [t["title"] for t in listed] == ["via access token"]


def test_identity_headers_from_the_client_are_ignored(api: Runtime, alice: User) -> None:
    # Whatever a client claims in headers, the subject comes from the verified token.
    todo = api.request("POST", "/todos", headers=alice.auth_headers, json={"title": "mine"}).json()
    spoof = {"X-Amzn-Oidc-Identity": "someone", "X-User-Id": "someone", "X-Forwarded-User": "x"}
    response = api.request("GET", "/todos", headers={**spoof})
    assert response.status == 401
    listed = api.request("GET", "/todos", headers={**alice.auth_headers, **spoof}).json()
    assert [t["id"] for t in listed] == [todo["id"]]
