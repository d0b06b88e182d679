"""scripts/deploy_serverful.py: stack settings, the two roots' states, outputs contract."""

from __future__ import annotations

from pathlib import Path

import pytest

from scripts import deploy_serverful
from scripts.deploy_serverful import (
    APP,
    PERSISTENT,
    Backend,
    DeployError,
    Deployment,
    StackSettings,
    recorded_outputs,
    root_variables,
    var_flags,
    web_deploy_outputs,
)

PROD = StackSettings("prod", "todo-prod", "eu-west-1")


def test_stack_settings_follow_the_agreed_defaults() -> None:
    assert StackSettings.from_environment({}) == StackSettings("prod", "todo-prod", "us-east-1")
    assert StackSettings.from_environment({"STAGE": "dev", "AWS_REGION": "eu-west-1"}) == (
        StackSettings("dev", "todo-dev", "eu-west-1")
    )
    assert StackSettings.from_environment({"STACK_NAME": "mine"}).stack_name == "mine"


def test_each_root_has_its_own_local_state_by_default(tmp_path: Path) -> None:
    persistent = Backend.for_root(PROD, PERSISTENT, env={}, state_dir=tmp_path)
    app = Backend.for_root(PROD, APP, env={}, state_dir=tmp_path)
    assert persistent == Backend("local", {"path": str(tmp_path / "persistent.tfstate")})
    assert app.config["path"] != persistent.config["path"]
    assert persistent.init_flags() == [f"-backend-config=path={tmp_path / 'persistent.tfstate'}"]


def test_state_bucket_gives_each_root_an_s3_key_with_native_locking() -> None:
    env = {"TF_STATE_BUCKET": "acme-tf-state"}
    persistent = Backend.for_root(PROD, PERSISTENT, env=env)
    app = Backend.for_root(PROD, APP, env=env)
    assert persistent.config == {
        "bucket": "acme-tf-state",
        "key": "todo/todo-prod/persistent.tfstate",
        "region": "eu-west-1",
    }
    assert app.config["key"] == "todo/todo-prod/app.tfstate"
    assert "-backend-config=use_lockfile=true" in persistent.init_flags()
    assert "-backend-config=encrypt=true" in persistent.init_flags()
    # The app root reads the persistent state with the same settings, minus the lock.
    assert persistent.as_variable() == {"backend": "s3", "config": persistent.config}
    other = Backend.for_root(PROD, APP, env={**env, "TF_STATE_REGION": "us-east-2"})
    assert other.config["region"] == "us-east-2"


def test_deploy_settings_reach_the_root_that_uses_them() -> None:
    env = {
        "SES_IDENTITY_ARN": "arn:aws:ses:us-east-1:123456789012:identity/x.com",
        "EMAIL_FROM": "",
        "AMI_ID": "ami-0123456789abcdef0",
        "PERMISSIONS_BOUNDARY_ARN": "arn:aws:iam::123456789012:policy/todo-boundary",
        "ALARM_EMAIL": "ops@example.com",
    }
    assert root_variables(PROD, PERSISTENT, env) == {
        "name": "todo-prod",
        "region": "eu-west-1",
        "ses_identity_arn": env["SES_IDENTITY_ARN"],
    }
    assert root_variables(PROD, APP, env) == {
        "name": "todo-prod",
        "region": "eu-west-1",
        "ami_id": env["AMI_ID"],
        "permissions_boundary_arn": env["PERMISSIONS_BOUNDARY_ARN"],
        "alarm_email": "ops@example.com",
    }
    assert "alarm_email" not in root_variables(PROD, APP, {"ALARM_EMAIL": ""})


def test_app_root_is_told_where_the_persistent_state_is(tmp_path: Path) -> None:
    deployment = Deployment.from_environment({"STAGE": "dev"}, state_dir=tmp_path)
    app = deployment.variables[APP]
    assert app["stage"] == "dev"
    assert app["persistent_state"] == {
        "backend": "local",
        "config": {"path": str(tmp_path / "persistent.tfstate")},
    }
    assert var_flags({"name": "todo-dev", "persistent_state": app["persistent_state"]}) == [
        "-var=name=todo-dev",
        '-var=persistent_state={"backend": "local", "config": {"path": "'
        + str(tmp_path / "persistent.tfstate")
        + '"}}',
    ]


def test_destroying_the_data_needs_the_stack_name_typed_out(tmp_path: Path) -> None:
    deployment = Deployment.from_environment({}, state_dir=tmp_path)
    with pytest.raises(DeployError, match="--confirm todo-prod"):
        deployment.destroy_persistent("todo-dev")


def test_outputs_file_has_exactly_what_deploy_web_needs() -> None:
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
    assert set(web_deploy_outputs(outputs)) == set(deploy_serverful.WEB_DEPLOY_KEYS)
    with pytest.raises(DeployError, match="distribution_id"):
        web_deploy_outputs({**outputs, "distribution_id": ""})


def test_outputs_file_also_tells_operators_where_to_look() -> None:
    outputs = {
        **dict.fromkeys(deploy_serverful.WEB_DEPLOY_KEYS, "x"),
        "dashboard_url": "https://us-east-1.console.aws.amazon.com/cloudwatch/home#dashboards:name=t",
        "log_group": "/todo/todo-prod/app",
        "alarm_topic_arn": "arn:aws:sns:us-east-1:123456789012:todo-prod-alarms",
    }
    recorded = recorded_outputs(outputs)
    assert set(recorded) == set(deploy_serverful.WEB_DEPLOY_KEYS) | {"dashboard_url", "log_group"}
    assert recorded["log_group"] == "/todo/todo-prod/app"
