"""Listing pages: Link headers, cursors and limits."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.contract.runtimes.base import Runtime, User

LINK = re.compile(r'^<([^>]+)>; rel="next"$')


def follow(api: Runtime, user: User, first: str) -> tuple[list[str], int]:
    ids: list[str] = []
    url: str | None = first
    pages = 0
    while url:
        response = api.request("GET", url, headers=user.auth_headers)
        assert response.status == 200, response.body
        pages += 1
        ids.extend(t["id"] for t in response.json())
        link = response.headers.get("Link")
        if link is None:
            url = None
        else:
            match = LINK.match(link)
            assert match, link
            url = match[1]
            assert url.startswith(api.base_url + "/todos?")
    return ids, pages


def test_paging_30_todos_with_limit_7_yields_each_exactly_once(api: Runtime, alice: User) -> None:
    created = []
    for i in range(30):
        response = api.request(
            "POST", "/todos", headers=alice.auth_headers, json={"title": f"t{i}", "order": i % 9}
        )
        created.append(response.json())
    expected = [t["id"] for t in sorted(created, key=lambda t: (t["order"], t["id"]))]
    ids, pages = follow(api, alice, "/todos?limit=7")
    assert ids == expected
    assert pages == 5  # no empty trailing page


def test_default_page_is_100_and_the_link_keeps_the_filter(api: Runtime, alice: User) -> None:
    for i in range(103):
        api.request(
            "POST", "/todos", headers=alice.auth_headers, json={"title": f"t{i}", "completed": True}
        )
    response = api.request("GET", "/todos?completed=true", headers=alice.auth_headers)
    assert len(response.json()) == 100
    match = LINK.match(response.headers["Link"])
    assert match
    query = parse_qs(urlsplit(match[1]).query)
    assert query["completed"] == ["true"] and "cursor" in query
    ids, _ = follow(api, alice, "/todos?completed=true")
    assert len(ids) == len(set(ids)) == 103


def test_no_link_on_the_last_page(api: Runtime, alice: User) -> None:
    for i in range(3):
        api.request("POST", "/todos", headers=alice.auth_headers, json={"title": f"t{i}"})
    response = api.request("GET", "/todos?limit=3", headers=alice.auth_headers)
    assert len(response.json()) == 3
    assert "Link" not in response.headers


@pytest.mark.parametrize("limit", ["0", "1001", "-1", "abc", "1.5", "", "99999"])
def test_bad_limit(api: Runtime, alice: User, limit: str) -> None:
    response = api.request("GET", f"/todos?limit={limit}", headers=alice.auth_headers)
    assert response.status == 400
    assert response.json()["error"]["fields"] == {"limit": "invalid"}


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage!",
        "Zm9v",
        "",
        "MTox",
        "99999999999.01ARZ3NDEKTSV4RRFFQ69G5FAV",
        "1.01ARZ3NDEKTSV4RRFFQ69G5FAV%00",
    ],
)
def test_bad_cursor(api: Runtime, alice: User, cursor: str) -> None:
    response = api.request("GET", f"/todos?cursor={cursor}", headers=alice.auth_headers)
    assert response.status == 400
    assert response.json()["error"]["fields"] == {"cursor": "invalid"}


@pytest.mark.parametrize("query", ["completed=yes", "completed=1", "completed=True"])
def test_bad_completed_filter(api: Runtime, alice: User, query: str) -> None:
    response = api.request("GET", f"/todos?{query}", headers=alice.auth_headers)
    assert response.status == 400
    assert response.json()["error"]["fields"] == {"completed": "invalid"}


def test_unknown_and_repeated_query_parameters(api: Runtime, alice: User) -> None:
    unknown = api.request("GET", "/todos?complete=true", headers=alice.auth_headers)
    assert unknown.status == 400
    assert unknown.json()["error"]["fields"] == {"complete": "unknown query parameter"}
    repeated = api.request("GET", "/todos?limit=1&limit=2", headers=alice.auth_headers)
    assert repeated.status == 400
    assert repeated.json()["error"]["fields"] == {"limit": "give it once"}
