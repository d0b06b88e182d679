"""Optimistic locking (ETag / If-Match) and idempotent creation, one client at a
time and many at once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from tests.contract.runtimes.base import UNSET, ApiResponse, Runtime, User


def test_stale_if_match_is_412_and_changes_nothing(api: Runtime, alice: User) -> None:
    created = api.request("POST", "/todos", headers=alice.auth_headers, json={"title": "v1"})
    url, etag = created.json()["url"], created.headers["ETag"]
    ok = api.request(
        "PATCH", url, headers={**alice.auth_headers, "If-Match": etag}, json={"title": "v2"}
    )
    assert ok.status == 200 and ok.headers["ETag"] == '"2"'
    stale = api.request(
        "PATCH", url, headers={**alice.auth_headers, "If-Match": etag}, json={"title": "lost"}
    )
    assert stale.status == 412
    assert stale.error_code == "precondition_failed"
    stale_delete = api.request("DELETE", url, headers={**alice.auth_headers, "If-Match": etag})
    assert stale_delete.status == 412
    current = api.request("GET", url, headers=alice.auth_headers).json()
    assert (current["title"], current["version"]) == ("v2", 2)
    deleted = api.request("DELETE", url, headers={**alice.auth_headers, "If-Match": '"2"'})
    assert deleted.status == 204


def test_if_match_star_matches_and_weak_etags_never_do(api: Runtime, alice: User) -> None:
    url = api.request("POST", "/todos", headers=alice.auth_headers, json={"title": "t"}).json()[
        "url"
    ]
    star = api.request(
        "PATCH", url, headers={**alice.auth_headers, "If-Match": "*"}, json={"order": 1}
    )
    assert star.status == 200
    # RFC 9110: If-Match uses the strong comparison, so even the current tag, weak, fails.
    for method, body in (("PATCH", {"order": 2}), ("DELETE", UNSET)):
        weak = api.request(
            method, url, headers={**alice.auth_headers, "If-Match": 'W/"2"'}, json=body
        )
        assert weak.status == 412 and weak.error_code == "precondition_failed"
    current = api.request("GET", url, headers=alice.auth_headers).json()
    assert (current["order"], current["version"]) == (1, 2)


def test_a_malformed_if_match_or_idempotency_key_is_400(api: Runtime, alice: User) -> None:
    url = api.request("POST", "/todos", headers=alice.auth_headers, json={"title": "t"}).json()[
        "url"
    ]
    for method, path, header in (
        ("PATCH", url, {"If-Match": "version-1"}),
        ("POST", "/todos", {"Idempotency-Key": "k" * 256}),
    ):
        response = api.request(
            method, path, headers={**alice.auth_headers, **header}, json={"title": "u"}
        )
        assert response.status == 400, response.body
        assert response.json()["error"]["fields"] == dict.fromkeys(header, "invalid")
    assert len(api.request("GET", "/todos", headers=alice.auth_headers).json()) == 1


def test_idempotency_key_returns_the_original_and_never_duplicates(
    api: Runtime, alice: User
) -> None:
    headers = {**alice.auth_headers, "Idempotency-Key": "create-milk-1"}
    first = api.request("POST", "/todos", headers=headers, json={"title": "milk"})
    assert first.status == 201 and "Idempotent-Replayed" not in first.headers
    # The todo changes after creation; a retry answers it as it is now, with its ETag.
    changed = api.request(
        "PATCH", first.json()["url"], headers=alice.auth_headers, json={"title": "oat milk"}
    )
    for _ in range(3):
        retry = api.request("POST", "/todos", headers=headers, json={"title": "milk"})
        assert retry.status == 201
        assert retry.json() == changed.json()
        assert retry.headers["ETag"] == changed.headers["ETag"] == '"2"'
        assert retry.headers["Location"] == first.headers["Location"]
        assert retry.headers["Idempotent-Replayed"] == "true"
    listed = api.request("GET", "/todos", headers=alice.auth_headers).json()
    assert len(listed) == 1


def test_idempotency_key_reused_with_another_body_is_rejected(api: Runtime, alice: User) -> None:
    headers = {**alice.auth_headers, "Idempotency-Key": "k-2"}
    assert api.request("POST", "/todos", headers=headers, json={"title": "a"}).status == 201
    other = api.request("POST", "/todos", headers=headers, json={"title": "b"})
    assert other.status == 422
    assert other.error_code == "idempotency_key_reused"
    assert len(api.request("GET", "/todos", headers=alice.auth_headers).json()) == 1


def test_an_invalid_body_does_not_use_up_the_key(api: Runtime, alice: User) -> None:
    headers = {**alice.auth_headers, "Idempotency-Key": "k-3"}
    assert api.request("POST", "/todos", headers=headers, json={"title": ""}).status == 400
    assert api.request("POST", "/todos", headers=headers, json={"title": "ok"}).status == 201


def at_once[T](count: int, send: Callable[[int], T]) -> list[T]:
    """`count` requests released together from as many threads."""
    start = threading.Barrier(count)

    def released(i: int) -> T:
        start.wait()
        return send(i)

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(released, range(count)))


def test_one_idempotency_key_from_8_clients_at_once_makes_one_todo(
    api: Runtime, alice: User
) -> None:
    headers = {**alice.auth_headers, "Idempotency-Key": "race-8"}
    responses = at_once(
        8, lambda _: api.request("POST", "/todos", headers=headers, json={"title": "race"})
    )
    statuses = sorted(r.status for r in responses)
    assert set(statuses) <= {200, 201, 409}, statuses
    answered = [r for r in responses if r.status in (200, 201)]
    assert len({r.json()["id"] for r in answered}) == 1, statuses
    assert sum("Idempotent-Replayed" not in r.headers for r in answered) == 1
    assert all(r.error_code == "idempotency_key_in_use" for r in responses if r.status == 409)
    listed = api.request("GET", "/todos", headers=alice.auth_headers).json()
    assert [t["id"] for t in listed] == [answered[0].json()["id"]]


def test_20_patches_with_one_if_match_exactly_one_wins(api: Runtime, alice: User) -> None:
    created = api.request("POST", "/todos", headers=alice.auth_headers, json={"title": "v1"})
    url, etag = created.json()["url"], created.headers["ETag"]
    headers = {**alice.auth_headers, "If-Match": etag}
    responses = at_once(
        20, lambda i: api.request("PATCH", url, headers=headers, json={"title": f"writer {i}"})
    )
    statuses = sorted(r.status for r in responses)
    assert statuses == [200] + [412] * 19, statuses
    winner = next(r for r in responses if r.status == 200).json()
    assert api.request("GET", url, headers=alice.auth_headers).json() == winner
    assert winner["version"] == 2


def test_users_at_once_each_see_only_their_own(api: Runtime) -> None:
    # 4 users, 24 requests released together: each create answers its own body, and
    # each list holds its own user's todos only (on gunicorn: several threads of one
    # process, each request waiting on DynamoDB while the others run).
    users = [api.new_user() for _ in range(4)]
    for n, user in enumerate(users):
        api.request("POST", "/todos", headers=user.auth_headers, json={"title": f"seed {n}"})

    def send(i: int) -> tuple[int, int, ApiResponse]:
        n = (i // 2) % len(users)  # each user: a create and a list, 3 times
        headers = users[n].auth_headers
        if i % 2:
            return n, i, api.request("GET", "/todos", headers=headers)
        return n, i, api.request("POST", "/todos", headers=headers, json={"title": f"{n}: {i}"})

    for n, i, response in at_once(24, send):
        if i % 2 == 0:
            assert response.status == 201, response.body
            assert response.json()["title"] == f"{n}: {i}"
        else:
            assert response.status == 200, response.body
            titles = [todo["title"] for todo in response.json()]
            assert f"seed {n}" in titles
            assert all(t == f"seed {n}" or t.startswith(f"{n}: ") for t in titles), titles
    for n, user in enumerate(users):
        listed = api.request("GET", "/todos", headers=user.auth_headers).json()
        created = {f"{n}: {i}" for i in range(0, 24, 2) if (i // 2) % len(users) == n}
        assert {todo["title"] for todo in listed} == {f"seed {n}"} | created
