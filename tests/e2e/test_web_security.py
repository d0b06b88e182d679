"""The web app under the deployed Content-Security-Policy, in real Chromium."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def deployed_script_src() -> str:
    """The script-src directive the deployed stacks send (serverless/merge.yaml)."""
    template = (ROOT / "serverless" / "merge.yaml").read_text()
    match = re.search(r"ContentSecurityPolicy: .*?(script-src [^;]*)", template)
    assert match, "no script-src in the ContentSecurityPolicy of serverless/merge.yaml"
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
