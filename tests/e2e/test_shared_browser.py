"""Two people on one browser profile (issue 20): C's offline changes, C's session ended by
Cognito, D signing in in another tab. Each user's data stays theirs: nothing of C's lands
in D's account, C's tab never shows D's list, and C's changes reach C's account once C
signs in again."""

from __future__ import annotations

import re
from typing import Any

import requests

from tests.e2e.conftest import Stack, screenshot
from tests.e2e.helpers import PASSWORD, add_todo, new_email, row, sign_up, titles
from tests.e2e.test_offline import OFFLINE_PROBLEMS, go_offline, server_todos

# The replay's timer (src/offline/useOfflineSync.ts RETRY_MS) and a margin.
REPLAY_INTERVAL_S = 20
SESSION = "JSON.parse(sessionStorage.getItem('auth:session'))"


def revoke(stack: Stack, refresh_token: str) -> None:
    """Revokes a refresh token at the local Cognito (tools/local_cognito.py), as an
    administrator or a sign-out on another device would: its next refresh is refused."""
    answer = requests.post(
        stack.moto_url,
        json={"Token": refresh_token, "ClientId": stack.client_id},
        headers={
            "X-Amz-Target": "AWSCognitoIdentityProviderService.RevokeToken",
            "Content-Type": "application/x-amz-json-1.1",
        },
        timeout=5,
    )
    assert answer.status_code == 200, answer.text


def test_a_second_user_in_another_tab_never_gets_the_first_users_offline_changes(
    page: Any, stack: Stack, problems: Any
) -> None:
    problems.expect(OFFLINE_PROBLEMS)
    # Cognito refusing C's revoked refresh token is the point of the test.
    moto = re.escape(stack.moto_url.rstrip("/"))
    problems.expect(rf"HTTP 400: POST {moto}|status of 400 \(BAD REQUEST\).*{moto}")

    c_email, d_email = new_email("carol"), new_email("dave")
    sign_up(page, c_email)
    add_todo(page, "A existing")

    # C, offline: adds a todo and renames one.
    go_offline(page)
    box = page.get_by_label("New todo")
    box.fill("A offline secret")
    box.press("Enter")
    row(page, "A existing").get_by_text("A existing", exact=True).dblclick()
    edit = page.get_by_role("textbox", name="Edit “A existing”")
    edit.fill("A renamed offline")
    edit.press("Enter")
    page.get_by_role("status").filter(has_text="Offline · 2 changes waiting").wait_for()

    # C's refresh token is revoked, and C's ID token is due: the next refresh is refused.
    revoke(stack, page.evaluate(f"{SESSION}.refreshToken"))
    due = f"JSON.stringify({{...{SESSION}, refreshAt: 0}})"
    page.evaluate(f"sessionStorage.setItem('auth:session', {due})")
    page.context.set_offline(False)
    expired = page.get_by_role("dialog", name="Please sign in again")
    expired.wait_for(timeout=20_000)
    assert expired.get_by_label("Email").input_value() == c_email
    # Ended: C's tab keeps no tokens to hand to a new tab; C's changes still wait.
    assert page.evaluate("sessionStorage.getItem('auth:session')") is None
    page.get_by_role("status").filter(has_text="2 changes waiting").wait_for()

    # D, in a second tab of the same browser profile: nothing is handed over, D signs in.
    other = page.context.new_page()
    sign_up(other, d_email)
    add_todo(other, "D own todo")

    # Past the replay's interval: C's changes stay C's, and C's tab stays C's.
    page.wait_for_timeout((REPLAY_INTERVAL_S + 2) * 1000)
    assert [t["title"] for t in server_todos(other)] == ["D own todo"]
    assert expired.is_visible()
    assert page.get_by_text(c_email).first.is_visible()
    assert page.get_by_text(d_email).count() == 0
    assert "D own todo" not in titles(page)
    assert titles(page) == ["A renamed offline", "A offline secret"]
    assert page.evaluate("sessionStorage.getItem('auth:session')") is None
    screenshot(page, "40-shared-browser-c-ended")
    # D is told that another account has unsent changes here, and sees none of them.
    other.get_by_role("alert").filter(
        has_text="Another account has unsent changes on this device"
    ).wait_for()
    assert "A offline secret" not in other.locator("body").inner_text()

    # C signs in again in C's tab: C's changes reach C's account, once.
    expired.get_by_label("Password", exact=True).fill(PASSWORD)
    expired.get_by_role("button", name="Sign in").click()
    expired.wait_for(state="detached")
    page.get_by_role("status").filter(has_text="Saved").wait_for(timeout=30_000)
    saved = sorted(t["title"] for t in server_todos(page))
    assert saved == ["A offline secret", "A renamed offline"]
    assert [t["title"] for t in server_todos(other)] == ["D own todo"]
    assert titles(other) == ["D own todo"]
