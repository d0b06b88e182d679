"""No user can see or touch another user's todos, on any route."""

from __future__ import annotations

from tests.contract.runtimes.base import Runtime, User


def test_another_users_todos_are_invisible_and_untouchable(
    api: Runtime, alice: User, bob: User
) -> None:
    todo = api.request(
        "POST", "/todos", headers=alice.auth_headers, json={"title": "alice's secret"}
    ).json()
    url = todo["url"]
    bob_h = bob.auth_headers

    assert api.request("GET", "/todos", headers=bob_h).json() == []
    assert api.request("GET", "/todos?completed=false", headers=bob_h).json() == []
    for response in [
        api.request("GET", url, headers=bob_h),
        api.request("PATCH", url, headers=bob_h, json={"title": "pwned"}),
        api.request("DELETE", url, headers=bob_h),
    ]:
        assert response.status == 404
        assert response.error_code == "not_found"
    stale = api.request("PATCH", url, headers={**bob_h, "If-Match": '"1"'}, json={"title": "x"})
    assert stale.status == 404  # not 412: that would reveal the todo exists
    assert api.request("PATCH", "/todos", headers=bob_h, json={"completed": True}).json() == {
        "updated": 0,
        "more": False,
    }
    for path in ("/todos", "/todos?completed=false"):
        assert api.request("DELETE", path, headers=bob_h).json() == {"deleted": 0, "more": False}

    assert api.request("GET", url, headers=alice.auth_headers).json() == todo
    assert [t["id"] for t in api.request("GET", "/todos", headers=alice.auth_headers).json()] == [
        todo["id"]
    ]


def test_a_cursor_from_one_user_does_not_reveal_another_users_todos(
    api: Runtime, alice: User, bob: User
) -> None:
    for i in range(3):
        api.request("POST", "/todos", headers=alice.auth_headers, json={"title": f"a{i}"})
    first = api.request("GET", "/todos?limit=1", headers=alice.auth_headers)
    next_url = first.headers["Link"].split(">")[0].lstrip("<")
    assert api.request("GET", next_url, headers=bob.auth_headers).json() == []


def test_the_same_idempotency_key_is_per_user(api: Runtime, alice: User, bob: User) -> None:
    key = {"Idempotency-Key": "shared-key-123"}
    a = api.request("POST", "/todos", headers={**alice.auth_headers, **key}, json={"title": "t"})
    b = api.request("POST", "/todos", headers={**bob.auth_headers, **key}, json={"title": "t"})
    assert a.status == b.status == 201
    assert a.json()["id"] != b.json()["id"]
    assert "Idempotent-Replayed" not in b.headers
