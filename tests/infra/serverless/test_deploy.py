"""tools/deploy_serverless.py around `sam deploy` / `sam delete`, against in-process moto.

`sam` itself is replaced by a stand-in that records its command line and does to
moto's CloudFormation what `sam deploy` / `sam delete` would do to the stack; the
foundation (Terraform, rehearsed on moto by tests/terraform) by one that records the
backends it is given.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml

from tests.infra.serverless.support import REGION, S3CallRecorder
from tools import deploy_serverless as ds
from tools.deploy_serverful import KEEP

STACK_OUTPUTS = {
    "ApiUrl": "https://abc.execute-api.eu-west-1.amazonaws.com/api/",
    "ApiOriginDomain": "abc.execute-api.eu-west-1.amazonaws.com",
    "DashboardUrl": "https://console.aws.amazon.com/cloudwatch/home#dashboards:name=s",
    "AppLogGroup": "/aws/lambda/s-api",
    "EndpointURL": "ignored",
}
TEMPLATE = {
    "Resources": {"Topic": {"Type": "AWS::SNS::Topic"}},
    "Outputs": {key: {"Value": value} for key, value in STACK_OUTPUTS.items()},
}
# infra/foundation's outputs.
FOUNDATION = {
    "region": REGION,
    "table_name": "todo-test-todos",
    "table_arn": "arn:aws:dynamodb:eu-west-1:123456789012:table/todo-test-todos",
    "user_pool_id": "eu-west-1_abc",
    "user_pool_arn": "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_abc",
    "user_pool_client_id": "client123",
    "issuer": "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc",
    "web_url": "https://d111.cloudfront.net",
    "web_bucket": "todo-test-web-1",
    "distribution_id": "E123",
    "alarm_topic_arn": "arn:aws:sns:eu-west-1:123456789012:todo-test-alarms",
    "backend": None,
}


class FakeFoundation:
    """Stands in for deploy_serverful.Deployment's foundation steps: records each apply's
    backend (KEEP: leave the front door as it is)."""

    def __init__(self, backend: dict[str, str] | None = None) -> None:
        self.outputs_now: dict[str, Any] = {**FOUNDATION, "backend": backend}
        self.applied: list[Any] = []

    def apply_foundation(self, backend: Any = KEEP) -> dict[str, Any]:
        self.applied.append(backend)
        if backend != KEEP:
            self.outputs_now["backend"] = backend
        return dict(self.outputs_now)

    def outputs(self, root: str) -> dict[str, Any]:
        assert root == "persistent"
        return dict(self.outputs_now)


@pytest.fixture(autouse=True)
def sam_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    sam = tmp_path / "sam"
    sam.write_text("#!/bin/sh\nexit 99\n")  # never run: tests pass a stand-in runner
    monkeypatch.setenv("SAM", str(sam))
    return sam


class FakeSam:
    """Records `sam` command lines; `deploy` creates the stack in moto, `delete` deletes it."""

    def __init__(self) -> None:
        self.commands: list[list[str]] = []

    def __call__(self, command: Sequence[str]) -> None:
        self.commands.append(list(command))
        cfn = boto3.client("cloudformation", region_name=REGION)
        stack = command[command.index("--stack-name") + 1]
        if command[1] == "deploy" and ds.describe_stack(cfn, stack) is None:
            cfn.create_stack(StackName=stack, TemplateBody=json.dumps(TEMPLATE))
        elif command[1] == "delete":
            cfn.delete_stack(StackName=stack)


@pytest.fixture
def account(aws: None) -> None:
    """An account set up once with infra/serverless/account.yaml (its API Gateway logging role)."""
    boto3.client("apigateway", region_name=REGION).update_account(
        patchOperations=[
            {"op": "replace", "path": "/cloudwatchRoleArn", "value": "arn:aws:iam::1:role/logs"}
        ]
    )


def _package(tmp_path: Path) -> Path:
    package_dir = tmp_path / "build" / "package"
    package_dir.mkdir(parents=True)
    (package_dir / "deployment.zip").write_bytes(b"PK fake zip")
    (package_dir / "sam.yaml").write_text(yaml.safe_dump(TEMPLATE))
    return package_dir


def _argv(tmp_path: Path, *extra: str) -> list[str]:
    out = str(tmp_path / "build")
    return ["--out", out, "--region", REGION, "--stack-name", "todo-test", *extra]


def option(command: list[str], name: str) -> str:
    return command[command.index(name) + 1]


def test_deploy_is_foundation_then_sam_deploy_onto_it_then_the_front_door(
    account: None, tmp_path: Path
) -> None:
    _package(tmp_path)
    outputs_file = tmp_path / ".deploy" / "serverless-outputs.json"
    sam, foundation = FakeSam(), FakeFoundation()
    argv = ["deploy", *_argv(tmp_path, "--outputs", str(outputs_file))]
    ds.main(argv, run_sam=sam, foundation=foundation)
    (command,) = sam.commands
    assert command[:2] == [str(tmp_path / "sam"), "deploy"]
    assert option(command, "--template-file") == str(tmp_path / "build" / "package" / "sam.yaml")
    assert option(command, "--stack-name") == "todo-test"
    assert option(command, "--region") == REGION
    assert {"--no-fail-on-empty-changeset", "--resolve-s3"} <= set(command)
    assert {"CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"} <= set(command)
    assert "--s3-bucket" not in command
    # The parameter overrides (the foundation's outputs first): the test below.

    outputs = json.loads(outputs_file.read_text())
    assert outputs["region"] == REGION
    assert outputs["api_url"] == "https://abc.execute-api.eu-west-1.amazonaws.com/api"
    assert outputs["web_url"] == "https://d111.cloudfront.net"  # the front door
    assert outputs["web_bucket"] == "todo-test-web-1"  # the foundation's
    # The foundation first (front door left as it was), then pointed at the stage.
    assert foundation.applied == [
        KEEP,
        {
            "architecture": "serverless",
            "domain_name": "abc.execute-api.eu-west-1.amazonaws.com",
            "origin_path": "/api",
        },
    ]


def test_a_given_artifact_bucket_must_be_this_accounts(account: None, tmp_path: Path) -> None:
    _package(tmp_path)
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket="artifacts", CreateBucketConfiguration={"LocationConstraint": REGION})
    sessions, sam = S3CallRecorder(), FakeSam()
    argv = ["deploy", *_argv(tmp_path, "--artifact-bucket", "artifacts")]
    argv += ["--outputs", str(tmp_path / "outputs.json")]
    ds.main(argv, session_factory=sessions, run_sam=sam, foundation=FakeFoundation())
    assert sessions.calls and sessions.without_expected_owner() == []
    (command,) = sam.commands
    assert option(command, "--s3-bucket") == "artifacts"
    assert option(command, "--s3-prefix") == "serverless/todo-test"
    assert "--resolve-s3" not in command

    argv = ["deploy", *_argv(tmp_path, "--artifact-bucket", "someone-elses")]
    with pytest.raises(ds.DeployError, match="must exist and belong to this account"):
        ds.main(argv, run_sam=sam, foundation=FakeFoundation())
    assert len(sam.commands) == 1  # sam never ran for it


def test_the_foundations_outputs_and_deploy_settings_become_parameter_overrides(
    account: None, tmp_path: Path, monkeypatch: Any
) -> None:
    _package(tmp_path)
    # The foundation's settings (EMAIL_FROM, ENABLE_WAF, ...) are Terraform's, not SAM's.
    monkeypatch.setenv("EMAIL_FROM", "Todo <no-reply@example.com>")
    monkeypatch.setenv("PERMISSIONS_BOUNDARY_ARN", "arn:aws:iam::123456789012:policy/boundary")
    sam = FakeSam()
    argv = ["deploy", *_argv(tmp_path, "--parameter", "LogRetentionDays=90")]
    argv += ["--outputs", str(tmp_path / "o.json")]
    ds.main(argv, run_sam=sam, foundation=FakeFoundation())
    overrides = sam.commands[0][sam.commands[0].index("--parameter-overrides") + 1 :]
    foundation = [f'{key}="{FOUNDATION[o]}"' for key, o in ds.FOUNDATION_PARAMETERS.items()]
    assert overrides == [
        *foundation,
        'LogRetentionDays="90"',
        'PermissionsBoundaryArn="arn:aws:iam::123456789012:policy/boundary"',
    ]


def test_parameters_are_key_value_pairs_and_given_ones_win() -> None:
    env = {"PERMISSIONS_BOUNDARY_ARN": "arn:aws:iam::123456789012:policy/x"}
    given = ["PermissionsBoundaryArn=arn:aws:iam::123456789012:policy/y", "A=b=c"]
    parameters = ds.parse_parameters(given, env)
    assert parameters["PermissionsBoundaryArn"].endswith("/y") and parameters["A"] == "b=c"
    with pytest.raises(ds.DeployError, match="KEY=VALUE"):
        ds.parse_parameters(["LogRetentionDays"])
    with pytest.raises(ds.DeployError, match="double quote"):
        ds.parse_parameters(['EmailFrom=a "b"'])


def test_destroy_deletes_the_compute_stack_only_when_the_front_door_is_elsewhere(
    account: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _package(tmp_path)
    sam, foundation = FakeSam(), FakeFoundation()
    argv = ["deploy", *_argv(tmp_path), "--outputs", str(tmp_path / "outputs.json")]
    ds.main(argv, run_sam=sam, foundation=foundation)
    # The active backend: removing it would take the API offline.
    with pytest.raises(ds.DeployError, match="switch to the other architecture first"):
        ds.main(["destroy", *_argv(tmp_path)], run_sam=sam, foundation=foundation)
    foundation.apply_foundation(
        {"architecture": "serverful", "domain_name": "x", "origin_path": ""}
    )
    ds.main(["destroy", *_argv(tmp_path)], run_sam=sam, foundation=foundation)
    delete = sam.commands[-1]
    assert delete[1:] == ["delete", "--stack-name", "todo-test", "--region", REGION, "--no-prompts"]
    ds.main(["destroy", *_argv(tmp_path)], run_sam=sam, foundation=foundation)
    assert "nothing to do" in capsys.readouterr().out
    assert len(sam.commands) == 2


def test_deploy_refuses_an_account_without_the_api_logging_role(aws: None, tmp_path: Path) -> None:
    _package(tmp_path)
    sam = FakeSam()
    with pytest.raises(ds.DeployError, match="make deploy-serverless-account"):
        ds.main(["deploy", *_argv(tmp_path)], run_sam=sam, foundation=FakeFoundation())
    assert sam.commands == []


def test_deploy_without_sam_says_how_to_install_it(
    aws: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _package(tmp_path)
    monkeypatch.setenv("SAM", str(tmp_path / "no-sam"))
    with pytest.raises(ds.DeployError, match="make sam-install"):
        ds.main(["deploy", *_argv(tmp_path)], run_sam=FakeSam(), foundation=FakeFoundation())


def test_deploy_without_a_region_or_a_package_is_a_clear_error(aws: None, tmp_path: Path) -> None:
    argv = ["deploy", "--out", str(tmp_path / "build")]
    with pytest.raises(ds.DeployError, match="no AWS region"):
        ds.main(argv, run_sam=FakeSam(), foundation=FakeFoundation())
    with pytest.raises(ds.DeployError, match="make package-serverless"):
        ds.main(["deploy", *_argv(tmp_path)], run_sam=FakeSam(), foundation=FakeFoundation())


def test_stack_name_defaults_to_the_stage_and_both_are_checked() -> None:
    assert ds.stack_name("prod", None) == "todo-prod"
    assert ds.stack_name("dev", "mine") == "mine"
    for stage, stack in [("Prod", None), ("prod;rm", None), ("prod", "1bad"), ("prod", "a_b")]:
        with pytest.raises(ds.DeployError):
            ds.stack_name(stage, stack)


def test_outputs_are_mapped_to_the_agreed_names_and_missing_ones_named() -> None:
    stack: dict[str, Any] = {
        "StackName": "s",
        "Outputs": [{"OutputKey": k, "OutputValue": v} for k, v in STACK_OUTPUTS.items()],
    }
    assert ds.parse_outputs(stack, FOUNDATION) == {
        "region": REGION,
        "api_url": "https://abc.execute-api.eu-west-1.amazonaws.com/api",
        "api_origin_domain": "abc.execute-api.eu-west-1.amazonaws.com",
        "web_url": "https://d111.cloudfront.net",
        "user_pool_id": "eu-west-1_abc",
        "user_pool_client_id": "client123",
        "web_bucket": "todo-test-web-1",
        "distribution_id": "E123",
        "dashboard_url": STACK_OUTPUTS["DashboardUrl"],
        "log_group": STACK_OUTPUTS["AppLogGroup"],
    }
    stack["Outputs"] = [o for o in stack["Outputs"] if o["OutputKey"] != "ApiUrl"]
    with pytest.raises(ds.DeployError, match="ApiUrl, foundation web_bucket"):
        ds.parse_outputs(stack, {**FOUNDATION, "web_bucket": ""})
