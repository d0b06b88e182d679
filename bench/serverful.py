"""`make bench-serverful` (``python -m bench.serverful``): the serverful path's speed,
beside the reference API.

**ours** (server.py: granian, ONE worker process of SERVER_THREADS threads) and the
**reference** (the original FastAPI + uvicorn backend, ONE process, run from
shared/reference/seed-api in a venv of its own, never copied), each on its own local
stand-in (``tools.local_stack serialized-moto``), real moto-issued tokens, loaded by
``wrk`` (-t2 -c8, BENCH_SECONDS each, BENCH_ROUNDS >= 3 interleaved rounds, medians):

  req/s, p50, p99, errors, server CPU us per request (the server's processes' user+sys
  CPU over the run / requests), and the ratio ours / reference

for GET /health, an authenticated create and an authenticated list of 20. For each
authenticated scenario, **the stand-in's own ceiling**: the DynamoDB requests that the
API call makes (captured from each API: ours through botocore, the reference's from its
source's PutItem and Query), sent straight to a moto server by wrk with as many
connections; an API that waits on moto can serve no more than that. Then ``import app``
on CPython 3.13 and 3.11, and a fresh worker's first authenticated request against the
next ones, with the warm-up (wsgi.WARM_UP_ROUNDS) and without.
A benchmark prints numbers; it fails only when requests fail or a worker restarts.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from unittest import mock

import requests

from tools.gunicorn_server import gunicorn_server, local_moto_stack
from tools.local_stack import (
    Stack,
    aws_client,
    background_process,
    free_port,
    new_user,
)

ROOT = Path(__file__).resolve().parent.parent
WRK_SCRIPT = Path(__file__).with_name("wrk_report.lua")
PAGE = 20
# The reference's README: its own venv, Python 3.11.
REFERENCE_PYTHON = "3.11"
BENCH_DIR = ROOT / "build" / "bench"
IMPORT_RUNS = 5


@dataclass
class Run:
    scenario: str
    api: str
    requests: int
    seconds: float
    errors: int
    p50_ms: float
    p99_ms: float
    cpu_us_per_request: float
    restarts: int  # workers respawned during the run

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


@dataclass
class Call:
    """One HTTP request, as wrk sends it."""

    method: str
    path: str
    body: str = ""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Api:
    """One API under test: its server, its stand-in, and its requests per scenario."""

    name: str
    base_url: str
    pid: int
    stack: Stack
    calls: dict[str, Callable[[], Call]]  # scenario -> a call (a create's: a new user)
    moto_calls: dict[str, list[Call]]  # scenario -> the DynamoDB requests it makes
    log: Path  # the server's output

    def worker_starts(self) -> int:
        return self.log.read_text().count("Spawning worker")  # granian's line (uvicorn: none)


SCENARIOS = ("GET /health", "create", f"list of {PAGE}")


def require_wrk() -> str:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("wrk is not installed: `make bench-serverful` installs it (apt-get)")
    return wrk


def run_wrk(wrk: str, base_url: str, call: Call, seconds: float) -> dict[str, Any]:
    env = {
        **os.environ,
        "WRK_METHOD": call.method,
        "WRK_BODY": call.body,
        "WRK_AUTHORIZATION": call.headers.get("Authorization", ""),
        "WRK_HEADERS": "".join(
            f"{name}: {value}\n" for name, value in call.headers.items() if name != "Authorization"
        ),
    }
    # --timeout: a slow answer (moto on a busy machine) is latency, not an error.
    command = [wrk, "-t2", "-c8", f"-d{seconds:.0f}s", "--timeout", "10s", "-s", str(WRK_SCRIPT)]
    output = subprocess.run(
        [*command, base_url + call.path], env=env, capture_output=True, text=True
    )
    for line in output.stdout.splitlines():
        if line.startswith("WRK_SUMMARY "):
            summary: dict[str, Any] = json.loads(line.split(" ", 1)[1])
            return summary
    raise SystemExit(f"wrk failed: {output.stdout}\n{output.stderr}")


def load(wrk: str, api: Api, scenario: str, seconds: float) -> Run:
    call = api.calls[scenario]()
    starts_before = api.worker_starts()
    cpu_before = process_tree_cpu_seconds(api.pid)
    summary = run_wrk(wrk, api.base_url, call, seconds)
    cpu = process_tree_cpu_seconds(api.pid) - cpu_before
    count = summary["requests"]
    return Run(
        scenario=scenario,
        api=api.name,
        requests=count,
        seconds=summary["duration_us"] / 1e6,
        errors=sum(summary[k] for k in ("connect", "read", "write", "status", "timeout")),
        p50_ms=summary["p50_us"] / 1000,
        p99_ms=summary["p99_us"] / 1000,
        cpu_us_per_request=cpu * 1e6 / count if count else float("nan"),
        restarts=api.worker_starts() - starts_before,
    )


def ceiling_rps(wrk: str, api: Api, scenario: str, seconds: float) -> float:
    """The stand-in alone: how many of this API call's DynamoDB requests it answers a
    second (a call of several requests: the time of each, added up)."""
    seconds_per_call = 0.0
    for call in api.moto_calls[scenario]:
        summary = run_wrk(wrk, endpoint_of(api.stack), call, seconds)
        seconds_per_call += summary["duration_us"] / 1e6 / summary["requests"]
    return 1 / seconds_per_call


def endpoint_of(stack: Stack) -> str:
    assert stack.endpoint, "the bench's stand-in is a moto server"
    return stack.endpoint


def cpu_us(call: Callable[[], Any], number: int, rounds: int = 5) -> float:
    """CPU of one `call` in this process, best of `rounds` (bench/api_cpu.py's too)."""
    best = float("inf")
    for _ in range(rounds):
        started = time.process_time()
        for _ in range(number):
            call()
        best = min(best, (time.process_time() - started) / number * 1e6)
    return best


def process_tree_cpu_seconds(pid: int) -> float:
    """User+sys CPU of a server process, its live children and its reaped ones."""
    ticks = 0
    for stat_path in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat_path.read_text()
        except OSError:
            continue  # the process ended meanwhile
        fields = text.rsplit(")", 1)[1].split()
        utime, stime, cutime, cstime = (int(value) for value in fields[11:15])
        if int(text.split(" ", 1)[0]) == pid:
            ticks += utime + stime + cutime + cstime
        elif int(fields[1]) == pid:
            ticks += utime + stime
    return ticks / os.sysconf("SC_CLK_TCK")


def children_of(pid: int) -> list[int]:
    found = []
    for stat_path in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat_path.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat_path.parent.name))
    return found


def cpu_ns(pid: int) -> int:
    """CPU time of all of a process's threads, in ns (schedstat: finer than ticks)."""
    return sum(
        int((task / "schedstat").read_text().split()[0])
        for task in Path(f"/proc/{pid}/task").iterdir()
    )


# -- ours ----------------------------------------------------------------------------


def capture_our_dynamodb_calls(
    stack: Stack, token: str, writer_token: str
) -> dict[str, list[Call]]:
    """The DynamoDB requests our API sends for a list and a create, captured at
    botocore's before-send in this process (the same app, pointed at the stand-in)."""
    import io

    env = {**stack.app_environment(), "PUBLIC_API_ORIGIN": "http://localhost"}
    with mock.patch.dict(os.environ, env):
        import app as app_module
        from chalice_wsgi import ChaliceWSGIAdapter
        from chalicelib.config import load_settings
        from chalicelib.dynamo import dynamodb_client

        app_module.configure(app_module.build_dependencies(load_settings()))
        app_module.observability.set_stream(io.StringIO())  # not the bench's lines
        sent: list[Call] = []

        def capture(request: Any, **_: Any) -> None:
            headers = {
                k: v.decode() if isinstance(v, bytes) else v for k, v in request.headers.items()
            }
            body = request.body.decode() if isinstance(request.body, bytes) else request.body
            sent.append(Call("POST", "/", body, headers))

        client = dynamodb_client()
        client.meta.events.register("before-send.dynamodb", capture)
        adapter = ChaliceWSGIAdapter(app_module.app)
        try:
            calls = {}
            for scenario, method, path, body, bearer in (
                (f"list of {PAGE}", "GET", f"/todos?limit={PAGE}", b"", token),
                ("create", "POST", "/todos", b'{"title": "bench"}', writer_token),
            ):
                sent.clear()
                environ = {
                    "REQUEST_METHOD": method,
                    "PATH_INFO": path.partition("?")[0],
                    "QUERY_STRING": path.partition("?")[2],
                    "HTTP_AUTHORIZATION": f"Bearer {bearer}",
                    "CONTENT_TYPE": "application/json",
                    "CONTENT_LENGTH": str(len(body)),
                    "wsgi.input": io.BytesIO(body),
                }
                b"".join(adapter(environ, lambda status, headers: None))
                calls[scenario] = list(sent)
        finally:
            client.meta.events.unregister("before-send.dynamodb", capture)
            app_module.configure(None)
    # A create's todo id must differ on each request, as each create's does.
    for call in calls["create"]:
        for todo_id in _ulids(call.body):
            call.body = call.body.replace(todo_id, "{n}")
    return calls


def _ulids(text: str) -> set[str]:
    import re

    return set(re.findall(r"(?<![0-9A-Z])[0-9A-HJKMNP-TV-Z]{26}(?![0-9A-Z])", text))


def pins_without_hashes(directory: Path) -> Path:
    """The artifact lock's pins without its hashes: the lock hashes the 3.13 wheels, so
    on 3.11 pip would fall back to building sdists (granian's needs a Rust toolchain)."""
    lock = (ROOT / "requirements-server.lock.txt").read_text()
    pins = re.findall(r"^([A-Za-z0-9_.\-]+==[^\s\\]+(?: ;[^\\]*)?)", lock, re.M)
    path = directory / "py311-requirements.txt"
    path.write_text("\n".join(pin.strip() for pin in pins) + "\n")
    return path


@contextmanager
def ours(log_dir: Path) -> Iterator[Api]:
    with local_moto_stack(log_dir / "ours") as stack:
        cognito = aws_client("cognito-idp", stack.endpoint)
        reader = new_user(cognito, stack, "bench-reader")
        log = log_dir / "ours" / "server.log"
        with gunicorn_server(stack.app_environment(), workers=1, log_path=log) as server:
            for i in range(PAGE):
                created = requests.post(
                    f"{server.base_url}/todos",
                    headers=reader.auth_headers,
                    json={"title": f"#{i}"},
                    timeout=30,
                )
                if created.status_code != 201:
                    raise SystemExit(f"could not create a todo: {created.status_code}")
            writer = new_user(cognito, stack, "bench-capture")
            moto_calls = capture_our_dynamodb_calls(stack, reader.id_token, writer.id_token)

            def create() -> Call:
                # A user of its own per run: a few runs' creates would pass the quota.
                writer = new_user(cognito, stack, "bench-writer")
                return Call("POST", "/todos", '{"title": "bench"}', writer.auth_headers)

            calls = {
                "GET /health": lambda: Call("GET", "/health"),
                "create": create,
                f"list of {PAGE}": lambda: Call(
                    "GET", f"/todos?limit={PAGE}", headers=reader.auth_headers
                ),
            }
            yield Api("ours", server.base_url, server.pid, stack, calls, moto_calls, log)


# -- the reference -------------------------------------------------------------------


def reference_dir() -> Path:
    """shared/reference/seed-api beside this checkout (or a folder above it)."""
    override = os.environ.get("BENCH_REFERENCE_DIR")
    candidates = (
        [Path(override)]
        if override
        else [parent / "shared" / "reference" / "seed-api" for parent in ROOT.parents]
    )
    for candidate in candidates:
        if (candidate / "main.py").is_file():
            return candidate
    raise SystemExit(
        "the reference API (shared/reference/seed-api) was not found beside this checkout: "
        "set BENCH_REFERENCE_DIR to its folder"
    )


def python_of(version: str) -> str:
    """A CPython `version` interpreter: pythonX.Y on PATH, or pyenv's."""
    pyenv = Path.home().glob(f".pyenv/versions/{version}.*/bin/python")
    candidates = [f"python{version}", *sorted(str(path) for path in pyenv)]
    for candidate in candidates:
        found = shutil.which(candidate) or (candidate if Path(candidate).is_file() else None)
        if (
            found
            and subprocess.run(
                [found, "-c", f"import sys; assert sys.version.startswith('{version}.')"],
                capture_output=True,
            ).returncode
            == 0
        ):
            return found
    raise SystemExit(f"CPython {version} is needed here: install it (pyenv install {version})")


def venv_with(name: str, version: str, requirements: Path) -> Path:
    """build/bench/<name>: a CPython `version` venv with `requirements`; its python."""
    venv = BENCH_DIR / name
    stamp = venv / ".installed"
    if not stamp.exists() or stamp.read_text() != requirements.read_text():
        print(f"==> {venv}: CPython {version} + {requirements}", flush=True)
        subprocess.run([python_of(version), "-m", "venv", "--clear", str(venv)], check=True)
        subprocess.run(
            [str(venv / "bin" / "pip"), "install", "--quiet", "-r", str(requirements)], check=True
        )
        stamp.write_text(requirements.read_text())
    return venv / "bin" / "python"


@contextmanager
def reference(log_dir: Path) -> Iterator[Api]:
    source = reference_dir()
    python = venv_with("reference-venv", REFERENCE_PYTHON, source / "requirements.txt")
    with local_moto_stack(log_dir / "reference") as stack:
        dynamodb = aws_client("dynamodb", stack.endpoint)
        dynamodb.create_table(  # as its README says
            TableName="Tasks",
            KeySchema=[
                {"AttributeName": "email", "KeyType": "HASH"},
                {"AttributeName": "id", "KeyType": "RANGE"},
            ],
            AttributeDefinitions=[
                {"AttributeName": "email", "AttributeType": "S"},
                {"AttributeName": "id", "AttributeType": "S"},
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        cognito = aws_client("cognito-idp", stack.endpoint)
        reader = new_user(cognito, stack, "bench-reader")
        port = free_port()
        env = {
            **os.environ,
            "DYNAMODB_TABLE": "Tasks",
            "REGION": stack.region,
            "DYNAMODB_ENDPOINT": endpoint_of(stack),
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
        }
        command = [
            str(python),
            "-m",
            "uvicorn",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "main:app",
        ]
        base_url = f"http://127.0.0.1:{port}"
        log = log_dir / "reference" / "server.log"
        with background_process(
            command, ready_url=f"{base_url}/health", env=env, cwd=source, log_path=log
        ) as process:
            for i in range(PAGE):
                created = requests.post(
                    f"{base_url}/", headers=reader.auth_headers, json={"title": f"#{i}"}, timeout=30
                )
                if created.status_code != 200:
                    raise SystemExit(f"reference: could not create a task: {created.status_code}")
            now = datetime.now(UTC).isoformat()

            def moto(target: str, request: dict[str, Any]) -> Call:
                headers = {
                    "X-Amz-Target": f"DynamoDB_20120810.{target}",
                    "Content-Type": "application/x-amz-json-1.0",
                    "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20260101/"
                    f"{stack.region}/dynamodb/aws4_request, SignedHeaders=host, Signature=0",
                }
                return Call("POST", "/", json.dumps(request), headers)

            moto_calls = {
                "create": [
                    moto(
                        "PutItem",
                        {
                            "TableName": "Tasks",
                            "Item": {
                                "id": {"S": "{n}"},
                                "email": {"S": "bench@example.com"},
                                "title": {"S": "bench"},
                                "createdAt": {"S": now},
                                "completedAt": {"NULL": True},
                            },
                        },
                    )
                ],
                f"list of {PAGE}": [
                    moto(
                        "Query",
                        {
                            "TableName": "Tasks",
                            "KeyConditionExpression": "email = :email",
                            "ExpressionAttributeValues": {":email": {"S": reader.email}},
                        },
                    )
                ],
            }

            def create() -> Call:
                # Another user than the list's, so its page stays at PAGE tasks.
                writer = new_user(cognito, stack, "bench-writer")
                return Call("POST", "/", '{"title": "bench"}', writer.auth_headers)

            calls = {
                "GET /health": lambda: Call("GET", "/health"),
                "create": create,
                f"list of {PAGE}": lambda: Call("GET", "/", headers=reader.auth_headers),
            }

            yield Api("reference", base_url, process.pid, stack, calls, moto_calls, log)


# -- start-up and the first request ----------------------------------------------------


def import_ms(python: str) -> float:
    """Median wall time of `import app` in a fresh `python` (bytecode cached)."""
    code = (
        "import time; t = time.perf_counter(); import app; print((time.perf_counter() - t) * 1000)"
    )
    samples = []
    for _ in range(IMPORT_RUNS + 1):
        out = subprocess.run([python, "-c", code], cwd=ROOT / "api", capture_output=True, text=True)
        if out.returncode:
            raise SystemExit(f"import app failed with {python}: {out.stderr}")
        samples.append(float(out.stdout.strip()))
    return statistics.median(samples[1:])  # the first one writes the bytecode


@dataclass
class FirstRequest:
    first_cpu_us: float
    steady_cpu_us: float  # median of the next ones
    first_ms: float
    steady_ms: float


def first_request(
    stack: Stack, warm_up_rounds: int, log_dir: Path, samples: int = 20
) -> FirstRequest:
    """A fresh server's worker: the CPU of its first authenticated request and the next."""
    cognito = aws_client("cognito-idp", stack.endpoint)
    user = new_user(cognito, stack, "bench-first")
    settings = {"WARM_UP_ROUNDS": str(warm_up_rounds)}
    log = log_dir / f"first-{warm_up_rounds}.log"
    with gunicorn_server(
        stack.app_environment(), workers=1, log_path=log, settings=settings
    ) as server:
        (worker,) = children_of(server.pid)
        time.sleep(0.5)  # /health (the readiness poll) answered: the worker is idle
        cpu, wall = [], []
        for _ in range(samples + 1):
            before = cpu_ns(worker)
            answer = requests.get(f"{server.base_url}/todos", headers=user.auth_headers, timeout=30)
            if answer.status_code != 200:
                raise SystemExit(f"GET /todos: {answer.status_code}")
            time.sleep(0.05)  # the worker's threads are done with it
            cpu.append((cpu_ns(worker) - before) / 1000)
            wall.append(answer.elapsed.total_seconds() * 1000)
    return FirstRequest(cpu[0], statistics.median(cpu[1:]), wall[0], statistics.median(wall[1:]))


# -- the report ----------------------------------------------------------------------


def median_run(runs: list[Run], scenario: str, api: str) -> Run:
    mine = sorted((r for r in runs if r.scenario == scenario and r.api == api), key=lambda r: r.rps)
    return mine[len(mine) // 2]


def print_report(
    runs: list[Run],
    ceilings: dict[tuple[str, str], float],
    requests_per_call: dict[tuple[str, str], int],
) -> None:
    print(
        f"{'scenario':<14}{'API':<11}{'req/s':>8}{'x ref':>7}{'p50 ms':>8}{'p99 ms':>8}"
        f"{'errors':>7}{'restarts':>9}{'CPU us/req':>11}{'x ref':>7}{'stand-in ceiling req/s':>24}"
    )
    for scenario in SCENARIOS:
        ref = median_run(runs, scenario, "reference")
        for api in ("reference", "ours"):
            run = median_run(runs, scenario, api)
            ceiling = ceilings.get((scenario, api))
            share = "-"
            if ceiling:
                share = f"{ceiling:.0f} ({run.rps / ceiling:.0%} of it)"
            print(
                f"{scenario:<14}{api:<11}{run.rps:>8.0f}{run.rps / ref.rps:>7.2f}"
                f"{run.p50_ms:>8.2f}{run.p99_ms:>8.2f}{run.errors:>7}{run.restarts:>9}"
                f"{run.cpu_us_per_request:>11.0f}"
                f"{run.cpu_us_per_request / ref.cpu_us_per_request:>7.2f}{share:>24}"
            )
    for (scenario, api), calls in sorted(requests_per_call.items()):
        print(f"  {api}'s {scenario}: {calls} DynamoDB request(s) per call")
    ours_list = median_run(runs, f"list of {PAGE}", "ours")
    wall_us = 8 / ours_list.rps * 1e6 if ours_list.rps else float("nan")  # 8 connections
    print(
        f"\nThe list of {PAGE}: with 8 connections each request lives ~{wall_us / 1000:.1f} ms "
        f"(8 / req/s), of which our server's CPU is {ours_list.cpu_us_per_request / 1000:.1f} ms;"
        f" the rest is waiting: on the stand-in, which answers one request at a time "
        f"(its ceiling for our Query is above), and for a thread's turn at the GIL."
    )


def main() -> int:
    wrk = require_wrk()
    seconds = float(os.environ.get("BENCH_SECONDS", "10"))
    rounds = max(3, int(os.environ.get("BENCH_ROUNDS", "3")))
    runs: list[Run] = []
    ceilings: dict[tuple[str, str], float] = {}
    with tempfile.TemporaryDirectory(prefix="bench-serverful-") as temporary:
        log_dir = Path(temporary)
        (log_dir / "ours").mkdir()
        (log_dir / "reference").mkdir()
        with ExitStack() as running:
            apis = [running.enter_context(reference(log_dir)), running.enter_context(ours(log_dir))]
            print(f"wrk -t2 -c8 -d{seconds:.0f}s, 1 process each, {rounds} interleaved rounds")
            for api in apis:
                print(f"  {api.name}: {api.base_url} (stand-in {api.stack.endpoint})")
            for round_number in range(rounds):
                for scenario in SCENARIOS:
                    for api in apis:  # interleaved: the machine's drift hits both
                        runs.append(load(wrk, api, scenario, seconds))
                print(f"round {round_number + 1} done", flush=True)
            for api in apis:
                for scenario in api.moto_calls:
                    ceilings[scenario, api.name] = ceiling_rps(wrk, api, scenario, seconds)
            ours_stack = apis[1].stack
            firsts = {rounds_: first_request(ours_stack, rounds_, log_dir) for rounds_ in (8, 0)}
        py311 = venv_with("py311-venv", "3.11", pins_without_hashes(log_dir))
        imports = {"3.13": import_ms(sys.executable), "3.11": import_ms(str(py311))}

    print()
    print_report(
        runs,
        ceilings,
        {
            (scenario, api.name): len(calls)
            for api in apis
            for scenario, calls in api.moto_calls.items()
        },
    )
    print(
        f"\nimport app, fresh interpreter, median: CPython 3.13 {imports['3.13']:.1f} ms, "
        f"CPython 3.11 {imports['3.11']:.1f} ms"
    )
    print("\nA fresh worker's first authenticated GET /todos vs the next ones' median:")
    for rounds_, f in firsts.items():
        print(
            f"  warm-up rounds {rounds_}: worker CPU {f.first_cpu_us:7.0f} us vs "
            f"{f.steady_cpu_us:5.0f} us = {f.first_cpu_us / f.steady_cpu_us:4.1f}x "
            f"(goal <= 1.5x);  wall {f.first_ms:6.1f} ms vs {f.steady_ms:5.1f} ms"
        )
    failed = [run for run in runs if run.errors or run.restarts]
    for run in failed:
        print(
            f"FAIL: {run.scenario} ({run.api}): {run.errors} errors, {run.restarts} restarts",
            file=sys.stderr,
        )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
