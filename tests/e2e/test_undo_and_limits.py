"""Undo after delete and clear completed (the delete reaches every device at once), and
long pastes that are cut visibly, never silently: in real Chromium against the real local
stack."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import run_axe
from tests.e2e.helpers import (
    add_todo,
    api_fetch,
    new_email,
    open_details,
    row,
    sign_in,
    sign_up,
    titles,
)


def server_titles(page: Any) -> list[str]:
    return [t["title"] for t in api_fetch(page, "GET", "/todos", None)["body"]]


def test_a_delete_reaches_every_device_at_once_and_undo_restores_it(
    page: Any, new_context: Any
) -> None:
    email = new_email("undo")
    sign_up(page, email)
    for title in ("Keep", "Oops", "Done"):
        add_todo(page, title)
    # The same user on another device (a laptop), signed in already.
    laptop = new_context().new_page()
    laptop.goto("/")
    sign_in(laptop, email)
    row(laptop, "Oops").wait_for()

    row(page, "Oops").get_by_role("button", name="Delete “Oops”").click()
    toast = page.get_by_role("status").filter(has_text="Deleted “Oops”.")
    toast.wait_for()
    toast.hover()  # the toast stays while the pointer is on it
    assert titles(page) == ["Keep", "Done"]
    assert run_axe(page) == []
    # While the toast is still up, the laptop sees the todo gone.
    laptop.reload()
    row(laptop, "Keep").wait_for()
    assert titles(laptop) == ["Keep", "Done"]
    assert toast.is_visible()
    # Nothing waits on the device.
    assert page.evaluate("Object.keys(localStorage).filter(k => /delete/i.test(k))") == []

    toast.get_by_role("button", name="Undo").click()
    assert titles(page) == ["Keep", "Oops", "Done"]
    page.wait_for_function("document.querySelectorAll('#todo-list button:disabled').length === 0")
    laptop.reload()
    row(laptop, "Oops").wait_for()
    assert titles(laptop) == ["Keep", "Oops", "Done"]

    # The tab reloads (or closes) while the toast is up: the delete is done already.
    row(page, "Oops").get_by_role("button", name="Delete “Oops”").click()
    toast.wait_for()
    page.reload()
    row(page, "Keep").wait_for()
    assert titles(page) == ["Keep", "Done"]
    assert server_titles(page) == ["Keep", "Done"]
    add_todo(page, "Oops")

    # Clear completed, undone by keyboard shortcut, then for real.
    row(page, "Done").get_by_role("checkbox").check()
    page.get_by_role("button", name="Clear completed").click()
    page.get_by_role("status").filter(has_text="Cleared 1 completed todo.").hover()
    page.wait_for_function("document.querySelectorAll('#todo-list button:disabled').length === 0")
    assert server_titles(page) == ["Keep", "Oops"]
    page.locator("body").press("Control+z")
    row(page, "Done").wait_for()
    page.wait_for_function("document.querySelectorAll('#todo-list button:disabled').length === 0")
    assert sorted(server_titles(page)) == ["Done", "Keep", "Oops"]
    page.get_by_role("button", name="Clear completed").click()
    page.get_by_role("button", name="Undo").wait_for(state="detached", timeout=15_000)
    assert server_titles(page) == ["Keep", "Oops"]


def paste(page: Any, field: Any, text: str) -> None:
    """A real paste (Ctrl+V) of `text` from the clipboard into `field`."""
    page.evaluate("text => navigator.clipboard.writeText(text)", text)
    field.focus()
    page.keyboard.press("Control+v")


def test_a_long_paste_is_cut_visibly_and_only_what_was_shown_is_saved(new_context: Any) -> None:
    context = new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    sign_up(page, new_email("paste"))

    box = page.get_by_label("New todo")
    paste(page, box, "a" * 5000)
    page.get_by_text("4,500 characters were left out (the limit is 500)").wait_for()
    page.get_by_text("500 / 500 characters").wait_for()
    assert len(box.input_value()) == 500
    assert run_axe(page) == []
    box.press("Enter")
    page.wait_for_function("document.querySelectorAll('#todo-list input:disabled').length === 0")
    saved = api_fetch(page, "GET", "/todos", None)["body"]
    assert [len(t["title"]) for t in saved] == [500]

    # The notes box (10,000) says so too.
    title = saved[0]["title"]
    open_details(page, title)
    notes = row(page, title).get_by_label("Notes")
    paste(page, notes, "n" * 12_000)
    row(page, title).get_by_text("2,000 characters were left out (the limit is 10,000)").wait_for()
    assert len(notes.input_value()) == 10_000
