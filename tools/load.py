"""`make load`: mixed load through gunicorn (and moto) on free 127.0.0.1 ports, then
every user's todos listed and checked. Fails on any 5xx, transport error or unexpected
status, and on any lost (created, not deleted, not listed), ghost (listed but deleted or
never created) or duplicated todo (an id created or listed twice)."""

from __future__ import annotations

import argparse
import random
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

from chalicelib.service import LIMIT_MAX
from tools.gunicorn_server import gunicorn_stack
from tools.local_stack import LocalUser, new_user

# Relative weights of the operations once a thread has todos of its own.
OPERATION_WEIGHTS = {"create": 35, "list": 25, "patch": 25, "delete": 15}
EXPECTED_STATUS = {"create": 201, "list": 200, "patch": 200, "delete": 204}
CREATE_ATTEMPTS = 3  # a create whose answer was lost is retried with the same key
TIMEOUT = 30.0


class Worker:
    """One client thread's todos and what happened to its requests; only it writes here."""

    def __init__(self, base_url: str, user: LocalUser, seed: int, label: str) -> None:
        self.base_url = base_url
        self.session = requests.Session()  # one per thread: Session is not thread-safe
        self.user = user
        self.random = random.Random(seed)  # noqa: S311 - picks operations, not secrets
        self.label = label
        self.live: list[str] = []
        self.created: list[str] = []
        self.deleted: list[str] = []
        self.answers: list[tuple[str, int, float]] = []  # operation, status, seconds
        self.transport_errors = 0
        self.unexpected: list[str] = []

    def run(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            operation = "create"
            if self.live:
                operation = self.random.choices(
                    list(OPERATION_WEIGHTS), weights=list(OPERATION_WEIGHTS.values())
                )[0]
            try:
                getattr(self, operation)()
            except OSError as error:  # requests' errors are OSErrors
                # Connection refused/reset or a timeout: the server failed us.
                self.transport_errors += 1
                self.unexpected.append(f"{operation}: {type(error).__name__}: {error}")

    def send(
        self, operation: str, method: str, path: str, body: Any = None, key: str = ""
    ) -> requests.Response:
        headers = {**self.user.auth_headers, **({"Idempotency-Key": key} if key else {})}
        result = self.session.request(
            method, self.base_url + path, headers=headers, json=body, timeout=TIMEOUT
        )
        self.answers.append((operation, result.status_code, result.elapsed.total_seconds()))
        if result.status_code != EXPECTED_STATUS[operation]:
            self.unexpected.append(
                f"{operation} {method} {path}: {result.status_code} {result.content[:200]!r}"
            )
        return result

    def create(self) -> None:
        key = str(uuid.uuid4())
        body = {"title": f"{self.label} #{len(self.created) + 1}"}
        for attempt in range(1, CREATE_ATTEMPTS + 1):
            try:
                result = self.send("create", "POST", "/todos", body, key)
                break
            except OSError as error:
                # Did the todo get created? The same key makes the retry safe.
                if attempt == CREATE_ATTEMPTS:
                    raise
                self.transport_errors += 1
                self.unexpected.append(f"create (retried): {type(error).__name__}: {error}")
        if result.status_code == 201:
            self.created.append(result.json()["id"])
            self.live.append(self.created[-1])

    def list(self) -> None:
        self.send("list", "GET", f"/todos?limit={self.random.choice((10, 50, 100))}")

    def patch(self) -> None:
        todo_id = self.random.choice(self.live)
        self.send("patch", "PATCH", f"/todos/{todo_id}", {"completed": self.random.random() < 0.5})

    def delete(self) -> None:
        todo_id = self.live.pop(self.random.randrange(len(self.live)))
        if self.send("delete", "DELETE", f"/todos/{todo_id}").status_code == 204:
            self.deleted.append(todo_id)
        else:
            self.live.append(todo_id)  # still there, as far as we know


def list_all(base_url: str, user: LocalUser) -> list[str]:
    """Every todo id of a user, following the Link: <url>; rel="next" pages."""
    ids: list[str] = []
    url = f"{base_url}/todos?limit={LIMIT_MAX}"
    while url:
        result = requests.get(url, headers=user.auth_headers, timeout=TIMEOUT)
        if result.status_code != 200:
            raise RuntimeError(
                f"final listing failed: {result.status_code} {result.content[:200]!r}"
            )
        ids.extend(todo["id"] for todo in result.json())
        # Only its path: the link's origin is PUBLIC_API_ORIGIN, not necessarily ours.
        next_url = urlsplit(result.links.get("next", {}).get("url", ""))
        url = next_url.path and f"{base_url}{next_url.path}?{next_url.query}"
    return ids


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else float("nan")


@dataclass
class Report:
    requests: int
    unexpected: list[str]  # every 5xx and transport error among them
    lost: int
    ghosts: int
    duplicates: int
    lines: list[str]

    @property
    def ok(self) -> bool:
        return not (self.unexpected or self.lost or self.ghosts or self.duplicates)


def run_load(
    base_url: str, users: list[LocalUser], duration: float, connections: int, seed: int
) -> tuple[list[Worker], float]:
    """CONNECTIONS threads, each on its own todos of one of the users, create, list,
    patch and delete for DURATION seconds; returns what each did and the seconds taken."""
    workers = [
        Worker(base_url, users[i % len(users)], seed + i, f"conn{i}") for i in range(connections)
    ]
    started = time.monotonic()
    with ThreadPoolExecutor(len(workers)) as threads:  # bounded: every request has a TIMEOUT
        list(threads.map(lambda worker: worker.run(started + duration), workers))
    return workers, time.monotonic() - started


def check(base_url: str, users: list[LocalUser], workers: list[Worker], seconds: float) -> Report:
    """What the load did, and whether each user's todos are exactly those it should have."""
    statuses = Counter((op, status) for w in workers for op, status, _ in w.answers)
    lines = [
        f"{statuses.total()} requests in {seconds:.1f} s: {statuses.total() / seconds:.1f} "
        f"req/s over {len(workers)} connections, {len(users)} users",
        f"{'operation':<10}{'count':>8}{'p50 ms':>10}{'p99 ms':>10}  statuses",
    ]
    for operation in OPERATION_WEIGHTS:
        values = [took for w in workers for op, _, took in w.answers if op == operation]
        seen = {status: n for (op, status), n in sorted(statuses.items()) if op == operation}
        lines.append(
            f"{operation:<10}{len(values):>8}{percentile(values, 0.5) * 1000:>10.1f}"
            f"{percentile(values, 0.99) * 1000:>10.1f}  {seen}"
        )
    lost = ghosts = duplicates = listed_count = 0
    for user in users:
        created = [todo_id for w in workers if w.user is user for todo_id in w.created]
        expected = set(created) - {i for w in workers if w.user is user for i in w.deleted}
        listed = list_all(base_url, user)
        duplicates += (len(created) - len(set(created))) + (len(listed) - len(set(listed)))
        lost += len(expected - set(listed))
        ghosts += len(set(listed) - expected)
        listed_count += len(listed)
    created_count = sum(len(w.created) for w in workers)
    deleted_count = sum(len(w.deleted) for w in workers)
    unexpected = [problem for w in workers for problem in w.unexpected]
    server_errors = sum(n for (_, status), n in statuses.items() if status >= 500)
    lines += [
        f"todos: created {created_count}, deleted {deleted_count}, listed at the end "
        f"{listed_count} (expected {created_count - deleted_count})",
        f"5xx: {server_errors}  transport errors: {sum(w.transport_errors for w in workers)}  "
        f"unexpected responses: {len(unexpected)}  lost: {lost}  ghosts: {ghosts}  "
        f"duplicates: {duplicates}",
    ]
    return Report(statuses.total(), unexpected, lost, ghosts, duplicates, lines)


def main(argv: list[str] | None = None, out: Callable[[str], None] = print) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load (60)")
    parser.add_argument("--connections", type=int, default=32, help="client threads (32)")
    parser.add_argument("--users", type=int, default=8, help="distinct users (8)")
    parser.add_argument("--workers", type=int, help="gunicorn workers (gunicorn.conf.py's default)")
    parser.add_argument("--seed", type=int, default=1, help="random seed of the operation mix")
    parser.add_argument("--log-dir", type=Path, help="keep the gunicorn and moto logs here")
    args = parser.parse_args(argv)
    if args.duration <= 0 or args.connections < 1 or args.users < 1:
        parser.error("duration, connections and users must be positive")

    with tempfile.TemporaryDirectory(prefix="load-") as temporary_dir:
        log_dir = args.log_dir or Path(temporary_dir)  # background_process makes it
        with gunicorn_stack(workers=args.workers, log_dir=log_dir) as served:
            users = [
                new_user(served.cognito, served.stack, f"load{i}")
                for i in range(min(args.users, args.connections))
            ]
            out(
                f"load: {args.duration:.0f} s, {args.connections} connections, "
                f"{len(users)} users -> gunicorn at {served.base_url}"
            )
            load = (args.duration, args.connections, args.seed)
            workers, seconds = run_load(served.base_url, users, *load)
            report = check(served.base_url, users, workers, seconds)
        for line in report.lines + [f"  unexpected: {p}" for p in report.unexpected[:20]]:
            out(line)
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
