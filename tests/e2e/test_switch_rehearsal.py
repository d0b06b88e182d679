"""`make rehearse-switch`: one moto server under both compute paths (the Lambda
package behind the API Gateway emulation; gunicorn through the WSGI shim), the local
front door (tools/front_door.py) in front. A Chromium user and a background client
keep working while the door switches there and back as `make switch` does; the same
session and todos go on and not one request fails. Then it prints docs/choosing.md's
figures: latency through the door per path, and cold start of each.
"""

from __future__ import annotations

import statistics
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.contract.runtimes.base import User, make_user
from tests.contract.runtimes.lambda_package import LambdaRuntime, lambda_runtime
from tests.e2e.conftest import BrowserProblems
from tests.e2e.helpers import add_todo, new_email, row, sign_up, titles
from tools.front_door import Backend, FrontDoor
from tools.gunicorn_server import gunicorn_server, local_moto_stack
from tools.local_stack import Stack, aws_client

pytestmark = pytest.mark.integration

REQUEST_TIMEOUT_SECONDS = 30
# The background client's bound: it stops sooner when told to.
MAX_CLIENT_CYCLES = 2000
# After the door points at the target, the switch's window stays open this long,
# so requests on both sides of the swap are counted as the switch's.
SETTLE_SECONDS = 2.0
LATENCY_SAMPLES = 100


@dataclass
class Paths:
    door: FrontDoor
    stack: Stack
    serverless: Backend
    serverful: Backend
    lambda_api: LambdaRuntime
    gunicorn_environment: dict[str, str]


@contextmanager
def rehearsal_stack(log_dir: Path) -> Iterator[Paths]:
    """The stand-ins once, both compute runtimes on them, the door in front."""
    with ExitStack() as running:
        stack = running.enter_context(local_moto_stack(log_dir))
        door = running.enter_context(
            FrontDoor(
                {
                    "region": stack.region,
                    "userPoolId": stack.user_pool_id,
                    "userPoolClientId": stack.client_id,
                    "cognitoEndpoint": stack.endpoint,
                }
            )
        )
        # The app's links name the door, the one URL clients know, on both paths.
        public = {"PUBLIC_API_ORIGIN": door.origin}
        lambda_api = running.enter_context(lambda_runtime(stack=stack, environment=public))
        environment = {**stack.app_environment(), **public}
        server = running.enter_context(
            gunicorn_server(environment, log_path=log_dir / "gunicorn.log")
        )
        paths = Paths(
            door,
            stack,
            Backend("serverless", lambda_api.transport_url),
            Backend("serverful", server.base_url),
            lambda_api,
            environment,
        )
        yield paths
        for backend in (paths.serverless, paths.serverful):
            backend.close()


@dataclass
class Call:
    started: float
    ended: float
    ok: bool
    what: str


@dataclass
class BackgroundClient:
    """Its own user's create / read / update / list / delete, over and over through
    the door (one kept-alive connection), until stopped or MAX_CLIENT_CYCLES."""

    origin: str
    user: User
    calls: list[Call] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def finish(self) -> None:
        self.stop.set()
        self._thread.join(REQUEST_TIMEOUT_SECONDS * 2)

    def wait_for(self, count: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while len(self.calls) < count:
            assert self._thread.is_alive(), f"the background client stopped: {self.calls[-1:]}"
            assert time.monotonic() < deadline, f"the background client made {len(self.calls)}"
            time.sleep(0.05)

    def _run(self) -> None:
        try:
            self._cycles()
        except Exception as error:  # a crash is a failed request, reported as one
            now = time.monotonic()
            self.calls.append(Call(now, now, False, f"crashed: {error!r}"))

    def _cycles(self) -> None:
        with requests.Session() as session:
            session.headers.update(self.user.auth_headers)
            for cycle in range(MAX_CLIENT_CYCLES):
                if self.stop.is_set():
                    return
                created = self._call(session, "POST", "/todos", 201, json={"title": f"c{cycle}"})
                if created is None:
                    continue
                path = f"/todos/{created.json()['id']}"
                got = self._call(session, "GET", path, 200)
                etag = got.headers["ETag"] if got is not None else "*"
                self._call(session, "PATCH", path, 200, json={"completed": True}, etag=etag)
                self._call(session, "GET", "/todos?limit=5", 200)
                self._call(session, "DELETE", path, 204)

    def _call(
        self,
        session: requests.Session,
        method: str,
        path: str,
        expected: int,
        json: Any = None,
        etag: str | None = None,
    ) -> requests.Response | None:
        started = time.monotonic()
        what = f"{method} {path}"
        try:
            response = session.request(
                method,
                self.origin + path,
                json=json,
                headers={"If-Match": etag} if etag else {},
                timeout=REQUEST_TIMEOUT_SECONDS,
            )
        except requests.RequestException as error:
            self.calls.append(Call(started, time.monotonic(), False, f"{what}: {error}"))
            return None
        ok = response.status_code == expected
        detail = what if ok else f"{what}: {response.status_code} {response.text[:200]}"
        self.calls.append(Call(started, time.monotonic(), ok, detail))
        return response if ok else None

    def during(self, start: float, end: float) -> list[Call]:
        return [c for c in list(self.calls) if c.started <= end and c.ended >= start]


# The page's own reader: GET /todos with the session's token every 50 ms, counting.
BROWSER_LOOP_START = """async () => {
    const loop = (window.switchLoop = { ok: 0, failed: [], stop: false });
    const config = await (await fetch('/config.json')).json();
    loop.done = (async () => {
        while (!loop.stop) {
            const session = JSON.parse(sessionStorage.getItem('auth:session'));
            try {
                const answer = await fetch(config.apiUrl + '/todos', {
                    headers: { Authorization: 'Bearer ' + session.idToken },
                });
                if (answer.ok) loop.ok++;
                else loop.failed.push('HTTP ' + answer.status);
            } catch (error) {
                loop.failed.push(String(error));
            }
            await new Promise(resolve => setTimeout(resolve, 50));
        }
    })();
}"""
BROWSER_LOOP_STOP = """async () => {
    window.switchLoop.stop = true;
    await window.switchLoop.done;
    return { ok: window.switchLoop.ok, failed: window.switchLoop.failed };
}"""


@dataclass
class SwitchFigures:
    name: str
    client_requests: int
    client_failed: list[str]
    browser_requests: int
    browser_failed: list[str]
    in_flight_on_previous: int
    seconds: float

    @property
    def failed(self) -> int:
        return len(self.client_failed) + len(self.browser_failed)

    def line(self) -> str:
        return (
            f"  {self.name:<26} client {self.client_requests:4d} requests, "
            f"browser {self.browser_requests:3d}, "
            f"{self.in_flight_on_previous} in flight on the previous path at the swap, "
            f"failed: {self.failed}  ({self.seconds:.2f} s ready check to settled)"
        )


def switch(paths: Paths, target: Backend, client: BackgroundClient, page: Any) -> SwitchFigures:
    """`make switch`'s steps against the door, with the page and the client busy."""
    page.evaluate(BROWSER_LOOP_START)
    time.sleep(0.3)  # both readers running before the switch starts
    started = time.monotonic()
    ready = requests.get(target.url + "/ready", timeout=REQUEST_TIMEOUT_SECONDS)
    assert ready.status_code == 200, f"{target.name} /ready directly: {ready.status_code}"
    served_before = target.served
    previous = paths.door.switch(target)
    assert previous is not None
    in_flight = previous.in_flight
    through = requests.get(paths.door.origin + "/ready", timeout=REQUEST_TIMEOUT_SECONDS)
    assert through.status_code == 200, f"/ready through the door: {through.status_code}"
    assert target.served > served_before, "the door did not send /ready to the target"
    assert previous.wait_idle(), f"{previous.name} still has requests in flight"
    time.sleep(SETTLE_SECONDS)
    ended = time.monotonic()
    browser = page.evaluate(BROWSER_LOOP_STOP)
    calls = client.during(started, ended)
    return SwitchFigures(
        f"{previous.name} -> {target.name}",
        len(calls),
        [c.what for c in calls if not c.ok],
        browser["ok"] + len(browser["failed"]),
        browser["failed"],
        in_flight,
        ended - started,
    )


def test_switching_paths_keeps_the_session_the_todos_and_every_request(
    browser: Any, problems: BrowserProblems, tmp_path: Path
) -> None:
    with rehearsal_stack(tmp_path) as paths:
        door = paths.door
        door.switch(paths.serverless)
        context = browser.new_context(base_url=door.origin, viewport={"width": 1024, "height": 800})
        context.set_default_timeout(15_000)
        problems.watch(context)
        page = context.new_page()

        sign_up(page, new_email("switch"))
        add_todo(page, "Made on serverless")
        add_todo(page, "Also serverless")
        assert paths.serverless.served > 0 and paths.serverful.served == 0

        cognito = aws_client("cognito-idp", paths.stack.endpoint)
        client = BackgroundClient(door.origin, make_user(cognito, paths.stack))
        client.start()
        try:
            client.wait_for(20)  # busy before the first switch
            there = switch(paths, paths.serverful, client, page)
            # The same session (no sign-in), the same todos, and writes on this path.
            page.reload()
            page.get_by_role("button", name="Sign out").wait_for()
            page.get_by_text("Also serverless").wait_for()
            assert set(titles(page)) == {"Made on serverless", "Also serverless"}
            add_todo(page, "Made on serverful")
            row(page, "Made on serverless").get_by_role("checkbox").check()
            page.wait_for_function(
                "() => !document.querySelector('#todo-list input[type=checkbox]:disabled')"
            )
            served_by_serverful = paths.serverful.served
            back = switch(paths, paths.serverless, client, page)
            page.reload()
            page.get_by_role("button", name="Sign out").wait_for()
            page.get_by_text("Made on serverful").wait_for()
        finally:
            client.finish()

        assert set(titles(page)) == {"Made on serverless", "Also serverless", "Made on serverful"}
        assert row(page, "Made on serverless").get_by_role("checkbox").is_checked()
        assert served_by_serverful > 0
        failed = [c.what for c in client.calls if not c.ok]
        print(f"\nswitch rehearsal: {len(client.calls)} background requests in all")
        for figures in (there, back):
            print(figures.line())
            assert figures.client_requests > 0 and figures.browser_requests > 0
            assert figures.failed == 0, figures
        assert not failed, f"background requests failed: {failed[:10]}"
        # Same origin: not one CORS preflight reached the API.
        assert door.api_methods["OPTIONS"] == 0, door.api_methods
        context.close()

        print_measurements(paths, client.user)


# ---------------------------------------------------------------- docs/choosing.md's figures


def timed_get(session: requests.Session, url: str) -> float:
    started = time.perf_counter()
    answer = session.get(url, timeout=REQUEST_TIMEOUT_SECONDS)
    elapsed = (time.perf_counter() - started) * 1000
    assert answer.status_code == 200, answer.text
    return elapsed


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def time_invocations(api: LambdaRuntime) -> list[float]:
    """From now on, each invocation's duration in ms (the gateway's call of the
    function, as Lambda's billed duration counts it), appended to the list returned."""
    durations: list[float] = []
    invoke = api.function.invoke

    def timed(event: dict[str, Any], request_id: str) -> Any:
        started = time.perf_counter()
        try:
            return invoke(event, request_id)
        finally:
            durations.append((time.perf_counter() - started) * 1000)

    api.function.invoke = timed  # type: ignore[method-assign]
    return durations


def print_measurements(paths: Paths, user: User) -> None:
    """Latency through the door per path (GET /todos/{id}, one kept-alive
    connection, one at a time), and each path's cold start with its first request."""
    door = paths.door
    with requests.Session() as session:
        session.headers.update(user.auth_headers)
        created = session.post(f"{door.origin}/todos", json={"title": "timed"}, timeout=30)
        assert created.status_code == 201, created.text
        url = f"{door.origin}/todos/{created.json()['id']}"
        print(f"latency through the front door, GET /todos/{{id}}, {LATENCY_SAMPLES} in a row:")
        invocations = time_invocations(paths.lambda_api)
        for backend in (paths.serverless, paths.serverful):
            door.switch(backend)
            timed_get(session, url)
            invocations.clear()
            samples = [timed_get(session, url) for _ in range(LATENCY_SAMPLES)]
            print(
                f"  {backend.name:<10} p50 {statistics.median(samples):6.1f} ms"
                f"   p99 {percentile(samples, 0.99):6.1f} ms"
            )
            if backend is paths.serverless:
                print(
                    f"  (the function's invocations, what Lambda bills: p50 "
                    f"{statistics.median(invocations):.1f} ms, p99 "
                    f"{percentile(invocations, 0.99):.1f} ms)"
                )

        print("cold start (wall time) and the first request through the door after it:")
        door.switch(paths.serverless)
        init_ms = paths.lambda_api.function.cold_start() * 1000
        first = timed_get(session, url)
        steady = statistics.median(timed_get(session, url) for _ in range(20))
        print(
            f"  serverless: new execution environment {init_ms:6.0f} ms to the handler "
            f"imported; first GET {first:5.1f} ms, steady {steady:5.1f} ms"
        )
        with tempfile.TemporaryDirectory(prefix="new-worker-") as log_dir:
            started = time.perf_counter()
            with gunicorn_server(
                paths.gunicorn_environment, workers=1, log_path=Path(log_dir) / "gunicorn.log"
            ) as server:
                launch_ms = (time.perf_counter() - started) * 1000
                fresh = Backend("serverful-new", server.base_url)
                door.switch(fresh)
                first = timed_get(session, url)
                steady = statistics.median(timed_get(session, url) for _ in range(20))
                door.switch(paths.serverful)
                assert fresh.wait_idle()
                fresh.close()
        print(
            f"  serverful:  new EC2 worker (1 gunicorn worker) {launch_ms:6.0f} ms to its "
            f"first /health; first GET {first:5.1f} ms, steady {steady:5.1f} ms"
        )
