"""`make bench-serverful` (``python -m bench.serverful``): the serverful path's speed.

Side by side, ``today`` (the code and gunicorn.conf.py of BENCH_TODAY_REF, by
default the last commit before issue 13, unpacked with ``git archive``) and
``new`` (this checkout), each with its own serialized moto server and gunicorn
with ONE worker, loaded by ``wrk`` (-t2 -c8, BENCH_SECONDS each, BENCH_ROUNDS
interleaved rounds, medians):

  req/s, p50, p99, p99.9, errors, server CPU us per request (the gunicorn master's
  and workers' user+sys CPU over the run / requests), worker restarts in the run

for GET /health, authenticated GET /todos/{id}, GET /todos?limit=20 (a page of 20)
and POST /todos. Then: start-up (``import app``; gunicorn launched -> its first
/health 200), a fresh worker's first authenticated request against a steady one
(medians over 3 fresh workers), in this process the token check and the app's CPU
per request, and what bounds the throughput goals: gunicorn serving an app that
only answers 200 and a one-route Chalice app behind the shim (bench/bare_wsgi), and
creates with 4 workers (the moto server saturated).
A benchmark prints numbers; it fails only when requests fail.
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

import requests

from bench.api_requests import import_time_ms
from scripts.gunicorn_server import GunicornServer, gunicorn_server, local_moto_stack
from scripts.local_stack import LocalUser, Stack, aws_client, new_user, wait_for_http

WRK_SCRIPT = Path(__file__).with_name("wrk_report.lua")
BARE_APP_DIR = Path(__file__).with_name("bare_wsgi")
# Issue 13's reference: FastAPI + uvicorn, same moto, 1 worker, wrk -t2 -c8 -d10s.
REFERENCE_RPS = {"GET /health": 3922, "POST /todos": 455, "GET /todos?limit=20": 115}
REFERENCE_IMPORT_MS, REFERENCE_LAUNCH_MS = 418, 536
# The last commit before issue 13's changes.
TODAY_REF = "e751501"
CONFIGS = ("today", "new")
PAGE = 20
ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Run:
    scenario: str
    config: str
    requests: int
    seconds: float
    errors: int
    p50_ms: float
    p99_ms: float
    p999_ms: float
    cpu_us_per_request: float
    restarts: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


@dataclass
class Scenario:
    name: str
    method: str
    path: str
    body: str = ""
    authenticated: bool = True


@dataclass
class Target:
    """One configuration under test: its gunicorn, moto stack and users."""

    config: str
    server: GunicornServer
    stack: Stack
    log: Path
    reader: LocalUser  # owns one todo and a page of PAGE todos
    cognito: Any  # makes a new writer for each run of creates
    todo_path: str


def require_wrk() -> str:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("wrk is not installed: `make bench-serverful` installs it (apt-get)")
    return wrk


def run_wrk(wrk: str, target: Target, scenario: Scenario, seconds: float) -> Run:
    # Each run of creates has a user of its own: a few runs' todos would pass the
    # per-user quota (5,000), and every create after it is a 409.
    user = (
        new_user(target.cognito, target.stack, "bench-writer")
        if scenario.method == "POST"
        else target.reader
    )
    authorization = user.auth_headers["Authorization"] if scenario.authenticated else ""
    path = scenario.path.replace("{id}", target.todo_path)
    return run_wrk_on(wrk, target.config, target.server, target.log, scenario, path,
                      authorization, seconds)  # fmt: skip


def run_wrk_on(
    wrk: str,
    config: str,
    server: GunicornServer,
    log: Path,
    scenario: Scenario,
    path: str,
    authorization: str,
    seconds: float,
) -> Run:
    env = {
        **os.environ,
        "WRK_METHOD": scenario.method,
        "WRK_BODY": scenario.body,
        "WRK_AUTHORIZATION": authorization,
    }
    # --timeout: a slow answer (moto on a busy machine) is latency, not an error.
    command = [wrk, "-t2", "-c8", f"-d{seconds:.0f}s", "--timeout", "10s", "-s", str(WRK_SCRIPT)]
    boots_before = worker_boots(log)
    cpu_before = process_tree_cpu_seconds(server.pid)
    output = subprocess.run(
        [*command, server.base_url + path], env=env, capture_output=True, text=True
    )
    cpu = process_tree_cpu_seconds(server.pid) - cpu_before
    summary = next(
        (
            json.loads(line.split(" ", 1)[1])
            for line in output.stdout.splitlines()
            if line.startswith("WRK_SUMMARY ")
        ),
        None,
    )
    if summary is None:
        raise SystemExit(f"wrk failed: {output.stdout}\n{output.stderr}")
    requests = summary["requests"]
    return Run(
        scenario=scenario.name,
        config=config,
        requests=requests,
        seconds=summary["duration_us"] / 1e6,
        errors=sum(summary[k] for k in ("connect", "read", "write", "status", "timeout")),
        p50_ms=summary["p50_us"] / 1000,
        p99_ms=summary["p99_us"] / 1000,
        p999_ms=summary["p999_us"] / 1000,
        cpu_us_per_request=cpu * 1e6 / requests if requests else float("nan"),
        restarts=worker_boots(log) - boots_before,
    )


def process_tree_cpu_seconds(master_pid: int) -> float:
    """User+sys CPU of the gunicorn master, its live workers and its reaped ones."""
    ticks = 0
    for stat_path in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat_path.read_text()
        except OSError:
            continue  # the process ended meanwhile
        pid = int(text.split(" ", 1)[0])
        fields = text.rsplit(")", 1)[1].split()
        ppid = int(fields[1])
        utime, stime, cutime, cstime = (int(value) for value in fields[11:15])
        if pid == master_pid:
            ticks += utime + stime + cutime + cstime  # cutime/cstime: reaped workers
        elif ppid == master_pid:
            ticks += utime + stime
    return ticks / os.sysconf("SC_CLK_TCK")


def worker_boots(log: Path) -> int:
    return sum(1 for line in log.read_text().splitlines() if "Spawning worker" in line)


def workers_of(master_pid: int) -> list[int]:
    workers = []
    for stat_path in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat_path.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master_pid:
            workers.append(int(stat_path.parent.name))
    return workers


def cpu_ns(pid: int) -> int:
    """CPU time of all of a process's threads, in ns (schedstat: finer than ticks)."""
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        total += int((task / "schedstat").read_text().split()[0])
    return total


@dataclass
class FirstRequest:
    first_ms: float
    steady_ms: float  # median
    first_cpu_us: float  # the worker's CPU for the request
    steady_cpu_us: float  # median


def first_request(target: Target, samples: int = 30) -> FirstRequest:
    """A fresh worker's first authenticated request, against the next ones."""
    (worker,) = workers_of(target.server.pid)
    url, headers = target.server.base_url + target.todo_path, target.reader.auth_headers
    wall, cpu = [], []
    for _ in range(samples + 1):
        before = cpu_ns(worker)
        result = requests.get(url, headers=headers, timeout=30)  # a new connection each
        if result.status_code != 200:
            raise SystemExit(f"GET {target.todo_path}: {result.status_code} {result.content!r}")
        cpu.append((cpu_ns(worker) - before) / 1000)
        wall.append(result.elapsed.total_seconds() * 1000)  # until the answer's headers
    return FirstRequest(wall[0], statistics.median(wall[1:]), cpu[0], statistics.median(cpu[1:]))


def replace_worker(target: Target) -> None:
    """Stop the worker as recycling would (SIGTERM); the master forks a fresh one."""
    (worker,) = workers_of(target.server.pid)
    boots = worker_boots(target.log)
    os.kill(worker, signal.SIGTERM)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if worker_boots(target.log) > boots and workers_of(target.server.pid) not in ([], [worker]):
            break
        time.sleep(0.05)
    wait_for_http(f"{target.server.base_url}/health")


def unpack(ref: str, into: Path) -> Path:
    """The files of commit `ref` (no .git), to run today's code beside the new."""
    into.mkdir(parents=True)
    archive = subprocess.run(["git", "archive", ref], cwd=ROOT, capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    return into


@contextmanager
def serve(config: str, app_dir: Path, log_dir: Path, workers: int = 1) -> Iterator[Target]:
    config_dir = log_dir / config
    config_dir.mkdir(parents=True)
    # gunicorn imports wsgi:application and reads gunicorn.conf.py from app_dir.
    log = config_dir / "gunicorn.log"
    with local_moto_stack(config_dir) as stack:
        cognito = aws_client("cognito-idp", stack.endpoint)
        reader = new_user(cognito, stack, "bench-reader")
        with gunicorn_server(
            stack.app_environment(), workers=workers, log_path=log, app_dir=app_dir
        ) as server:
            todo_path = ""
            for i in range(PAGE):
                created = requests.post(
                    f"{server.base_url}/todos",
                    headers=reader.auth_headers,
                    json={"title": f"#{i}"},
                    timeout=30,
                )
                if created.status_code != 201:
                    raise SystemExit(
                        f"could not create a todo: {created.status_code} {created.content!r}"
                    )
                todo_path = todo_path or f"/todos/{created.json()['id']}"
            yield Target(config, server, stack, log, reader, cognito, todo_path)


def fresh_worker_first_request(
    app_dirs: dict[str, Path], log_dir: Path, workers: int = 3
) -> dict[str, FirstRequest]:
    """Each config's fresh single worker: the first authenticated request it serves,
    for `workers` fresh workers one after the other (a first request is one sample:
    the median of a few)."""
    timings = {}
    for config, app_dir in app_dirs.items():
        with serve(config, app_dir, log_dir / "fresh") as target:
            samples = []
            for _ in range(workers):
                replace_worker(target)  # serve() made todos through the first worker
                samples.append(first_request(target))
            timings[config] = FirstRequest(
                *(
                    statistics.median(getattr(s, f.name) for s in samples)
                    for f in dataclasses.fields(FirstRequest)
                )
            )
    return timings


@dataclass
class StartUp:
    import_ms: float  # `import app` in a fresh interpreter, median
    launch_ms: float  # gunicorn (1 worker) started -> its first /health 200, median


def start_up(app_dir: Path, stack: Stack, runs: int = 3) -> StartUp:
    launches = []
    for _ in range(runs):
        started = time.perf_counter()
        # Ready once its /health answers 200 (polled every READY_POLL_SECONDS).
        with gunicorn_server(stack.app_environment(), workers=1, app_dir=app_dir):
            launches.append((time.perf_counter() - started) * 1000)
    return StartUp(import_time_ms(app_dir)[0], statistics.median(launches))


@dataclass
class Bounds:
    bare_health: Run  # gunicorn, this gunicorn.conf.py, an app that only answers 200
    chalice_health: Run  # the same, with a Chalice app of one route behind the shim
    create_4_workers: Run  # this checkout with 4 workers: as many creates as moto takes

    @property
    def runs(self) -> list[Run]:
        return [self.bare_health, self.chalice_health, self.create_4_workers]


def throughput_bounds(wrk: str, log_dir: Path, seconds: float) -> Bounds:
    """What caps the throughput goals: gunicorn's own cost per request, and moto's
    for a create (a transaction of the todo and its owner's count)."""
    health, create = SCENARIOS[0], SCENARIOS[-1]
    health_runs = []
    for app in ("wsgi", "chalice"):
        log = log_dir / f"bare-{app}.log"
        environment = {"BARE_APP": app, "PYTHONPATH": str(ROOT)}
        with gunicorn_server(environment, workers=1, log_path=log, app_dir=BARE_APP_DIR) as server:
            health_runs.append(
                run_wrk_on(wrk, f"bare-{app}", server, log, health, health.path, "", seconds)
            )
    with serve("new-4-workers", ROOT, log_dir, workers=4) as target:
        create_4 = run_wrk(wrk, target, create, seconds)
    bare, chalice = health_runs
    return Bounds(bare, chalice, create_4)


@dataclass
class InProcess:
    token_cached_us: float
    token_new_us: float
    app_get_us: float
    app_list_us: float


def in_process_costs(target: Target, number: int = 300) -> InProcess:
    """CPU in this process: token checks, and app(event) for a GET and a page of 20."""
    env = {**target.stack.app_environment(), "PUBLIC_API_ORIGIN": "http://localhost"}
    with mock.patch.dict(os.environ, env):
        import app as app_module
        from chalicelib.auth import JwksCache, TokenVerifier
        from chalicelib.config import load_settings
        from chalicelib.wsgi import ChaliceWSGIAdapter

        settings = load_settings()
        app_module.configure(app_module.build_dependencies(settings))
        app_module.observability.set_stream(io.StringIO())  # the request lines are not the bench's
        try:
            token = target.reader.id_token
            jwks = JwksCache(settings.jwks_url)
            verifier = TokenVerifier(settings, jwks)
            verifier.verify(token)  # keys fetched, token verified once
            cached = cpu_us(lambda: verifier.verify(token), number * 30)
            # A fresh verifier has not seen the token: the full check, keys in hand.
            new = cpu_us(lambda: TokenVerifier(settings, jwks).verify(token), number)
            adapter = ChaliceWSGIAdapter(app_module.app)

            def app_cpu(path: str) -> float:
                path, _, query = path.partition("?")
                environ = {
                    "REQUEST_METHOD": "GET",
                    "PATH_INFO": path,
                    "QUERY_STRING": query,
                    "HTTP_AUTHORIZATION": f"Bearer {token}",
                    "wsgi.input": io.BytesIO(),
                }
                event = adapter.build_event(environ, "request-id")
                assert event is not None
                app_module.app(event, None)  # warm
                return cpu_us(lambda: app_module.app(event, None), number // 3)

            return InProcess(
                cached, new, app_cpu(target.todo_path), app_cpu(f"/todos?limit={PAGE}")
            )
        finally:
            app_module.configure(None)


def cpu_us(call: Callable[[], Any], number: int, rounds: int = 5) -> float:
    best = float("inf")
    for _ in range(rounds):
        started = time.process_time()
        for _ in range(number):
            call()
        best = min(best, (time.process_time() - started) / number * 1e6)
    return best


SCENARIOS = [
    Scenario("GET /health", "GET", "/health", authenticated=False),
    Scenario("GET /todos/{id}", "GET", "{id}"),
    Scenario(f"GET /todos?limit={PAGE}", "GET", f"/todos?limit={PAGE}"),
    Scenario("POST /todos", "POST", "/todos", body='{"title": "bench"}'),
]


def median_run(runs: list[Run]) -> Run:
    return sorted(runs, key=lambda run: run.rps)[len(runs) // 2]


def print_table(runs: list[Run]) -> None:
    print(
        f"{'scenario':<22}{'config':<7}{'req/s':>8}{'vs ref':>8}{'p50 ms':>8}{'p99 ms':>8}"
        f"{'p99.9':>8}{'errors':>7}{'CPU us/req':>11}{'restarts':>9}"
    )
    for scenario in SCENARIOS:
        for config in CONFIGS:
            mine = [r for r in runs if r.scenario == scenario.name and r.config == config]
            run = median_run(mine)
            reference = REFERENCE_RPS.get(scenario.name)
            ratio = f"{run.rps / reference:.2f}" if reference else "-"
            print(
                f"{run.scenario:<22}{run.config:<7}{run.rps:>8.0f}{ratio:>8}{run.p50_ms:>8.2f}"
                f"{run.p99_ms:>8.2f}{run.p999_ms:>8.2f}{run.errors:>7}"
                f"{run.cpu_us_per_request:>11.0f}{run.restarts:>9}"
            )


def print_bounds(bounds: Bounds, runs: list[Run]) -> None:
    health_goal = 1.3 * REFERENCE_RPS["GET /health"]
    health = median_run([r for r in runs if r.scenario == "GET /health" and r.config == "new"])
    bare, chalice = bounds.bare_health, bounds.chalice_health

    def beyond_gunicorn_us(rps: float) -> float:
        """A request's time in one worker beyond what gunicorn itself takes."""
        return (1 / rps - 1 / bare.rps) * 1e6

    print(
        "\nWhat bounds the throughput goals (1 worker unless said):\n"
        f"  GET /health, gunicorn + an app that only answers 200:       {bare.rps:6.0f} req/s "
        f"({bare.cpu_us_per_request:.0f} us CPU/req)\n"
        f"  GET /health, gunicorn + the shim + a one-route Chalice app: {chalice.rps:6.0f} req/s "
        f"({chalice.cpu_us_per_request:.0f} us CPU/req)\n"
        f"    the goal, {health_goal:.0f} req/s, leaves {beyond_gunicorn_us(health_goal):.0f} us "
        f"a request beyond gunicorn; the shim and Chalice take "
        f"{beyond_gunicorn_us(chalice.rps):.0f} us, "
        f"the whole app {beyond_gunicorn_us(health.rps):.0f} us\n"
        f"  POST /todos with 4 workers (moto's limit):                  "
        f"{bounds.create_4_workers.rps:6.0f} req/s vs the reference's "
        f"{REFERENCE_RPS['POST /todos']} (one PutItem, no quota)"
    )


def main() -> int:
    wrk = require_wrk()
    seconds = float(os.environ.get("BENCH_SECONDS", "10"))
    rounds = int(os.environ.get("BENCH_ROUNDS", "1"))
    runs: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="bench-serverful-") as temporary:
        log_dir = Path(temporary)
        today_ref = os.environ.get("BENCH_TODAY_REF", TODAY_REF)
        app_dirs = {"today": unpack(today_ref, log_dir / "today-code"), "new": ROOT}
        with ExitStack() as running:
            targets = [
                running.enter_context(serve(config, app_dir, log_dir))
                for config, app_dir in app_dirs.items()
            ]
            print(f"wrk -t2 -c8 -d{seconds:.0f}s, 1 worker, {rounds} round(s); today = {today_ref}")
            for target in targets:
                print(f"  {target.config}: gunicorn at {target.server.base_url}")
            for round_number in range(rounds):
                for scenario in SCENARIOS:
                    for target in targets:  # interleaved: the machine's drift hits both
                        runs.append(run_wrk(wrk, target, scenario, seconds))
                print(f"round {round_number + 1} done")
            costs = in_process_costs(targets[-1])
            start_ups = {
                target.config: start_up(app_dirs[target.config], target.stack) for target in targets
            }
        first = fresh_worker_first_request(app_dirs, log_dir)
        bounds = throughput_bounds(wrk, log_dir, seconds)

    print()
    print_table(runs)
    print(
        f"\nStart-up, medians (the reference: {REFERENCE_IMPORT_MS} ms, {REFERENCE_LAUNCH_MS} ms):"
    )
    for config, times in start_ups.items():
        print(
            f"  {config:<6} import app {times.import_ms:6.1f} ms;  "
            f"gunicorn launched -> first /health 200 {times.launch_ms:6.1f} ms"
        )
    print(
        "\nA fresh worker's first authenticated GET /todos/{id} vs the next ones' median"
        " (medians of 3 fresh workers):"
    )
    for config, f in first.items():
        print(
            f"  {config:<6} worker CPU {f.first_cpu_us:7.0f} us vs {f.steady_cpu_us:5.0f} us "
            f"= {f.first_cpu_us / f.steady_cpu_us:4.1f}x (target <= 2x);  "
            f"wall {f.first_ms:6.1f} ms vs {f.steady_ms:5.1f} ms"
        )
    print(
        "\nIn this process (CPU, best of 5):\n"
        f"  token check, already verified: {costs.token_cached_us:8.1f} us (target <= 20)\n"
        f"  token check, new token:        {costs.token_new_us:8.1f} us\n"
        f"  app, authenticated GET /todos/{{id}}:       {costs.app_get_us:8.0f} us\n"
        f"  app, authenticated GET /todos?limit={PAGE}:  {costs.app_list_us:8.0f} us"
    )
    print_bounds(bounds, runs)
    failed = [run for run in [*runs, *bounds.runs] if run.errors]
    for run in failed:
        print(f"FAIL: {run.scenario} ({run.config}): {run.errors} errors", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
