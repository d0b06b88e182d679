"""EC2 ships the app's output with the CloudWatch agent, set up by the user data."""

from __future__ import annotations

import pytest

from scripts.deploy_serverful import Terraform
from tests.infra.terraform.conftest import TEMPLATE_VALUES, render_user_data


@pytest.fixture(scope="module")
def user_data(compute_module: Terraform) -> str:
    return render_user_data(compute_module)


def test_the_agent_comes_from_the_amazon_linux_repository(user_data: str) -> None:
    assert "dnf install -y -q python3.13 amazon-cloudwatch-agent logrotate" in user_data


def test_the_agent_is_configured_and_running_before_the_app_starts(user_data: str) -> None:
    config = user_data.index("/opt/aws/amazon-cloudwatch-agent/etc/amazon-cloudwatch-agent.json")
    written = user_data.index(str(TEMPLATE_VALUES["cloudwatch_agent"]))
    started = user_data.index("amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s")
    app = user_data.index("systemctl enable --now todo-api.service")
    assert config < written < started < app


def test_gunicorns_output_goes_to_the_shipped_file_and_is_rotated(user_data: str) -> None:
    unit = user_data[user_data.index("[Service]") : user_data.index("[Install]")]
    assert "StandardOutput=append:/var/log/todo/app.log" in unit
    assert "StandardError=append:/var/log/todo/app.log" in unit
    rotation = user_data[user_data.index("/etc/logrotate.d/todo-api") :]
    assert "copytruncate" in rotation  # the agent and gunicorn keep the same file


def test_the_app_names_its_metrics_service_after_the_stack(user_data: str) -> None:
    assert "\nPOWERTOOLS_SERVICE_NAME=todo-prod\n" in user_data
    assert "\nLOG_LEVEL=INFO\n" in user_data
