"""The todo resource: create, read, update, delete, list (Todo-Backend and beyond)."""

from __future__ import annotations

import re

from tests.contract.runtimes.base import Runtime, User

ULID = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def create(api: Runtime, user: User, **fields: object) -> dict[str, object]:
    response = api.request("POST", "/todos", headers=user.auth_headers, json=fields)
    assert response.status == 201, response.body
    todo: dict[str, object] = response.json()
    return todo


def test_health_needs_no_token(api: Runtime) -> None:
    response = api.request("GET", "/health")
    assert response.status == 200
    assert response.json() == {"status": "ok"}


def test_create_returns_the_todo_with_location_and_etag(api: Runtime, alice: User) -> None:
    response = api.request(
        "POST", "/todos", headers=alice.auth_headers, json={"title": "  walk the dog "}
    )
    assert response.status == 201
    todo = response.json()
    assert set(todo) == {
        "id", "url", "title", "completed", "order", "notes", "due", "priority",
        "created_at", "updated_at", "completed_at", "version",
    }  # fmt: skip
    assert ULID.match(todo["id"])
    assert todo["url"] == f"{api.base_url}/todos/{todo['id']}"
    assert response.headers["Location"] == todo["url"]
    assert response.headers["ETag"] == '"1"'
    assert response.headers["Content-Type"].startswith("application/json")
    assert (todo["title"], todo["completed"], todo["order"]) == ("walk the dog", False, 0)
    assert (todo["notes"], todo["due"], todo["priority"], todo["completed_at"]) == (
        None, None, "normal", None,
    )  # fmt: skip
    assert TIMESTAMP.match(todo["created_at"]) and todo["created_at"] == todo["updated_at"]
    assert todo["version"] == 1


def test_create_with_every_field(api: Runtime, alice: User) -> None:
    todo = create(
        api, alice, title="taxes", completed=True, order=-2, notes="forms in the drawer",
        due="2027-04-15", priority="high",
    )  # fmt: skip
    assert (todo["completed"], todo["order"], todo["notes"], todo["due"], todo["priority"]) == (
        True, -2, "forms in the drawer", "2027-04-15", "high",
    )  # fmt: skip
    assert todo["completed_at"] == todo["created_at"]


def test_patch_changes_only_what_is_sent(api: Runtime, alice: User) -> None:
    todo = create(api, alice, title="before", notes="keep me")
    response = api.request(
        "PATCH", str(todo["url"]), headers=alice.auth_headers, json={"title": "after"}
    )
    assert response.status == 200
    patched = response.json()
    assert (patched["title"], patched["notes"], patched["version"]) == ("after", "keep me", 2)
    assert response.headers["ETag"] == '"2"'
    assert patched["updated_at"] >= patched["created_at"]
    again = api.request("GET", str(todo["url"]), headers=alice.auth_headers).json()
    assert again == patched


def test_delete_then_it_is_gone(api: Runtime, alice: User) -> None:
    todo = create(api, alice, title="bye")
    response = api.request("DELETE", str(todo["url"]), headers=alice.auth_headers)
    assert response.status == 204
    assert response.body == b""
    assert api.request("GET", str(todo["url"]), headers=alice.auth_headers).status == 404
    again = api.request("DELETE", str(todo["url"]), headers=alice.auth_headers)
    assert again.status == 404 and again.error_code == "not_found"


def test_unknown_or_malformed_ids_are_not_found(api: Runtime, alice: User) -> None:
    for todo_id in ["01ARZ3NDEKTSV4RRFFQ69G5FAV", "nope", "idem%23abc", "%00"]:
        response = api.request("GET", f"/todos/{todo_id}", headers=alice.auth_headers)
        assert response.status == 404, todo_id
        assert response.error_code == "not_found"


def test_list_is_ordered_by_order_then_creation(api: Runtime, alice: User) -> None:
    c = create(api, alice, title="c", order=2)
    a = create(api, alice, title="a", order=1)
    b = create(api, alice, title="b", order=1)
    d = create(api, alice, title="d", order=-1)
    listed = api.request("GET", "/todos", headers=alice.auth_headers).json()
    assert [t["id"] for t in listed] == [d["id"], a["id"], b["id"], c["id"]]
    reordered = api.request(
        "PATCH", str(c["url"]), headers=alice.auth_headers, json={"order": -5}
    ).json()
    listed = api.request("GET", "/todos", headers=alice.auth_headers).json()
    assert [t["id"] for t in listed] == [c["id"], d["id"], a["id"], b["id"]]
    assert listed[0] == reordered


def test_list_filters_by_completed(api: Runtime, alice: User) -> None:
    open_todo = create(api, alice, title="open")
    done_todo = create(api, alice, title="done", completed=True)
    done = api.request("GET", "/todos?completed=true", headers=alice.auth_headers).json()
    active = api.request("GET", "/todos?completed=false", headers=alice.auth_headers).json()
    assert [t["id"] for t in done] == [done_todo["id"]]
    assert [t["id"] for t in active] == [open_todo["id"]]


def test_mark_all_completed_and_back(api: Runtime, alice: User) -> None:
    create(api, alice, title="one")
    create(api, alice, title="two", completed=True)
    response = api.request("PATCH", "/todos", headers=alice.auth_headers, json={"completed": True})
    assert response.status == 200 and response.json() == {"updated": 1, "more": False}
    listed = api.request("GET", "/todos", headers=alice.auth_headers).json()
    assert all(t["completed"] for t in listed) and len(listed) == 2
    response = api.request("PATCH", "/todos", headers=alice.auth_headers, json={"completed": False})
    assert response.json() == {"updated": 2, "more": False}


def test_todo_backend_spec_flow(api: Runtime, alice: User) -> None:
    """The public Todo-Backend spec's checks, in order (todobackend.com/specs)."""
    root = "/todos"
    headers = alice.auth_headers
    assert api.request("DELETE", root, headers=headers).status < 300
    assert api.request("GET", root, headers=headers).json() == []
    created = api.request("POST", root, headers=headers, json={"title": "a todo"})
    assert created.status < 300 and created.json()["title"] == "a todo"
    assert created.json()["completed"] is False
    url = created.json()["url"]
    assert api.request("GET", url, headers=headers).json()["title"] == "a todo"
    listed = api.request("GET", root, headers=headers).json()
    assert [t["title"] for t in listed] == ["a todo"]
    for change in ({"title": "bathe the cat"}, {"completed": True}, {"order": 95}):
        patched = api.request("PATCH", url, headers=headers, json=change).json()
        key, value = next(iter(change.items()))
        assert patched[key] == value
        assert api.request("GET", url, headers=headers).json()[key] == value
    assert api.request("DELETE", url, headers=headers).status < 300
    assert api.request("GET", root, headers=headers).json() == []
    with_order = api.request("POST", root, headers=headers, json={"title": "o", "order": 523})
    assert with_order.json()["order"] == 523
