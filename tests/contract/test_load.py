"""`make load` works: a short run passes, and its checker catches lost and ghost todos."""

from __future__ import annotations

import pytest
import requests

from scripts.gunicorn_server import gunicorn_stack
from scripts.load import check, main, run_load
from scripts.local_stack import new_user

pytestmark = pytest.mark.integration


def test_a_short_load_run_passes_its_own_checks() -> None:
    lines: list[str] = []
    status = main(
        ["--duration", "5", "--connections", "4", "--users", "2", "--workers", "2"],
        out=lines.append,
    )
    output = "\n".join(lines)
    assert status == 0, output
    assert lines[-1] == "load: PASS"
    assert "5xx: 0" in output
    assert "lost: 0  ghosts: 0  duplicates: 0" in output


def test_the_checker_reports_a_lost_and_a_ghost_todo() -> None:
    with gunicorn_stack(workers=1) as served:
        users = [new_user(served.cognito, served.stack, "checker")]
        workers, seconds = run_load(served.base_url, users, duration=2, connections=2, seed=7)
        todos, headers = f"{served.base_url}/todos", users[0].auth_headers
        if not any(w.live for w in workers):  # a very slow run may end with none left
            workers[0].create()
        # Behind the load's back: delete one of its todos, add one it never made.
        victim = next(todo_id for w in workers for todo_id in w.live)
        assert requests.delete(f"{todos}/{victim}", headers=headers, timeout=10).status_code == 204
        ghost = requests.post(todos, headers=headers, json={"title": "ghost"}, timeout=10)
        assert ghost.status_code == 201

        report = check(served.base_url, users, workers, seconds)

    assert report.requests > 0
    assert (report.lost, report.ghosts, report.duplicates) == (1, 1, 0)
    assert not report.ok
