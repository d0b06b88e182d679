"""Phones first: a 360 px touch screen in real Chromium (light and dark, axe-clean)."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import run_axe, screenshot
from tests.e2e.helpers import add_todo, new_email, open_details, row, sign_up, titles

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}

# Every visible control in the signed-in screen that is smaller than 24 x 24 px.
SMALL_TARGETS = """() => [...document.querySelectorAll(
        ['main', 'header'].flatMap(at => ['button', 'a', 'input', 'select'].map(c => `${at} ${c}`))
            .join(', '))]
    .filter(el => el.offsetParent !== null)
    .map(el => [el.getAttribute('aria-label') || el.textContent.trim() || el.type,
                el.getBoundingClientRect()])
    .filter(([, box]) => box.width < 24 || box.height < 24)
    .map(([name, box]) => `${name}: ${box.width}x${box.height}`)"""

# Whether the new-todo box's placeholder fits (it was cut to "What needs to be done'").
PLACEHOLDER_FITS = """() => {
    const box = document.getElementById('new-todo');
    const style = getComputedStyle(box);
    const context = document.createElement('canvas').getContext('2d');
    context.font = `${style.fontSize} ${style.fontFamily}`;
    const room = box.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    return context.measureText(box.placeholder).width <= room;
}"""


def test_touch_layout_at_360px(new_context: Any) -> None:
    for scheme in ("light", "dark"):
        page = new_context(color_scheme=scheme, **PHONE).new_page()
        sign_up(page, new_email(f"phone-{scheme}"))
        assert page.evaluate(PLACEHOLDER_FITS)
        # The header fits on one line: no "Sign / out".
        assert page.get_by_role("button", name="Sign out").bounding_box()["height"] <= 40
        add_todo(page, "Short")
        add_todo(page, "Pay the rent before the landlord calls again")

        # One control per row; no drag handle, no mouse hints on touch.
        short = row(page, "Short")
        assert not short.get_by_role("button", name="Delete “Short”").is_visible()
        assert not short.get_by_role("button", name="Move “Short”", exact=False).is_visible()
        assert not page.get_by_text("Double-click").is_visible()
        page.get_by_text("Tap ⋯ on a todo to edit, move or delete it.").wait_for()
        # A short title stays on one line (the actions no longer take a third of the row).
        assert short.get_by_text("Short", exact=True).bounding_box()["height"] < 30

        # Move up, on touch.
        rent = "Pay the rent before the landlord calls again"
        row(page, rent).get_by_role("button", name=f"Actions for “{rent}”").click()
        row(page, rent).get_by_role("button", name="Move up").click()
        page.wait_for_function(
            "document.querySelector('#todo-list > li span[id]').textContent.startsWith('Pay')"
        )
        assert titles(page) == [rent, "Short"]

        # Overdue stands out: a red bar along the row as well as the label.
        open_details(page, rent)
        row(page, rent).get_by_label("Due date").fill("2020-02-01")
        row(page, rent).get_by_role("button", name="Save details").click()
        row(page, rent).get_by_text("Overdue:").wait_for()
        bar = row(page, rent).evaluate("li => getComputedStyle(li).borderLeftWidth")
        assert bar == "4px"

        row(page, "Short").get_by_role("checkbox").check()
        assert page.evaluate(SMALL_TARGETS) == []
        # The footer takes two rows at most.
        assert page.locator("footer").bounding_box()["height"] < 90
        assert page.get_by_text("Mark all as complete").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        assert run_axe(page) == []
        screenshot(page, f"30-phone-360px-{scheme}")


def test_desktop_shows_the_email_and_row_actions_without_move_buttons(page: Any) -> None:
    email = new_email("desk")
    sign_up(page, email)
    header_email = page.get_by_text(email, exact=True)
    assert header_email.evaluate("el => el.scrollWidth <= el.clientWidth")
    add_todo(page, "One")
    add_todo(page, "Two")
    assert row(page, "One").get_by_role("button", name="Delete “One”").is_visible()
    assert not row(page, "One").get_by_role("button", name="Actions for “One”").is_visible()
    open_details(page, "One")
    assert not page.get_by_role("button", name="Move up").is_visible()
    page.get_by_text("Double-click a todo to edit it.", exact=False).wait_for()
