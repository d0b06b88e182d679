"""Shared set-up of the serverful (Terraform/EC2) tests."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tools import build_artifact, locks, wheels
from tools.deploy_serverful import ROOT, TF_WORK, Terraform

ARTIFACT = ROOT / "build" / "serverful" / "app.zip"


def _newest_source_mtime() -> float:
    sources = [path for code in build_artifact.CODE_DIRS for path in code.rglob("*.py")]
    sources += [build_artifact.SERVER_LOCK, ROOT / "uv.lock"]
    sources += [Path(build_artifact.__file__), Path(wheels.__file__), Path(locks.__file__)]
    return max(path.stat().st_mtime for path in sources if path.exists())


@pytest.fixture(scope="session")
def artifact() -> Path:
    """The app artifact of `make artifact`, rebuilt here if missing or older than the code."""
    ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
    # One build at a time: xdist workers share the file.
    with open(ARTIFACT.parent / "build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not ARTIFACT.exists() or ARTIFACT.stat().st_mtime < _newest_source_mtime():
            build_artifact.build(ARTIFACT)
    return ARTIFACT


def initialised_module(name: str) -> Terraform:
    """terraform, initialised (offline, from the provider mirror) in one module."""
    if shutil.which("terraform") is None:
        pytest.fail("terraform not found: install Terraform >= 1.5 (see docs/serverful.md)")
    # One data directory per xdist worker: two `init`s in one directory would race.
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    terraform = Terraform(
        data_dir=TF_WORK / "pytest" / worker / name,
        working_dir=ROOT / "infra" / "modules" / name,
    )
    terraform.data_dir.mkdir(parents=True, exist_ok=True)
    terraform.run("init", "-backend=false", "-no-color", capture=True)
    return terraform


@pytest.fixture(scope="session")
def compute_module() -> Terraform:
    return initialised_module("compute")


@pytest.fixture(scope="session")
def api_module() -> Terraform:
    return initialised_module("api")


def run_console(terraform: Terraform, expression: str) -> str:
    """Evaluate one expression with `terraform console`; returns its printed value."""
    result = subprocess.run(
        # Its own (empty) state: console locks the state, and another worker may be
        # evaluating in the same module.
        [
            "terraform",
            f"-chdir={terraform.working_dir}",
            "console",
            f"-state={terraform.data_dir / 'console.tfstate'}",
        ],
        input=expression + "\n",
        env=terraform.environment(),
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


# The values the compute module passes to the template (main.tf, locals.user_data).
TEMPLATE_VALUES = {
    "region": "eu-west-1",
    "artifact_bucket": "todo-prod-artifacts-123",
    "artifact_key": "releases/" + "ab" * 32 + ".zip",
    "artifact_sha256": "ab" * 32,
    "table_name": "todo-prod-todos",
    "user_pool_id": "eu-west-1_AbCdEf123",
    "user_pool_client_id": "client123",
    "cors_origins": "https://d111111abcdef8.cloudfront.net",
    "public_api_origin": "https://abc123.execute-api.eu-west-1.amazonaws.com",
    "app_port": 8080,
    "autoscaling_group_name": "todo-prod-app",
    "launch_hook_name": "app-ready",
    "ready_timeout_seconds": 600,
    "service_name": "todo-prod",
    "app_log_file": "/var/log/todo/app.log",
    "cloudwatch_agent": '{"logs":{"logs_collected":{"files":{"collect_list":[]}}}}',
}


def render_user_data(terraform: Terraform, **overrides: object) -> str:
    values = {**TEMPLATE_VALUES, **overrides}
    fields = ", ".join(f"{key} = {json.dumps(value)}" for key, value in values.items())
    expression = (
        'jsonencode(templatefile("templates/user_data.sh.tftpl", '
        f'{{ {fields}, install_script = file("templates/install_app.sh") }}))'
    )
    # console prints the JSON as an HCL string literal, itself JSON-compatible.
    return str(json.loads(json.loads(run_console(terraform, expression))))


def env_file_settings(user_data: str) -> dict[str, str]:
    """The settings the user data writes to the app's environment file."""
    body = user_data.split("APP_ENV'\n", 1)[1].split("\nAPP_ENV\n", 1)[0]
    return dict(line.split("=", 1) for line in body.splitlines() if line and line[0] != "#")
