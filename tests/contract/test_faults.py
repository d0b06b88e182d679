"""DynamoDB failing, end to end, on every runtime (tools/local_faults.py):
each fault ends in a correct result or 503 + Retry-After, never a 500, and
never a lost or duplicated todo (the list is checked afterwards)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.contract.runtimes.base import ApiResponse, Runtime, User

PERSISTENT = 20  # more failures than any retry budget in the app


@pytest.fixture(autouse=True)
def no_faults_left(api: Runtime) -> Iterator[None]:
    api.clear_faults()
    yield
    api.clear_faults()


def titles(api: Runtime, user: User) -> list[str]:
    response = api.request("GET", "/todos", headers=user.auth_headers)
    assert response.status == 200, response.body
    return sorted(todo["title"] for todo in response.json())


def assert_unavailable(response: ApiResponse) -> None:
    assert response.status == 503, response.body
    assert int(response.headers["Retry-After"]) >= 1
    assert response.error_code == "service_unavailable"


def create(api: Runtime, user: User, title: str, **headers: str) -> ApiResponse:
    return api.request(
        "POST", "/todos", headers={**user.auth_headers, **headers}, json={"title": title}
    )


@pytest.mark.parametrize("kind", ["throttle", "5xx", "transaction_conflict", "delay"])
def test_one_failed_write_is_retried_to_one_todo(api: Runtime, alice: User, kind: str) -> None:
    fault: dict[str, Any] = {"seconds": 2.5} if kind == "delay" else {}
    api.inject_fault(target="dynamodb", kind=kind, operation="TransactWriteItems", **fault)
    assert create(api, alice, "once").status == 201
    assert titles(api, alice) == ["once"]


@pytest.mark.parametrize("kind", ["throttle", "5xx", "transaction_conflict"])
def test_a_lasting_outage_is_503_and_a_retry_with_the_key_creates_one(
    api: Runtime, alice: User, kind: str
) -> None:
    api.inject_fault(target="dynamodb", kind=kind, count=PERSISTENT)
    key = {"Idempotency-Key": f"outage-{kind}"}
    if kind == "transaction_conflict":
        # The key's record is what conflicts: another request with it may be in flight.
        racing = create(api, alice, "kept", **key)
        assert racing.status == 409 and racing.error_code == "idempotency_key_in_use"
        assert_unavailable(create(api, alice, "other"))
    else:
        assert_unavailable(create(api, alice, "kept", **key))
        assert_unavailable(api.request("GET", "/todos", headers=alice.auth_headers))
    api.clear_faults()
    assert titles(api, alice) == []
    assert create(api, alice, "kept", **key).status == 201
    assert create(api, alice, "kept", **key).headers["Idempotent-Replayed"] == "true"
    assert titles(api, alice) == ["kept"]


def test_single_todo_operations_under_an_outage_are_503_and_change_nothing(
    api: Runtime, alice: User
) -> None:
    todo = create(api, alice, "stay").json()
    api.inject_fault(target="dynamodb", kind="5xx", count=PERSISTENT)
    for method, body in (("GET", None), ("PATCH", {"title": "changed"}), ("DELETE", None)):
        kwargs: dict[str, Any] = {"json": body} if body else {}
        assert_unavailable(api.request(method, todo["url"], headers=alice.auth_headers, **kwargs))
    api.clear_faults()
    assert api.request("GET", todo["url"], headers=alice.auth_headers).json() == todo


def test_bulk_writes_under_faults_end_complete_or_503_then_complete(
    api: Runtime, alice: User
) -> None:
    for i in range(5):
        create(api, alice, f"done {i}")
    create(api, alice, "open")
    api.request("PATCH", "/todos", headers=alice.auth_headers, json={"completed": True})
    first = api.request("GET", "/todos", headers=alice.auth_headers).json()
    reopen = next(t for t in first if t["title"] == "open")
    api.request("PATCH", reopen["url"], headers=alice.auth_headers, json={"completed": False})

    # One conflict is absorbed by the app's retry.
    api.inject_fault(target="dynamodb", kind="transaction_conflict", operation="TransactWriteItems")
    cleared = api.request("DELETE", "/todos?completed=true", headers=alice.auth_headers)
    assert cleared.json() == {"deleted": 5, "more": False}
    assert titles(api, alice) == ["open"]

    # A lasting one is a 503 the client can retry safely.
    for i in range(3):
        create(api, alice, f"later {i}")
    api.inject_fault(target="dynamodb", kind="throttle", count=PERSISTENT)
    assert_unavailable(
        api.request("PATCH", "/todos", headers=alice.auth_headers, json={"completed": True})
    )
    assert_unavailable(api.request("DELETE", "/todos", headers=alice.auth_headers))
    api.clear_faults()
    assert titles(api, alice) == ["later 0", "later 1", "later 2", "open"]
    assert api.request("DELETE", "/todos", headers=alice.auth_headers).json()["deleted"] == 4
    assert titles(api, alice) == []
