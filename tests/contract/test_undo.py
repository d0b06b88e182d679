"""A delete reaches every reader at once, and its owner can undo it for a while
(POST /todos/{id}/restore): the todo comes back with its id, version and place."""

from __future__ import annotations

from typing import Any

from chalicelib.domain import TODO_QUOTA
from chalicelib.dynamo import COUNT_ITEM_ID
from tests.contract.runtimes.base import Runtime, User
from tools.local_stack import aws_client


def create(api: Runtime, user: User, **fields: object) -> dict[str, Any]:
    response = api.request("POST", "/todos", headers=user.auth_headers, json=fields)
    assert response.status == 201, response.body
    todo: dict[str, Any] = response.json()
    return todo


def listed(api: Runtime, user: User, query: str = "") -> list[str]:
    response = api.request("GET", f"/todos{query}", headers=user.auth_headers)
    assert response.status == 200, response.body
    return [todo["id"] for todo in response.json()]


def restore(api: Runtime, user: User, todo: dict[str, Any]) -> Any:
    return api.request("POST", f"{todo['url']}/restore", headers=user.auth_headers)


def table_key(user: User, item_id: str) -> dict[str, Any]:
    return {"user_id": {"S": user.sub}, "item_id": {"S": item_id}}


def dynamodb(api: Runtime) -> Any:
    return aws_client("dynamodb", api.stack.endpoint, api.stack.region)


def test_a_delete_hides_the_todo_at_once_and_restore_brings_it_back_in_place(
    api: Runtime, alice: User
) -> None:
    first, middle, last = (create(api, alice, title=t, order=i) for i, t in enumerate("abc"))
    patched = api.request(
        "PATCH", middle["url"], headers=alice.auth_headers, json={"notes": "keep me"}
    ).json()
    assert api.request("DELETE", middle["url"], headers=alice.auth_headers).status == 204

    # Every reader (another device of alice's is just another request) sees it gone.
    assert api.request("GET", middle["url"], headers=alice.auth_headers).status == 404
    assert listed(api, alice) == [first["id"], last["id"]]
    for method, body in (("PATCH", {"title": "zombie"}), ("DELETE", None)):
        response = api.request(method, middle["url"], headers=alice.auth_headers, json=body)
        assert response.status == 404, (method, response.body)

    response = restore(api, alice, middle)
    assert response.status == 204, response.body
    again = api.request("GET", middle["url"], headers=alice.auth_headers)
    assert again.json() == patched  # id, version, order, notes: as it was
    assert again.headers["ETag"] == '"2"'
    assert listed(api, alice) == [first["id"], middle["id"], last["id"]]
    assert restore(api, alice, middle).status == 404  # restored already


def test_clear_completed_is_undone_todo_by_todo(api: Runtime, alice: User) -> None:
    done = [create(api, alice, title=f"done {i}", order=i, completed=True) for i in range(2)]
    active = create(api, alice, title="active", order=5)
    cleared = api.request("DELETE", "/todos?completed=true", headers=alice.auth_headers)
    assert cleared.json() == {"deleted": 2, "more": False}
    assert listed(api, alice) == [active["id"]]
    for todo in done:
        assert restore(api, alice, todo).status == 204
    assert listed(api, alice) == [done[0]["id"], done[1]["id"], active["id"]]
    assert listed(api, alice, "?completed=true") == [done[0]["id"], done[1]["id"]]


def test_only_the_owner_can_restore(api: Runtime, alice: User, bob: User) -> None:
    todo = create(api, alice, title="alice's")
    api.request("DELETE", todo["url"], headers=alice.auth_headers)
    response = restore(api, bob, todo)
    assert (response.status, response.error_code) == (404, "not_found")
    assert listed(api, bob) == []
    assert restore(api, alice, todo).status == 204


def test_a_restore_or_a_create_over_the_quota_is_a_409(api: Runtime, alice: User) -> None:
    todo = create(api, alice, title="counted")
    api.request("DELETE", todo["url"], headers=alice.auth_headers)
    # The delete took it off the count; fill the rest up as 5,000 creates would.
    dynamodb(api).put_item(
        TableName=api.stack.table,
        Item={**table_key(alice, COUNT_ITEM_ID), "todos": {"N": str(TODO_QUOTA)}},
    )
    refused = [
        restore(api, alice, todo),
        api.request("POST", "/todos", headers=alice.auth_headers, json={"title": "x"}),
    ]
    assert [(r.status, r.error_code) for r in refused] == [(409, "quota_exceeded")] * 2
    assert listed(api, alice) == []
