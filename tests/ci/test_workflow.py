""".github/workflows/ci.yml: runs `make test` on push and pull request with
pinned actions and a read-only token (zizmor audits it in `make ci-lint`)."""

from __future__ import annotations

import re
from typing import Any

from tests.ci.cfn import REPO, WORKFLOW, load_workflow

WORKFLOW_TEXT = WORKFLOW.read_text()
DATA = load_workflow()
(JOB,) = DATA["jobs"].values()
STEPS: list[dict[str, Any]] = JOB["steps"]
USES = re.compile(r"^\s*(?:-\s+)?uses:\s*(\S+?)@(\S+)(.*)$", re.M)


def step_using(action: str) -> dict[str, Any]:
    return next(s for s in STEPS if s.get("uses", "").startswith(f"{action}@"))


def runs() -> list[str]:
    return [s["run"] for s in STEPS if "run" in s]


def test_runs_on_push_and_pull_request() -> None:
    assert set(DATA["on"]) == {"push", "pull_request"}


def test_token_can_only_read_the_repository() -> None:
    assert DATA["permissions"] == {"contents": "read"}
    assert "permissions" not in JOB or JOB["permissions"] == {"contents": "read"}


def test_every_action_is_pinned_to_a_full_commit_sha_with_its_version() -> None:
    pins = USES.findall(WORKFLOW_TEXT)
    assert len(pins) == sum(1 for s in STEPS if "uses" in s) >= 5
    for action, ref, comment in pins:
        assert re.fullmatch(r"[0-9a-f]{40}", ref), f"{action} is not pinned to a commit: {ref}"
        assert re.fullmatch(r"\s*# v\d+(\.\d+)*", comment), f"{action}: add '# vX.Y.Z'"


def test_checkout_does_not_keep_the_token() -> None:
    assert step_using("actions/checkout")["with"]["persist-credentials"] == "false"


def test_runs_make_test_with_junit_output() -> None:
    assert any(r.startswith("make test") for r in runs())


def test_pip_and_npm_downloads_are_cached() -> None:
    assert step_using("actions/setup-python")["with"]["cache"] == "pip"
    node = step_using("actions/setup-node")["with"]
    assert node["cache"] == "npm"
    assert node["cache-dependency-path"] == "frontend/package-lock.json"


def test_versions_match_the_codebuild_runtimes() -> None:
    env = DATA["env"]
    assert env["PYTHON_VERSION"] == "3.11"
    assert env["NODE_VERSION"] == "20"
    assert step_using("actions/setup-python")["with"]["python-version"] == (
        "${{ env.PYTHON_VERSION }}"
    )
    assert step_using("actions/setup-node")["with"]["node-version"] == "${{ env.NODE_VERSION }}"


def test_terraform_and_its_provider_mirror_are_set_up_for_make_test() -> None:
    terraform = step_using("hashicorp/setup-terraform")["with"]
    assert terraform["terraform_version"] == "${{ env.TERRAFORM_VERSION }}"
    assert terraform["terraform_wrapper"] == "false"
    mirror = next(r for r in runs() if "terraform-mirror.sh" in r)
    # make test reads the mirror location from TF_PLUGIN_MIRROR.
    assert 'TF_PLUGIN_MIRROR=$RUNNER_TEMP/tf-plugins" >> "$GITHUB_ENV"' in mirror
    assert 'ci/terraform-mirror.sh "$RUNNER_TEMP/tf-plugins"' in mirror
    assert (REPO / "ci" / "terraform-mirror.sh").is_file()


def test_chromium_is_installed_before_the_tests() -> None:
    order = [s.get("run", s.get("uses", "")) for s in STEPS]
    chromium = order.index("bash ci/install-chromium.sh")
    make_test = next(i for i, r in enumerate(order) if r.startswith("make test"))
    assert chromium < make_test
    script = (REPO / "ci" / "install-chromium.sh").read_text()
    assert "apt-get install -y -qq chromium" in script


def test_screenshots_are_uploaded_when_end_to_end_tests_fail() -> None:
    upload = step_using("actions/upload-artifact")
    assert upload["if"].startswith("failure()")
    assert "tests/e2e/screenshots/" in upload["if"]
    assert upload["with"]["path"] == "tests/e2e/screenshots/"
    assert STEPS.index(upload) == len(STEPS) - 1
