"""scripts/deploy_serverful.py: stack settings, state backend switch, outputs contract."""

from __future__ import annotations

from pathlib import Path

import pytest

from scripts import deploy_serverful
from scripts.deploy_serverful import (
    DeployError,
    StackSettings,
    backend_settings,
    stack_variables,
    web_deploy_outputs,
)


@pytest.fixture
def override_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "backend_override.tf"
    monkeypatch.setattr(deploy_serverful, "BACKEND_OVERRIDE", path)
    monkeypatch.setattr(deploy_serverful, "DEPLOY_DIR", tmp_path / ".deploy")
    return path


def test_stack_settings_follow_the_agreed_defaults() -> None:
    assert StackSettings.from_environment({}) == StackSettings("prod", "todo-prod", "us-east-1")
    assert StackSettings.from_environment({"STAGE": "dev", "AWS_REGION": "eu-west-1"}) == (
        StackSettings("dev", "todo-dev", "eu-west-1")
    )
    assert StackSettings.from_environment({"STACK_NAME": "mine"}).stack_name == "mine"


def test_state_is_local_by_default(override_file: Path, tmp_path: Path) -> None:
    override_file.write_text("left over from an S3 deploy")
    config = backend_settings(StackSettings("prod", "todo-prod", "us-east-1"), env={})
    assert config == [f"path={tmp_path / '.deploy' / 'terraform' / 'todo-prod.tfstate'}"]
    assert not override_file.exists()


def test_state_bucket_switches_to_s3_with_native_locking(override_file: Path) -> None:
    settings = StackSettings("prod", "todo-prod", "eu-west-1")
    config = backend_settings(settings, env={"TF_STATE_BUCKET": "acme-tf-state"})
    assert 'backend "s3" {}' in override_file.read_text()
    assert config == [
        "bucket=acme-tf-state",
        "key=todo/todo-prod/serverful.tfstate",
        "region=eu-west-1",
        "encrypt=true",
        "use_lockfile=true",
    ]
    custom = backend_settings(
        settings,
        env={"TF_STATE_BUCKET": "b", "TF_STATE_KEY": "k.tfstate", "TF_STATE_REGION": "us-east-2"},
    )
    assert "key=k.tfstate" in custom and "region=us-east-2" in custom


def test_stack_variables_pass_the_settings_and_an_absolute_artifact_path(tmp_path: Path) -> None:
    artifact = tmp_path / "app.zip"
    flags = stack_variables(
        StackSettings("prod", "todo-prod", "eu-west-1"), artifact, {"min_size": 1}
    )
    assert flags == [
        "-var=name=todo-prod",
        "-var=region=eu-west-1",
        f"-var=artifact_path={artifact.resolve()}",
        "-var=min_size=1",
    ]


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


def test_ses_settings_become_the_auth_modules_email_variables() -> None:
    env = {"SES_IDENTITY_ARN": "arn:aws:ses:us-east-1:123456789012:identity/x.com"}
    assert deploy_serverful.email_variables(env) == {"ses_identity_arn": env["SES_IDENTITY_ARN"]}
    env["EMAIL_FROM"] = "Todo <no-reply@x.com>"
    assert deploy_serverful.email_variables(env)["email_from"] == "Todo <no-reply@x.com>"
    assert deploy_serverful.email_variables({"EMAIL_FROM": ""}) == {}


def test_alarm_email_becomes_the_monitoring_modules_variable() -> None:
    assert deploy_serverful.alarm_variables({"ALARM_EMAIL": "ops@example.com"}) == {
        "alarm_email": "ops@example.com"
    }
    assert deploy_serverful.alarm_variables({"ALARM_EMAIL": ""}) == {}
