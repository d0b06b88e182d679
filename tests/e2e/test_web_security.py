"""The web app under the deployed Content-Security-Policy, in real Chromium."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tests.e2e.helpers import PASSWORD, new_email, sign_in, sign_out, sign_up

ROOT = Path(__file__).resolve().parents[2]


def deployed_script_src() -> str:
    """The script-src directive the front door sends (the foundation's frontend module)."""
    module = (ROOT / "infra" / "modules" / "frontend" / "main.tf").read_text()
    match = re.search(r'"(script-src [^";]*)"', module)
    assert match, "no script-src in the CSP of infra/modules/frontend/main.tf"
    return match.group(1)


def test_theme_applies_before_first_paint_under_the_deployed_csp(page: Any, stack: Any) -> None:
    csp = deployed_script_src()
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )

    def with_csp(route: Any) -> None:
        response = route.fetch()
        headers = {**response.headers, "content-security-policy": csp}
        route.fulfill(response=response, headers=headers)

    page.route(f"{stack.web_url}/", with_csp)
    page.emulate_media(color_scheme="light")
    page.add_init_script("localStorage.setItem('theme', 'dark')")
    page.goto("/", wait_until="domcontentloaded")
    # Before the app (a module script, run after parsing) has rendered anything.
    assert page.evaluate("document.documentElement.classList.contains('dark')")
    page.get_by_role("heading", name="Sign in").wait_for()
    assert not violations, violations


def test_srp_sign_in_the_deployed_flow_speaks_cognitos_protocol(
    page: Any, stack: Any, problems: Any
) -> None:
    """The app signs in with SRP, as on AWS; the local stand-in checks the proof
    (tools/local_cognito.py), so a wrong password is refused as Cognito refuses it."""
    sent: list[str] = []
    page.on("request", lambda request: sent.append(request.post_data or ""))
    email = new_email("srp")
    sign_up(page, email)  # signs in right after confirming, with the password it has
    sign_out(page)
    # Cognito's refusal, as the browser reports it (the app shows it below).
    problems.expect(rf"(HTTP 400: POST |status of 400.*){re.escape(stack.moto_url)}")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD + "x")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("That email and password don't match").wait_for()
    sent.clear()
    sign_in(page, email)
    page.get_by_text("Nothing to do yet").wait_for()
    initiations = [body for body in sent if '"AuthFlow"' in body]
    assert initiations and all('"USER_SRP_AUTH"' in body for body in initiations)
    # Only a proof of the password went out, never the password.
    assert not any(PASSWORD in body for body in sent)
