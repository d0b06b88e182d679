"""What a person does in the web app, as Playwright steps."""

from __future__ import annotations

import uuid
from typing import Any

# Meets the AWS pools' policy (12+ characters, mixed case, number, symbol).
PASSWORD = "Passw0rd!2026"


def new_email(label: str) -> str:
    return f"{label}-{uuid.uuid4().hex[:8]}@example.com"


def sign_up(page: Any, email: str, password: str = PASSWORD) -> None:
    """Sign up, confirm with a code (moto accepts any) and land on the empty list."""
    page.goto("/")
    page.get_by_role("button", name="Create an account").click()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Create account").click()
    page.get_by_role("heading", name="Check your email").wait_for()
    page.get_by_label("Confirmation code").fill("123456")
    page.get_by_role("button", name="Confirm").click()
    page.get_by_text("Nothing to do yet").wait_for()


def sign_in(page: Any, email: str, password: str = PASSWORD) -> None:
    page.get_by_role("heading", name="Sign in").wait_for()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Sign out").wait_for()


def sign_out(page: Any) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("heading", name="Sign in").wait_for()


def add_todo(page: Any, title: str) -> None:
    box = page.get_by_label("New todo")
    box.fill(title)
    box.press("Enter")
    title = title.strip()
    # Saved: the row's checkbox is enabled once the server has answered.
    page.wait_for_function(
        "title => [...document.querySelectorAll('#todo-list > li')].some(li =>"
        " li.querySelector('span[id]')?.textContent === title"
        " && !li.querySelector('input[type=checkbox]').disabled)",
        arg=title,
    )


def open_details(page: Any, title: str) -> None:
    """The details form of a todo: its own button on desktop, behind ⋯ on phones."""
    details = row(page, title).get_by_role("button", name=f"Details for “{title}”")
    if not details.is_visible():
        details = row(page, title).get_by_role("button", name="Details", exact=True)
        if not details.is_visible():
            row(page, title).get_by_role("button", name=f"Actions for “{title}”").click()
    details.click()


def row(page: Any, title: str) -> Any:
    return page.locator("#todo-list > li").filter(has=page.get_by_text(title, exact=True))


def titles(page: Any) -> list[str]:
    return [t.strip() for t in page.locator("#todo-list > li span[id]").all_inner_texts()]


def api_fetch(page: Any, method: str, path: str, body: Any = None) -> Any:
    """Calls the API from inside the page with the signed-in user's ID token."""
    return page.evaluate(
        """async ([method, path, body]) => {
            const config = await (await fetch('/config.json')).json();
            const session = JSON.parse(sessionStorage.getItem('auth:session'));
            const response = await fetch(config.apiUrl + path, {
                method,
                headers: {
                    Authorization: 'Bearer ' + session.idToken,
                    'Content-Type': 'application/json',
                },
                body: body === null ? undefined : JSON.stringify(body),
            });
            const data = response.status === 204 ? null : await response.json();
            return { status: response.status, body: data };
        }""",
        [method, path, body],
    )


# WCAG contrast of an element's border against what is behind it (its nearest
# ancestor with a background), for 1.4.11 non-text contrast.
_BORDER_CONTRAST_JS = """element => {
    const rgb = s => s.match(/[\\d.]+/g).slice(0, 3).map(Number);
    const lum = ([r, g, b]) => [r, g, b]
        .map(c => c / 255)
        .map(c => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4))
        .reduce((sum, c, i) => sum + c * [0.2126, 0.7152, 0.0722][i], 0);
    let behind = element.parentElement;
    const transparent = c => c === 'transparent' || c === 'rgba(0, 0, 0, 0)';
    while (behind && transparent(getComputedStyle(behind).backgroundColor)) {
        behind = behind.parentElement;
    }
    const back = behind ? getComputedStyle(behind).backgroundColor : 'rgb(255, 255, 255)';
    const [a, b] = [lum(rgb(getComputedStyle(element).borderTopColor)), lum(rgb(back))];
    return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""


def border_contrast(locator: Any) -> float:
    ratio: float = locator.evaluate(_BORDER_CONTRAST_JS)
    return ratio
