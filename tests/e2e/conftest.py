"""The real local stack (moto + chalice local via tools/dev.py), the built web app
and the API on one origin through the local front door, and Debian's Chromium
driven by Playwright."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.dev_stack import dev_stack
from tools.front_door import Backend, FrontDoor

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "web" / "dist"
AXE_JS = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@dataclass(frozen=True)
class Stack:
    web_url: str
    api_url: str
    moto_url: str
    client_id: str
    door: FrontDoor


def _require_tools() -> None:
    if not (DIST / "index.html").exists():
        pytest.fail(f"No web build in {DIST}: run `make web-build` (make test does it).")
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} is missing: run `make web-install`.")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: `apt-get install -y chromium`.")


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory, screenshot_store: None) -> Iterator[Stack]:
    _require_tools()
    # The front door (tools/front_door.py, CloudFront's part) serves the web app and
    # routes the API's paths to the API: one origin, as deployed, so no CORS preflight.
    # Its origin is known before the API starts; its config is filled once the stack is up.
    with (
        FrontDoor({}, dist=DIST) as door,
        dev_stack(
            tmp_path_factory.mktemp("dev-state"),
            cors_origins=door.origin,
            public_api_origin=door.origin,
        ) as info,
    ):
        door.web_config.update(
            region=info["region"],
            userPoolId=info["user_pool_id"],
            userPoolClientId=info["client_id"],
            cognitoEndpoint=info["endpoint"],
        )
        door.switch(Backend("chalice local", info["api_url"]))
        yield Stack(door.origin, door.origin, info["endpoint"], info["client_id"], door)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    _require_tools()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM)
        yield instance
        instance.close()


@dataclass
class BrowserProblems:
    """Everything that went wrong in a test's pages: uncaught errors, console errors,
    failed requests and 4xx/5xx answers. A test fails on any it did not `expect`."""

    seen: list[str] = field(default_factory=list)
    expected: list[re.Pattern[str]] = field(default_factory=list)

    def expect(self, pattern: str) -> None:
        """Allow problems matching `pattern` (a regex): the test causes them on purpose."""
        self.expected.append(re.compile(pattern))

    def watch(self, context: Any) -> None:
        context.on("page", self._watch_page)
        for page in context.pages:
            self._watch_page(page)

    def _watch_page(self, page: Any) -> None:
        page.on("pageerror", lambda error: self.seen.append(f"uncaught error: {error}"))
        page.on("console", self._console)
        page.on("requestfailed", self._request_failed)
        page.on("response", self._response)

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.seen.append(f"console error: {message.text} (at {message.location.get('url')})")

    def _request_failed(self, request: Any) -> None:
        failure = request.failure or ""
        # A reload or navigation cancels what is in flight: the browser's doing, not a fault.
        if "ERR_ABORTED" not in failure:
            self.seen.append(f"request failed: {request.method} {request.url} ({failure})")

    def _response(self, response: Any) -> None:
        if response.status >= 400:
            self.seen.append(f"HTTP {response.status}: {response.request.method} {response.url}")

    def unexpected(self) -> list[str]:
        return [p for p in self.seen if not any(e.search(p) for e in self.expected)]


@pytest.fixture
def problems() -> Iterator[BrowserProblems]:
    found = BrowserProblems()
    yield found
    unexpected = found.unexpected()
    assert not unexpected, "problems in the browser:\n" + "\n".join(unexpected)


@pytest.fixture
def new_context(
    browser: Any, stack: Stack, problems: BrowserProblems
) -> Iterator[Callable[..., Any]]:
    """Opens browser contexts on the web app whose problems fail the test; closed after it."""
    opened: list[Any] = []

    def open_context(**options: Any) -> Any:
        options = {"viewport": {"width": 1024, "height": 800}, **options}
        context = browser.new_context(base_url=stack.web_url, **options)
        context.set_default_timeout(15_000)
        problems.watch(context)
        opened.append(context)
        return context

    yield open_context
    for context in opened:
        context.close()


@pytest.fixture
def page(new_context: Callable[..., Any]) -> Any:
    return new_context().new_page()


_screenshots: dict[str, bytes] = {}


@pytest.fixture(scope="session")
def screenshot_store() -> Iterator[None]:
    """Screenshots are written only after the stack stops: `chalice local` restarts
    whenever a file under the repository changes, and a restart mid-test refuses
    the browser's requests."""
    yield
    SCREENSHOTS.mkdir(exist_ok=True)
    for name, png in _screenshots.items():
        (SCREENSHOTS / f"{name}.png").write_bytes(png)


def screenshot(page: Any, name: str) -> None:
    _screenshots[name] = page.screenshot(full_page=True)


def run_axe(page: Any) -> list[dict[str, Any]]:
    """axe-core's violations for the page as it is now."""
    page.add_script_tag(path=str(AXE_JS))
    result: dict[str, Any] = page.evaluate("async () => await axe.run(document)")
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]]}
        for v in result["violations"]
    ]
