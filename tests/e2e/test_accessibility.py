"""Keyboard-only use, axe-core, small screens and dark mode, in real Chromium."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import run_axe, screenshot
from tests.e2e.helpers import (
    PASSWORD,
    add_todo,
    border_contrast,
    new_email,
    open_details,
    row,
    sign_up,
    titles,
)

FOCUSED_NAME = """() => {
    const el = document.activeElement;
    if (!el) return '';
    const labelled = el.getAttribute('aria-labelledby');
    if (labelled) return document.getElementById(labelled)?.textContent ?? '';
    if (el.getAttribute('aria-label')) return el.getAttribute('aria-label');
    if (el.labels && el.labels.length) return el.labels[0].textContent;
    return (el.textContent || el.getAttribute('placeholder') || '').trim();
}"""


def tab_to(page: Any, name: str, limit: int = 40) -> None:
    """Press Tab until the focused control's accessible name starts with `name`."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(FOCUSED_NAME).strip().startswith(name):
            return
    raise AssertionError(f"Tab never reached {name!r}")


def test_keyboard_only_from_sign_up_to_sign_out(page: Any) -> None:
    email = new_email("kim")
    page.goto("/")
    page.get_by_role("heading", name="Sign in").wait_for()
    tab_to(page, "Create an account")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Create your account").wait_for()
    # The email box has focus on arrival.
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Check your email").wait_for()
    page.keyboard.type("123456")
    page.keyboard.press("Enter")
    page.get_by_text("Nothing to do yet").wait_for()

    # The new-todo box has focus once the list is shown.
    assert page.evaluate("document.activeElement.id") == "new-todo"
    for title in ("Alpha", "Beta", "Gamma"):
        page.keyboard.type(title)
        page.keyboard.press("Enter")
    page.get_by_text("3 items left").wait_for()
    page.wait_for_function("!document.querySelector('#todo-list button[disabled]')")

    # Complete "Alpha" with Space on its checkbox.
    tab_to(page, "Alpha")
    page.keyboard.press("Space")
    page.get_by_text("2 items left").wait_for()

    # Edit "Beta" from its Edit button; Enter saves and focus comes back.
    tab_to(page, "Edit “Beta”")
    page.keyboard.press("Enter")
    page.keyboard.press("Control+a")
    page.keyboard.type("Beta, edited")
    page.keyboard.press("Enter")
    row(page, "Beta, edited").wait_for()
    page.wait_for_function(
        "document.activeElement.getAttribute('aria-label') === 'Edit “Beta, edited”'"
    )

    # Move "Gamma" up with the arrow keys on its handle.
    tab_to(page, "Move “Gamma”")
    page.keyboard.press("ArrowUp")
    page.wait_for_function(
        "[...document.querySelectorAll('#todo-list > li span[id]')].map(s => s.textContent)"
        ".join() === 'Alpha,Gamma,Beta, edited'"
    )
    assert page.evaluate(FOCUSED_NAME).startswith("Move “Gamma”")

    # Filters are links: Enter follows them.
    tab_to(page, "Completed")
    page.keyboard.press("Enter")
    page.wait_for_url("**/#/completed")
    page.wait_for_function("document.querySelectorAll('#todo-list > li').length === 1")
    assert titles(page) == ["Alpha"]

    tab_to(page, "Clear completed")
    page.keyboard.press("Enter")
    page.get_by_text("Nothing completed yet").wait_for()
    # The Undo toast is announced and reachable with Tab.
    assert page.get_by_role("status").filter(has_text="Cleared 1 completed todo.").count() == 1
    tab_to(page, "Undo")
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelectorAll('#todo-list > li').length === 1")
    tab_to(page, "Clear completed")
    page.keyboard.press("Enter")
    page.get_by_text("Nothing completed yet").wait_for()

    # Delete with the keyboard; focus goes back to the new-todo box.
    tab_to(page, "All")
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelectorAll('#todo-list > li').length === 2")
    page.keyboard.press("Shift+Tab")
    tab_to(page, "Delete “Gamma”")
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelectorAll('#todo-list > li').length === 1")
    page.wait_for_function("document.activeElement.id === 'new-todo'")

    page.keyboard.press("Shift+Tab")
    for _ in range(10):
        if page.evaluate(FOCUSED_NAME).strip() == "Sign out":
            break
        page.keyboard.press("Shift+Tab")
    assert page.evaluate(FOCUSED_NAME).strip() == "Sign out"
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Sign in").wait_for()

    # And back in, keyboard only: the email box has focus on arrival.
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.get_by_text("1 item left").wait_for()
    assert titles(page) == ["Beta, edited"]


def assert_no_axe_violations(page: Any, where: str) -> None:
    violations = run_axe(page)
    assert violations == [], f"axe-core violations on {where}: {violations}"


def test_theme_choice_overrides_the_system(page: Any) -> None:
    sign_up(page, new_email("theme"))
    theme = page.get_by_label("Theme")
    assert theme.input_value() == "system"
    theme.select_option("Light")
    assert not page.evaluate("document.documentElement.classList.contains('dark')")
    theme.select_option("Dark")
    assert page.evaluate("document.documentElement.classList.contains('dark')")
    page.reload()
    assert page.get_by_label("Theme").input_value() == "dark"
    assert page.evaluate("document.documentElement.classList.contains('dark')")
    add_todo(page, "Looks good in the dark")
    screenshot(page, "12-list-dark-desktop")


def test_checkboxes_are_big_enough_and_visible_in_both_themes(new_context: Any) -> None:
    """WCAG 2.2 target size (24 x 24 px) and 1.4.11 non-text contrast (3:1) of an
    unchecked checkbox, light and dark."""
    for scheme in ("light", "dark"):
        page = new_context(color_scheme=scheme).new_page()
        sign_up(page, new_email(f"box-{scheme}"))
        add_todo(page, "Unchecked")
        box = row(page, "Unchecked").get_by_role("checkbox")
        size = box.bounding_box()
        assert size["width"] >= 24 and size["height"] >= 24, size
        ratio = border_contrast(box)
        assert ratio >= 3, f"unchecked checkbox contrast {ratio:.2f}:1 in {scheme}"


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [1024, 360])
def test_axe_on_every_screen(new_context: Any, scheme: str, width: int) -> None:
    """Sign-in, sign-up (and its errors), password reset, confirm, the list (details
    open, overdue, the Undo toast) and the session-expired dialog, at this width and in
    this scheme."""
    page = new_context(viewport={"width": width, "height": 800}, color_scheme=scheme).new_page()
    where = f"({scheme}, {width} px)"
    page.goto("/")
    page.get_by_role("heading", name="Sign in").wait_for()
    assert_no_axe_violations(page, f"sign-in {where}")
    page.get_by_role("button", name="Forgot password?").click()
    page.get_by_role("heading", name="Reset your password").wait_for()
    assert_no_axe_violations(page, f"password reset {where}")
    page.goto("/")
    page.get_by_role("button", name="Create an account").click()
    page.get_by_role("heading", name="Create your account").wait_for()
    assert_no_axe_violations(page, f"sign-up {where}")
    page.get_by_label("Password", exact=True).fill("short")
    page.get_by_role("button", name="Create account").click()
    page.get_by_text("Your password needs to meet every rule below.").wait_for()
    assert_no_axe_violations(page, f"sign-up with errors {where}")

    email = new_email(f"axe-{scheme}-{width}")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.get_by_role("heading", name="Check your email").wait_for()
    assert_no_axe_violations(page, f"confirm {where}")
    page.get_by_label("Confirmation code").fill("123456")
    page.get_by_role("button", name="Confirm").click()
    page.get_by_text("Nothing to do yet").wait_for()
    assert_no_axe_violations(page, f"empty list {where}")
    # The system's scheme is followed until the user picks one.
    is_dark = page.evaluate("document.documentElement.classList.contains('dark')")
    assert is_dark == (scheme == "dark")

    for title in ("Overdue one", "Gone soon", "Open"):
        add_todo(page, title)
    open_details(page, "Overdue one")
    row(page, "Overdue one").get_by_label("Due date").fill("2020-03-01")
    row(page, "Overdue one").get_by_label("Priority").select_option("high")
    row(page, "Overdue one").get_by_role("button", name="Save details").click()
    row(page, "Overdue one").get_by_text("Overdue:").wait_for()
    row(page, "Open").get_by_role("checkbox").check()
    open_details(page, "Open")
    page.get_by_role("button", name="Clear completed").click()
    page.get_by_role("button", name="Undo").wait_for()
    assert_no_axe_violations(page, f"list with details and the Undo toast {where}")
    # Nothing sticks out sideways, even at 360 px.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, f"11-list-{width}px-{scheme}")

    page.evaluate("sessionStorage.removeItem('auth:session')")
    page.get_by_label("New todo").fill("Typed while signed out")
    page.get_by_label("New todo").press("Enter")
    page.get_by_role("dialog", name="Please sign in again").wait_for()
    assert_no_axe_violations(page, f"session-expired dialog {where}")
