"""Absolute links (url, Location, Link) point at the configured public origin,
whatever Host or X-Forwarded-* the client sends (issue 10: no link hijacking)."""

from __future__ import annotations

from tests.contract.runtimes.base import Runtime, User

SPOOFED = {
    "Host": "evil.example.com",
    "X-Forwarded-Host": "evil.example.com",
    "X-Forwarded-Proto": "gopher",
    "Forwarded": "host=evil.example.com;proto=https",
}


def test_links_ignore_the_clients_host_and_forwarded_headers(api: Runtime, alice: User) -> None:
    headers = {**alice.auth_headers, **SPOOFED}
    created = api.request("POST", "/todos", headers=headers, json={"title": "a"})
    api.request("POST", "/todos", headers=alice.auth_headers, json={"title": "b"})
    assert created.status == 201, created.body
    todo = created.json()
    assert todo["url"] == f"{api.base_url}/todos/{todo['id']}"
    assert created.headers["Location"] == todo["url"]

    page = api.request("GET", "/todos?limit=1", headers=headers)
    assert page.status == 200, page.body
    assert page.json()[0]["url"].startswith(f"{api.base_url}/todos/")
    assert page.headers["Link"].startswith(f"<{api.base_url}/todos?")
