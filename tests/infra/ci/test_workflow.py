""".github/workflows/ci.yml: runs `make test` on push and pull request with
pinned actions and a read-only token (zizmor audits it in `make ci-lint`)."""

from __future__ import annotations

import re
from typing import Any

from tests.infra.ci.cfn import REPO, WORKFLOW, load_workflow

WORKFLOW_TEXT = WORKFLOW.read_text()
DATA = load_workflow()
(JOB,) = DATA["jobs"].values()
STEPS: list[dict[str, Any]] = JOB["steps"]
USES = re.compile(r"^\s*(?:-\s+)?uses:\s*(\S+?)@(\S+)(.*)$", re.M)


def step_using(action: str) -> dict[str, Any]:
    return next(s for s in STEPS if s.get("uses", "").startswith(f"{action}@"))


def runs() -> list[str]:
    return [s["run"] for s in STEPS if "run" in s]


def test_token_can_only_read_the_repository() -> None:
    assert DATA["permissions"] == {"contents": "read"}
    assert "permissions" not in JOB or JOB["permissions"] == {"contents": "read"}


def test_every_action_is_pinned_to_a_full_commit_sha_with_its_version() -> None:
    pins = USES.findall(WORKFLOW_TEXT)
    assert len(pins) == sum(1 for s in STEPS if "uses" in s) >= 3
    for action, ref, comment in pins:
        assert re.fullmatch(r"[0-9a-f]{40}", ref), f"{action} is not pinned to a commit: {ref}"
        assert re.fullmatch(r"\s*# v\d+(\.\d+)*", comment), f"{action}: add '# vX.Y.Z'"


def test_checkout_does_not_keep_the_token() -> None:
    assert step_using("actions/checkout")["with"]["persist-credentials"] == "false"


def test_runs_make_test() -> None:
    assert any(r.startswith("make test") for r in runs())


def test_set_up_steps_run_before_the_tests() -> None:
    order = [s.get("run", s.get("uses", "")) for s in STEPS]
    make_test = next(i for i, r in enumerate(order) if r.startswith("make test"))
    for script in ("ci/install-chromium.sh", "ci/install-terraform.sh", "ci/terraform-mirror.sh"):
        step = next(i for i, r in enumerate(order) if script in r)
        assert step < make_test, script
        assert (REPO / script).is_file(), script
