"""The real local stack (moto + chalice local via scripts/dev.py), the built web app
served statically, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import functools
import json
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.dev_stack import dev_stack

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "frontend" / "dist"
AXE_JS = ROOT / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@dataclass(frozen=True)
class Stack:
    web_url: str
    api_url: str
    moto_url: str
    client_id: str


def _require_tools() -> None:
    if not (DIST / "index.html").exists():
        pytest.fail(f"No web build in {DIST}: run `make web-build` (make test does it).")
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} is missing: run `make web-install`.")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: `apt-get install -y chromium`.")


def _static_server(config: dict[str, Any]) -> tuple[ThreadingHTTPServer, str]:
    """Serves frontend/dist as a static host would, plus /config.json made from `config`
    (read at request time: the stack fills it in once it is up)."""

    class Handler(SimpleHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path.split("?")[0] == "/config.json":
                body = json.dumps(config).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Cache-Control", "no-store")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            super().do_GET()

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep the test output readable

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(DIST)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory, screenshot_store: None) -> Iterator[Stack]:
    _require_tools()
    # The web origin must be known before the API starts (CORS), so bind the static
    # server first and hand the config to it once the stack is up.
    config: dict[str, Any] = {}
    server, web_url = _static_server(config)
    try:
        with dev_stack(tmp_path_factory.mktemp("dev-state"), cors_origins=web_url) as running:
            info = running.info
            config.update(
                apiUrl=info["api_url"],
                region=info["region"],
                userPoolId=info["user_pool_id"],
                userPoolClientId=info["client_id"],
                cognitoEndpoint=info["endpoint"],
                authFlow="USER_PASSWORD_AUTH",  # as scripts/dev.py writes it
            )
            yield Stack(web_url, info["api_url"], info["endpoint"], info["client_id"])
    finally:
        server.shutdown()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    _require_tools()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM)
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Any, stack: Stack) -> Iterator[Any]:
    context = browser.new_context(base_url=stack.web_url, viewport={"width": 1024, "height": 800})
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert not errors, f"uncaught errors in the page: {errors}"


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
