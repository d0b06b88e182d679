"""tools/deploy_serverful.py: stack settings, the two roots' states, outputs contract."""

from __future__ import annotations

from pathlib import Path

import pytest

from tools.deploy_serverful import (
    S3_BACKEND,
    DeployError,
    Deployment,
    StackSettings,
    recorded_outputs,
)
from tools.deploy_web import REQUIRED_OUTPUTS

PROD = {"STAGE": "prod", "AWS_REGION": "eu-west-1"}


def test_stack_settings_follow_the_agreed_defaults() -> None:
    assert StackSettings.from_environment({}) == StackSettings("prod", "todo-prod", "us-east-1")
    assert StackSettings.from_environment({"STAGE": "dev", "AWS_REGION": "eu-west-1"}) == (
        StackSettings("dev", "todo-dev", "eu-west-1")
    )
    assert StackSettings.from_environment({"STACK_NAME": "mine"}).stack_name == "mine"


def test_each_root_has_its_own_local_state_by_default(tmp_path: Path) -> None:
    deployment = Deployment.from_environment(PROD, state_dir=tmp_path)
    assert deployment.backend("persistent") == {"path": str(tmp_path / "persistent.tfstate")}
    assert deployment.backend("app") == {"path": str(tmp_path / "app.tfstate")}
    default = Deployment.from_environment(PROD).backend("app")["path"]
    assert default.endswith(".deploy/terraform/todo-prod/app.tfstate")


def test_state_bucket_gives_each_root_an_s3_key_with_native_locking() -> None:
    deployment = Deployment.from_environment({**PROD, "TF_STATE_BUCKET": "acme-tf-state"})
    assert deployment.backend("persistent") == {
        "bucket": "acme-tf-state",
        "key": "todo/todo-prod/persistent.tfstate",
        "region": "eu-west-1",
    }
    assert deployment.backend("app")["key"] == "todo/todo-prod/app.tfstate"
    assert 'backend "s3"' in S3_BACKEND
    assert "use_lockfile = true" in S3_BACKEND and "encrypt      = true" in S3_BACKEND
    # The app root reads the persistent state with the same settings.
    assert deployment.variables("app")["persistent_state"] == {
        "backend": "s3",
        "config": deployment.backend("persistent"),
    }
    other = {**PROD, "TF_STATE_BUCKET": "b", "TF_STATE_REGION": "us-east-2"}
    assert Deployment.from_environment(other).backend("app")["region"] == "us-east-2"


def test_deploy_settings_reach_the_root_that_uses_them() -> None:
    env = {
        **PROD,
        "SES_IDENTITY_ARN": "arn:aws:ses:us-east-1:123456789012:identity/x.com",
        "EMAIL_FROM": "",
        "AMI_ID": "ami-0123456789abcdef0",
        "PERMISSIONS_BOUNDARY_ARN": "arn:aws:iam::123456789012:policy/todo-boundary",
        "ALARM_EMAIL": "ops@example.com",
    }
    deployment = Deployment.from_environment(env)
    # The foundation's settings (the alarm topic, WAF, the user pool) go to it.
    assert deployment.variables("persistent") == {
        "name": "todo-prod",
        "region": "eu-west-1",
        "stage": "prod",
        "ses_identity_arn": env["SES_IDENTITY_ARN"],
        "alarm_email": "ops@example.com",
    }
    app = deployment.variables("app")
    assert {key: app[key] for key in app if key != "persistent_state"} == {
        "name": "todo-prod",
        "region": "eu-west-1",
        "ami_id": env["AMI_ID"],
        "permissions_boundary_arn": env["PERMISSIONS_BOUNDARY_ARN"],
    }
    no_email = Deployment.from_environment({**PROD, "ALARM_EMAIL": ""})
    assert "alarm_email" not in no_email.variables("persistent")


def test_app_root_is_told_where_the_persistent_state_is(tmp_path: Path) -> None:
    deployment = Deployment.from_environment({"STAGE": "dev"}, state_dir=tmp_path)
    app = deployment.variables("app")
    assert deployment.variables("persistent")["stage"] == "dev"
    assert app["persistent_state"] == {
        "backend": "local",
        "config": {"path": str(tmp_path / "persistent.tfstate")},
    }


def test_destroying_the_data_needs_the_stack_name_typed_out(tmp_path: Path) -> None:
    deployment = Deployment.from_environment({}, state_dir=tmp_path)
    with pytest.raises(DeployError, match="--confirm todo-prod"):
        deployment.destroy_persistent("todo-dev")


def test_outputs_file_has_what_deploy_web_needs_and_where_operators_look() -> None:
    outputs = {
        "region": "us-east-1",
        "api_url": "https://a.execute-api.us-east-1.amazonaws.com",
        "web_url": "https://d1.cloudfront.net",
        "user_pool_id": "us-east-1_abc",
        "user_pool_client_id": "client",
        "web_bucket": "bucket",
        "distribution_id": "E123",
        "table_name": "not for the web deploy",
    }
    assert set(recorded_outputs(outputs)) == set(REQUIRED_OUTPUTS)
    with pytest.raises(DeployError, match="distribution_id"):
        recorded_outputs({**outputs, "distribution_id": ""})
    operations = {
        "dashboard_url": "https://us-east-1.console.aws.amazon.com/cloudwatch/home#dashboards:name=t",
        "log_group": "/todo/todo-prod/app",
        "alarm_topic_arn": "arn:aws:sns:us-east-1:123456789012:todo-prod-alarms",
    }
    recorded = recorded_outputs({**outputs, **operations})
    assert set(recorded) == set(REQUIRED_OUTPUTS) | {"dashboard_url", "log_group"}
    assert recorded["log_group"] == "/todo/todo-prod/app"
