"""The EC2 user data renders to valid shell that installs and runs the app as planned."""

from __future__ import annotations

import re
import subprocess

import pytest

from scripts.deploy_serverful import Terraform
from tests.terraform.conftest import render_user_data


@pytest.fixture(scope="module")
def user_data(compute_module: Terraform) -> str:
    return render_user_data(compute_module)


def test_user_data_is_valid_bash(user_data: str) -> None:
    result = subprocess.run(
        ["bash", "-n"], input=user_data, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert user_data.startswith("#!/bin/bash\n")


def test_install_script_is_valid_bash(compute_module: Terraform) -> None:
    script = compute_module.working_dir / "templates" / "install_app.sh"
    result = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_user_data_verifies_the_artifact_before_installing_it(user_data: str) -> None:
    download = user_data.index("aws s3 cp")
    check = user_data.index(f'echo "{"ab" * 32}  $artifact" | sha256sum --check --strict')
    install = user_data.index("bash /opt/todo/install_app.sh")
    assert download < check < install
    assert "s3://todo-prod-artifacts-123/releases/" in user_data


def test_user_data_runs_gunicorn_as_a_non_root_user_under_systemd(user_data: str) -> None:
    unit = user_data[user_data.index("[Unit]") : user_data.index("\nUNIT\n")]
    assert re.search(r"^User=todo$", unit, re.MULTILINE)
    assert (
        "ExecStart=/opt/todo/venv/bin/gunicorn --config gunicorn.conf.py wsgi:application" in unit
    )
    assert "EnvironmentFile=/etc/todo/app.env" in unit
    assert "NoNewPrivileges=true" in unit
    assert "systemctl enable --now todo-api.service" in user_data


def test_user_data_hands_the_app_its_settings(user_data: str) -> None:
    env_file = user_data[user_data.index("APP_ENV'\n") + len("APP_ENV'\n") :]
    env_file = env_file[: env_file.index("\nAPP_ENV\n")]
    settings = dict(
        line.split("=", 1) for line in env_file.splitlines() if line and not line.startswith("#")
    )
    assert settings == {
        "AWS_REGION": "eu-west-1",
        "AWS_DEFAULT_REGION": "eu-west-1",
        "TABLE_NAME": "todo-prod-todos",
        "COGNITO_USER_POOL_ID": "eu-west-1_AbCdEf123",
        "COGNITO_APP_CLIENT_ID": "client123",
        "CORS_ORIGINS": "https://d111111abcdef8.cloudfront.net",
        "GUNICORN_BIND": "0.0.0.0:8080",
        "TRUSTED_PROXY_HOPS": "2",
        "PUBLIC_API_ORIGIN": "https://abc123.execute-api.eu-west-1.amazonaws.com",
        "POWERTOOLS_SERVICE_NAME": "todo-prod",
        "LOG_LEVEL": "INFO",
    }
