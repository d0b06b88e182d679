"""The whole journey in real Chromium against the real local stack (moto + chalice local)."""

from __future__ import annotations

from typing import Any

import requests

from tests.e2e.conftest import screenshot
from tests.e2e.helpers import (
    PASSWORD,
    add_todo,
    api_fetch,
    new_email,
    row,
    sign_in,
    sign_out,
    sign_up,
    titles,
)


def test_todomvc_journey_and_privacy(page: Any, new_context: Any, stack: Any) -> None:
    ann = new_email("ann")
    sign_up(page, ann)
    screenshot(page, "01-empty-list")

    for title in ("Buy milk", "Walk the dog", "Write report"):
        add_todo(page, title)
    assert titles(page) == ["Buy milk", "Walk the dog", "Write report"]
    page.get_by_text("3 items left").wait_for()

    # Double-click to edit, Enter saves.
    row(page, "Walk the dog").get_by_text("Walk the dog", exact=True).dblclick()
    edit = page.get_by_role("textbox", name="Edit “Walk the dog”")
    edit.fill("Walk the dog twice")
    edit.press("Enter")
    row(page, "Walk the dog twice").wait_for()

    row(page, "Buy milk").get_by_role("checkbox").check()
    page.get_by_text("2 items left").wait_for()
    screenshot(page, "02-list-with-completed")

    # Reload on a filter route: the session, the data and the filter all survive.
    page.get_by_role("link", name="Active").click()
    page.reload()
    page.get_by_text("2 items left").wait_for()
    assert page.url.endswith("#/active")
    assert page.get_by_role("link", name="Active").get_attribute("aria-current") == "page"
    assert titles(page) == ["Walk the dog twice", "Write report"]

    page.get_by_role("link", name="All").click()
    page.get_by_role("button", name="Clear completed").click()
    page.wait_for_function("document.querySelectorAll('#todo-list > li').length === 2")
    assert page.get_by_role("button", name="Clear completed").count() == 0

    # What the server has is what the page showed, once the Undo time is over.
    page.get_by_role("button", name="Undo").wait_for(state="detached", timeout=10_000)
    listed = api_fetch(page, "GET", "/todos", None)
    assert [t["title"] for t in listed["body"]] == ["Walk the dog twice", "Write report"]

    refresh_token = page.evaluate("JSON.parse(sessionStorage.getItem('auth:session')).refreshToken")
    sign_out(page)
    # Sign-out revoked the refresh token (tools/local_cognito.py answers RevokeToken).
    refreshed = requests.post(
        stack.moto_url,
        json={
            "AuthFlow": "REFRESH_TOKEN_AUTH",
            "ClientId": stack.client_id,
            "AuthParameters": {"REFRESH_TOKEN": refresh_token},
        },
        headers={
            "X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth",
            "Content-Type": "application/x-amz-json-1.1",
        },
        timeout=5,
    )
    assert refreshed.status_code == 400 and "NotAuthorized" in refreshed.text
    sign_in(page, ann)
    page.get_by_text("2 items left").wait_for()
    sign_out(page)

    # A second person in another browser sees none of the first person's todos.
    bob_page = new_context().new_page()
    sign_up(bob_page, new_email("bob"))
    assert titles(bob_page) == []
    assert api_fetch(bob_page, "GET", "/todos", None)["body"] == []


def test_details_order_and_conflict(page: Any, problems: Any) -> None:
    sign_up(page, new_email("cy"))
    for title in ("First", "Second", "Third"):
        add_todo(page, title)

    # Notes, due date (in the past: overdue) and priority.
    first = row(page, "First")
    first.get_by_role("button", name="Details for “First”").click()
    first.get_by_label("Notes").fill("Remember the receipts")
    first.get_by_label("Due date").fill("2020-01-31")
    first.get_by_label("Priority").select_option("high")
    first.get_by_role("button", name="Save details").click()
    first.get_by_text("High priority").wait_for()
    first.get_by_text("Overdue:").wait_for()
    screenshot(page, "03-details")

    # Reorder with the keyboard on the drag handle; the order is saved through `order`.
    handle = row(page, "Third").get_by_role("button", name="Move “Third”", exact=False)
    handle.focus()
    page.keyboard.press("ArrowUp")
    page.wait_for_function(
        "[...document.querySelectorAll('#todo-list > li span[id]')].map(s => s.textContent)"
        ".join() === 'First,Third,Second'"
    )
    page.wait_for_function("document.querySelectorAll('#todo-list button[disabled]').length === 0")
    page.wait_for_timeout(300)
    page.reload()
    page.get_by_text("3 items left").wait_for()
    assert titles(page) == ["First", "Third", "Second"]
    saved = api_fetch(page, "GET", "/todos", None)["body"]
    assert [t["title"] for t in saved] == ["First", "Third", "Second"]
    assert saved[0]["notes"] == "Remember the receipts"
    assert saved[0]["due"] == "2020-01-31"
    assert saved[0]["priority"] == "high"

    # Someone else changes "Second" while this page is editing it: the stale edit must not win.
    row(page, "Second").get_by_text("Second", exact=True).dblclick()
    problems.expect(r"(HTTP 412: PATCH|status of 412).*/todos/")
    second = next(t for t in saved if t["title"] == "Second")
    changed = api_fetch(page, "PATCH", f"/todos/{second['id']}", {"title": "Second (elsewhere)"})
    assert changed["status"] == 200
    edit = page.get_by_role("textbox", name="Edit “Second”")
    edit.fill("Second (here)")
    edit.press("Enter")
    alert = page.get_by_role("alert").filter(has_text="changed in another tab or device")
    alert.wait_for()
    row(page, "Second (elsewhere)").wait_for()
    screenshot(page, "04-conflict")
    alert.get_by_role("button", name="Dismiss").click()
    alert.wait_for(state="detached")


def test_load_more_follows_link_header(page: Any) -> None:
    sign_up(page, new_email("dee"))
    for n in range(55):
        created = api_fetch(page, "POST", "/todos", {"title": f"Task {n:02d}", "order": n})
        assert created["status"] == 201
    page.reload()
    page.get_by_text("items left").first.wait_for()
    # The first page is 50; the rest come in when the list's end scrolls into view.
    page.get_by_role("button", name="Load more").scroll_into_view_if_needed()
    page.wait_for_function("document.querySelectorAll('#todo-list > li').length === 55")
    page.get_by_text("55 items left").wait_for()
    assert page.get_by_role("button", name="Load more").count() == 0
    assert titles(page)[-1] == "Task 54"


def test_expired_session_keeps_what_was_typed(page: Any) -> None:
    email = new_email("eve")
    sign_up(page, email)
    add_todo(page, "Kept")
    # The session ends (tokens revoked/expired): nothing left to refresh with.
    page.evaluate("sessionStorage.removeItem('auth:session')")
    box = page.get_by_label("New todo")
    box.fill("Typed while signed out")
    box.press("Enter")
    dialog = page.get_by_role("dialog", name="Please sign in again")
    dialog.wait_for()
    screenshot(page, "05-session-expired")
    # The email is known: the password is what to type, so it has focus.
    password = dialog.get_by_label("Password", exact=True)
    page.wait_for_function("document.activeElement?.type === 'password'")
    password.fill(PASSWORD)
    dialog.get_by_role("button", name="Sign in").click()
    dialog.wait_for(state="detached")
    assert box.input_value() == "Typed while signed out"
    box.press("Enter")
    row(page, "Typed while signed out").wait_for()
    page.get_by_text("2 items left").wait_for()


def test_session_survives_reload_and_refreshes_silently(page: Any) -> None:
    sign_up(page, new_email("fay"))
    add_todo(page, "Still here")
    session = "JSON.parse(sessionStorage.getItem('auth:session'))"
    before = page.evaluate(session)
    # The refresh token stays out of localStorage (it ends with the tab).
    assert before["refreshToken"] not in page.evaluate("JSON.stringify(localStorage)")
    # Make the stored tokens due for refresh, so the next use goes through the refresh token.
    due = f"JSON.stringify({{...{session}, refreshAt: 0}})"
    page.evaluate(f"sessionStorage.setItem('auth:session', {due})")
    page.reload()
    page.get_by_text("1 item left").wait_for()
    assert page.get_by_role("heading", name="Sign in").count() == 0
    after = page.evaluate(session)
    assert after["idToken"] != before["idToken"]
    assert after["refreshAt"] > 0
