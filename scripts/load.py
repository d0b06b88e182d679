"""`make load`: mixed load through gunicorn, then a consistency check.

Starts a moto server and gunicorn (gunicorn.conf.py, wsgi:application) on free
127.0.0.1 ports, signs up several users, and runs CONNECTIONS client threads of
mixed create / list / patch / delete for DURATION seconds. Each thread works on
its own todos, so every outcome is known. At the end each user's todos are
listed in full and compared with what that user created minus what it deleted.

Exit status 0 only if there was no 5xx, no failed or unexpected response, no
lost todo (created, not deleted, not listed), no ghost (listed but deleted or
never created) and no duplicate (an id created twice or listed twice).
"""

from __future__ import annotations

import argparse
import random
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chalicelib.service import LIMIT_MAX
from scripts.gunicorn_server import gunicorn_stack
from scripts.http_client import HttpClient, HttpResult
from scripts.local_users import LocalUser, new_user

# Relative weights of the operations once a thread has todos of its own.
OPERATION_WEIGHTS = {"create": 35, "list": 25, "patch": 25, "delete": 15}
EXPECTED_STATUS = {"create": 201, "list": 200, "patch": 200, "delete": 204}
CREATE_ATTEMPTS = 3  # a create whose answer was lost is retried with the same key


@dataclass
class ThreadLog:
    """What one client thread did; only that thread writes to it."""

    created: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    latencies: dict[str, list[float]] = field(default_factory=dict)
    statuses: Counter[tuple[str, int]] = field(default_factory=Counter)
    transport_errors: int = 0
    unexpected: list[str] = field(default_factory=list)


class Worker:
    def __init__(self, client: HttpClient, user: LocalUser, seed: int, label: str) -> None:
        self.client = client
        self.user = user
        self.random = random.Random(seed)  # noqa: S311 - picks operations, not secrets
        self.label = label
        self.live: list[str] = []
        self.log = ThreadLog()
        self.sequence = 0
        self.idempotency_key = ""

    def run(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            operation = self.pick()
            try:
                getattr(self, operation)()
            except OSError as error:
                # Connection refused/reset or a timeout: the server failed us.
                self.log.transport_errors += 1
                self.log.unexpected.append(f"{operation}: {type(error).__name__}: {error}")

    def pick(self) -> str:
        if not self.live:
            return "create"
        names = list(OPERATION_WEIGHTS)
        return self.random.choices(names, weights=[OPERATION_WEIGHTS[n] for n in names])[0]

    def send(self, operation: str, method: str, path: str, body: Any = None) -> HttpResult:
        headers = dict(self.user.auth_headers)
        if operation == "create":
            headers["Idempotency-Key"] = self.idempotency_key
        result = self.client.request(method, path, headers, body)
        self.log.latencies.setdefault(operation, []).append(result.seconds)
        self.log.statuses[(operation, result.status)] += 1
        if result.status != EXPECTED_STATUS[operation]:
            self.log.unexpected.append(
                f"{operation} {method} {path}: {result.status} {result.body[:200]!r}"
            )
        return result

    def create(self) -> None:
        self.sequence += 1
        self.idempotency_key = str(uuid.uuid4())
        body = {"title": f"{self.label} #{self.sequence}"}
        for attempt in range(1, CREATE_ATTEMPTS + 1):
            try:
                result = self.send("create", "POST", "/todos", body)
                break
            except OSError:
                # Did the todo get created? The same key makes the retry safe.
                if attempt == CREATE_ATTEMPTS:
                    raise
                self.log.transport_errors += 1
        if result.status == 201:
            todo_id = result.json()["id"]
            self.log.created.append(todo_id)
            self.live.append(todo_id)

    def list(self) -> None:
        self.send("list", "GET", f"/todos?limit={self.random.choice((10, 50, 100))}")

    def patch(self) -> None:
        todo_id = self.random.choice(self.live)
        self.send("patch", "PATCH", f"/todos/{todo_id}", {"completed": self.random.random() < 0.5})

    def delete(self) -> None:
        todo_id = self.live.pop(self.random.randrange(len(self.live)))
        result = self.send("delete", "DELETE", f"/todos/{todo_id}")
        if result.status == 204:
            self.log.deleted.append(todo_id)
        else:
            self.live.append(todo_id)  # still there, as far as we know


def list_all(client: HttpClient, user: LocalUser) -> list[str]:
    """Every todo id of a user, following the Link: rel="next" pages."""
    ids: list[str] = []
    path: str | None = f"/todos?limit={LIMIT_MAX}"
    while path:
        result = client.request("GET", path, user.auth_headers)
        if result.status != 200:
            raise RuntimeError(f"final listing failed: {result.status} {result.body[:200]!r}")
        ids.extend(todo["id"] for todo in result.json())
        path = _next_link(result.headers.get("link", ""))
    return ids


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return float("nan")
    rank = max(0, min(len(sorted_values) - 1, round(fraction * len(sorted_values)) - 1))
    return sorted_values[rank]


def _next_link(link_header: str) -> str | None:
    for part in link_header.split(","):
        if 'rel="next"' in part:
            url = part.split(";", 1)[0].strip().strip("<>")
            return "/" + url.split("/", 3)[3] if url.startswith("http") else url
    return None


@dataclass
class Report:
    requests: int
    seconds: float
    server_errors: int
    transport_errors: int
    unexpected: list[str]
    lost: int
    ghosts: int
    duplicates: int
    lines: list[str]

    @property
    def ok(self) -> bool:
        return not (
            self.server_errors
            or self.transport_errors
            or self.unexpected
            or self.lost
            or self.ghosts
            or self.duplicates
        )


def run_load(
    base_url: str,
    users: list[LocalUser],
    *,
    duration: float,
    connections: int,
    seed: int,
) -> tuple[list[Worker], float]:
    """Run the mixed load; returns the workers (what each did) and the seconds taken."""
    client = HttpClient(base_url)
    workers = [
        Worker(client, users[i % len(users)], seed + i, f"conn{i}") for i in range(connections)
    ]
    deadline = time.monotonic() + duration
    started = time.monotonic()
    threads = [threading.Thread(target=w.run, args=(deadline,), daemon=True) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        # Bounded: a request times out after the client's timeout, so this ends.
        thread.join()
    return workers, time.monotonic() - started


def check(
    client: HttpClient, users: list[LocalUser], workers: list[Worker], seconds: float
) -> Report:
    statuses: Counter[tuple[str, int]] = Counter()
    latencies: dict[str, list[float]] = {}
    unexpected: list[str] = []
    transport_errors = 0
    for worker in workers:
        statuses.update(worker.log.statuses)
        for operation, values in worker.log.latencies.items():
            latencies.setdefault(operation, []).extend(values)
        unexpected.extend(worker.log.unexpected)
        transport_errors += worker.log.transport_errors
    requests = sum(statuses.values())
    server_errors = sum(count for (_, status), count in statuses.items() if status >= 500)

    lines = [
        f"{requests} requests in {seconds:.1f} s: {requests / seconds:.1f} req/s "
        f"over {len(workers)} connections, {len(users)} users",
        f"{'operation':<10}{'count':>8}{'p50 ms':>10}{'p99 ms':>10}  statuses",
    ]
    for operation in OPERATION_WEIGHTS:
        values = sorted(latencies.get(operation, []))
        seen = {status: n for (op, status), n in sorted(statuses.items()) if op == operation}
        lines.append(
            f"{operation:<10}{len(values):>8}{percentile(values, 0.5) * 1000:>10.1f}"
            f"{percentile(values, 0.99) * 1000:>10.1f}  {seen}"
        )

    lost = ghosts = duplicates = 0
    total_created = total_deleted = total_listed = 0
    for user in users:
        mine = [w for w in workers if w.user is user]
        created = [todo_id for w in mine for todo_id in w.log.created]
        deleted = [todo_id for w in mine for todo_id in w.log.deleted]
        listed = list_all(client, user)
        expected = set(created) - set(deleted)
        duplicates += (len(created) - len(set(created))) + (len(listed) - len(set(listed)))
        lost += len(expected - set(listed))
        ghosts += len(set(listed) - expected)
        total_created += len(created)
        total_deleted += len(deleted)
        total_listed += len(listed)
    lines.append(
        f"todos: created {total_created}, deleted {total_deleted}, "
        f"listed at the end {total_listed} (expected {total_created - total_deleted})"
    )
    lines.append(
        f"5xx: {server_errors}  transport errors: {transport_errors}  "
        f"unexpected responses: {len(unexpected)}  lost: {lost}  ghosts: {ghosts}  "
        f"duplicates: {duplicates}"
    )
    return Report(
        requests,
        seconds,
        server_errors,
        transport_errors,
        unexpected,
        lost,
        ghosts,
        duplicates,
        lines,
    )


def main(argv: list[str] | None = None, out: Callable[[str], None] = print) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load (60)")
    parser.add_argument("--connections", type=int, default=32, help="client threads (32)")
    parser.add_argument("--users", type=int, default=8, help="distinct users (8)")
    parser.add_argument(
        "--workers", type=int, default=None, help="gunicorn workers (gunicorn.conf.py's default)"
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed of the operation mix")
    parser.add_argument(
        "--log-dir", type=Path, default=None, help="keep the gunicorn and moto logs here"
    )
    args = parser.parse_args(argv)
    if args.duration <= 0 or args.connections < 1 or args.users < 1:
        parser.error("duration, connections and users must be positive")

    with tempfile.TemporaryDirectory(prefix="load-") as temporary_dir:
        log_dir = args.log_dir or Path(temporary_dir)
        log_dir.mkdir(parents=True, exist_ok=True)
        with gunicorn_stack(workers=args.workers, log_dir=log_dir) as served:
            users = [
                new_user(served.cognito, served.stack, f"load{i}")
                for i in range(min(args.users, args.connections))
            ]
            out(
                f"load: {args.duration:.0f} s, {args.connections} connections, "
                f"{len(users)} users -> gunicorn at {served.base_url}"
            )
            workers, seconds = run_load(
                served.base_url,
                users,
                duration=args.duration,
                connections=args.connections,
                seed=args.seed,
            )
            report = check(HttpClient(served.base_url), users, workers, seconds)
        for line in report.lines:
            out(line)
        for problem in report.unexpected[:20]:
            out(f"  unexpected: {problem}")
        if not report.ok:
            # The server's side of the failures: error log lines, not access lines.
            gunicorn_log = (log_dir / "gunicorn.log").read_text().splitlines()
            errors = [line for line in gunicorn_log if not line.startswith('{"time"')]
            for line in errors[-60:]:
                out(f"  gunicorn: {line}")
    out("load: PASS" if report.ok else "load: FAIL")
    return 0 if report.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
