"""Offline in real Chromium: the service worker serves the app, the list shows the last
synced state, changes made offline wait in the outbox (through a reload) and reach the
server once, in order, on reconnect; a conflict is shown and resolved; two tabs stay in step."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import run_axe, screenshot
from tests.e2e.helpers import add_todo, api_fetch, new_email, row, sign_in, sign_up, titles

# What going offline does in Chromium: requests fail, and it says so in the console.
OFFLINE_PROBLEMS = r"ERR_INTERNET_DISCONNECTED|Failed to fetch"


def go_offline(page: Any) -> None:
    """Offline once the service worker controls the page (so a reload still works)."""
    page.evaluate("navigator.serviceWorker.ready")
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.context.set_offline(True)
    page.get_by_role("status").filter(has_text="Offline").wait_for()


def server_todos(page: Any) -> list[dict[str, Any]]:
    listed = api_fetch(page, "GET", "/todos", None)
    assert listed["status"] == 200, listed
    todos: list[dict[str, Any]] = listed["body"]
    return todos


def test_changes_made_offline_survive_a_reload_and_reach_the_server_once(
    page: Any, problems: Any
) -> None:
    problems.expect(OFFLINE_PROBLEMS)
    sign_up(page, new_email("off"))
    for title in ("Rename me", "Finish me", "Delete me"):
        add_todo(page, title)
    go_offline(page)

    box = page.get_by_label("New todo")
    box.fill("Added offline")
    box.press("Enter")
    row(page, "Added offline").wait_for()
    row(page, "Rename me").get_by_text("Rename me", exact=True).dblclick()
    edit = page.get_by_role("textbox", name="Edit “Rename me”")
    edit.fill("Renamed offline")
    edit.press("Enter")
    row(page, "Finish me").get_by_role("checkbox").check()
    row(page, "Delete me").get_by_role("button", name="Delete “Delete me”").click()
    # The delete is sent (here: queued) when its Undo time is up.
    page.get_by_role("button", name="Undo").wait_for(state="detached", timeout=10_000)
    status = page.get_by_role("status").filter(has_text="Offline")
    status.filter(has_text="4 changes waiting").wait_for()
    screenshot(page, "20-offline-waiting")

    # A reload while offline: the app, the list and the waiting changes are all there.
    page.reload()
    page.get_by_role("status").filter(has_text="Offline · 4 changes waiting").wait_for()
    page.get_by_text("2 items left").wait_for()
    assert titles(page) == ["Renamed offline", "Finish me", "Added offline"]

    page.context.set_offline(False)
    page.get_by_role("status").filter(has_text="Saved").wait_for(timeout=20_000)
    saved = server_todos(page)
    assert [(t["title"], t["completed"]) for t in saved] == [
        ("Renamed offline", False),
        ("Finish me", True),
        ("Added offline", False),
    ]
    page.wait_for_function("document.querySelectorAll('#todo-list input:disabled').length === 0")
    assert titles(page) == ["Renamed offline", "Finish me", "Added offline"]


def test_a_conflict_on_replay_is_shown_and_resolved(
    page: Any, new_context: Any, problems: Any
) -> None:
    problems.expect(OFFLINE_PROBLEMS)
    problems.expect(r"(HTTP 412: PATCH|status of 412).*/todos/")
    email = new_email("clash")
    sign_up(page, email)
    add_todo(page, "Shared")
    go_offline(page)
    row(page, "Shared").get_by_text("Shared", exact=True).dblclick()
    edit = page.get_by_role("textbox", name="Edit “Shared”")
    edit.fill("Mine, offline")
    edit.press("Enter")

    # Meanwhile, on another device.
    other = new_context().new_page()
    other.goto("/")
    sign_in(other, email)
    shared = server_todos(other)[0]
    changed = api_fetch(other, "PATCH", f"/todos/{shared['id']}", {"title": "Theirs, online"})
    assert changed["status"] == 200

    page.context.set_offline(False)
    dialog = page.get_by_role("dialog", name="Changed on another device")
    dialog.wait_for(timeout=20_000)
    dialog.get_by_role("cell", name="Theirs, online").wait_for()
    dialog.get_by_role("cell", name="Mine, offline").wait_for()
    screenshot(page, "21-conflict-on-replay")
    assert run_axe(page) == []
    dialog.get_by_role("button", name="Keep mine").click()
    page.get_by_role("status").filter(has_text="Saved").wait_for(timeout=20_000)
    assert [t["title"] for t in server_todos(page)] == ["Mine, offline"]
    row(page, "Mine, offline").wait_for()


def test_two_tabs_stay_in_step(page: Any) -> None:
    sign_up(page, new_email("tabs"))
    add_todo(page, "From tab one")
    second = page.context.new_page()
    second.goto("/")
    second.get_by_text("1 item left").wait_for()

    add_todo(second, "From tab two")
    row(page, "From tab two").wait_for()
    row(page, "From tab one").get_by_role("checkbox").check()
    second.get_by_text("1 item left").wait_for()
    assert row(second, "From tab one").get_by_role("checkbox").is_checked()
