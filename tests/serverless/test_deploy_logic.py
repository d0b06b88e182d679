"""scripts/deploy_serverless.py and scripts/deploy_web.py against in-process moto."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from unittest import mock

import boto3
import pytest
import yaml
from moto import mock_aws

from scripts import deploy_serverless as ds
from scripts import deploy_web as dw

REGION = "eu-west-1"  # not us-east-1, so bucket creation needs its LocationConstraint


@pytest.fixture
def aws(tmp_path: Path) -> Iterator[None]:
    env = {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_CONFIG_FILE": str(tmp_path / "no-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-credentials"),
    }
    with mock.patch.dict(os.environ, env), mock_aws(), _change_sets_publish_outputs():
        for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "STAGE", "STACK_NAME"):
            os.environ.pop(name, None)
        yield


@contextmanager
def _change_sets_publish_outputs() -> Iterator[None]:
    """moto 5.2 forgets to recompute a stack's outputs when it executes a change set."""
    from moto.cloudformation.models import ChangeSet

    original = ChangeSet.apply

    def apply(self: Any) -> None:
        original(self)
        self.stack.template = self.template
        self.stack._parse_template()
        self.stack.output_map = self.stack._create_output_map()

    with mock.patch.object(ChangeSet, "apply", apply):
        yield


# ---------------------------------------------------------------- deploy_serverless


def test_target_defaults_to_prod_and_todo_stage() -> None:
    assert ds.resolve_target(None, None, None) == ds.Target("prod", "todo-prod", None)
    assert ds.resolve_target("dev", None, "eu-west-1") == ds.Target("dev", "todo-dev", "eu-west-1")
    assert ds.resolve_target("dev", "mine", "") == ds.Target("dev", "mine", None)


@pytest.mark.parametrize(
    "stage, stack", [("Prod", None), ("prod;rm", None), ("prod", "1bad"), ("prod", "a_b")]
)
def test_target_rejects_bad_names(stage: str, stack: str | None) -> None:
    with pytest.raises(ds.DeployError):
        ds.resolve_target(stage, stack, None)


def test_cli_reads_stage_stack_name_and_region_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("STAGE", "staging")
    monkeypatch.setenv("STACK_NAME", "todo-blue")
    monkeypatch.setenv("AWS_REGION", "ap-south-1")
    args = ds.build_parser().parse_args(["deploy"])
    assert (args.stage, args.stack_name, args.region) == ("staging", "todo-blue", "ap-south-1")
    args = ds.build_parser().parse_args(
        ["destroy", "--stage", "qa", "--stack-name", "x", "--region", "us-west-2"]
    )
    assert (args.stage, args.stack_name, args.region) == ("qa", "x", "us-west-2")


def test_parameters_are_key_value_pairs() -> None:
    assert ds.parse_parameters(["LogRetentionDays=90", "A=b=c"]) == [
        {"ParameterKey": "LogRetentionDays", "ParameterValue": "90"},
        {"ParameterKey": "A", "ParameterValue": "b=c"},
    ]
    with pytest.raises(ds.DeployError, match="KEY=VALUE"):
        ds.parse_parameters(["LogRetentionDays"])


def test_ses_settings_in_the_environment_become_parameters_unless_given() -> None:
    arn = "arn:aws:ses:us-east-1:123456789012:identity/x.com"
    env = {"SES_IDENTITY_ARN": arn, "EMAIL_FROM": ""}
    assert ds.parse_parameters([], env) == [
        {"ParameterKey": "SesIdentityArn", "ParameterValue": env["SES_IDENTITY_ARN"]}
    ]
    given = ["SesIdentityArn=arn:aws:ses:us-east-1:123456789012:identity/y.com"]
    assert ds.parse_parameters(given, env) == [
        {"ParameterKey": "SesIdentityArn", "ParameterValue": given[0].split("=", 1)[1]}
    ]


def _stack(outputs: dict[str, str]) -> dict[str, Any]:
    return {
        "StackName": "s",
        "Outputs": [{"OutputKey": k, "OutputValue": v} for k, v in outputs.items()],
    }


STACK_OUTPUTS = {
    "ApiUrl": "https://abc.execute-api.eu-west-1.amazonaws.com/api/",
    "WebUrl": "https://d111.cloudfront.net",
    "UserPoolId": "eu-west-1_abc",
    "UserPoolClientId": "client123",
    "WebBucketName": "web-bucket",
    "DistributionId": "E123",
    "DashboardUrl": "https://eu-west-1.console.aws.amazon.com/cloudwatch/home#dashboards:name=s",
    "AppLogGroup": "/aws/lambda/s-api",
    "EndpointURL": "ignored",
}


def test_outputs_are_mapped_to_the_agreed_names() -> None:
    assert ds.parse_outputs(_stack(STACK_OUTPUTS), "eu-west-1") == {
        "region": "eu-west-1",
        "api_url": "https://abc.execute-api.eu-west-1.amazonaws.com/api",
        "web_url": "https://d111.cloudfront.net",
        "user_pool_id": "eu-west-1_abc",
        "user_pool_client_id": "client123",
        "web_bucket": "web-bucket",
        "distribution_id": "E123",
        "dashboard_url": "https://eu-west-1.console.aws.amazon.com/cloudwatch/home#dashboards:name=s",
        "log_group": "/aws/lambda/s-api",
    }


def test_missing_outputs_are_named() -> None:
    partial = {k: v for k, v in STACK_OUTPUTS.items() if k not in ("WebUrl", "DistributionId")}
    with pytest.raises(ds.DeployError, match="WebUrl, DistributionId"):
        ds.parse_outputs(_stack(partial), "eu-west-1")


@pytest.mark.parametrize(
    "status, expected",
    [
        (None, "CREATE"),
        ("REVIEW_IN_PROGRESS", "CREATE"),
        ("CREATE_COMPLETE", "UPDATE"),
        ("UPDATE_ROLLBACK_COMPLETE", "UPDATE"),
        ("UPDATE_COMPLETE", "UPDATE"),
    ],
)
def test_change_set_type(status: str | None, expected: str) -> None:
    assert ds.change_set_type(status) == expected


@pytest.mark.parametrize("status", ["UPDATE_IN_PROGRESS", "ROLLBACK_COMPLETE", "DELETE_FAILED"])
def test_change_set_type_refuses_unsettled_or_broken_stacks(status: str) -> None:
    with pytest.raises(ds.DeployError):
        ds.change_set_type(status)


TEMPLATE = {
    "AWSTemplateFormatVersion": "2010-09-09",
    "Resources": {"WebBucket": {"Type": "AWS::S3::Bucket"}},
    "Outputs": {
        **{k: {"Value": v} for k, v in STACK_OUTPUTS.items() if k != "WebBucketName"},
        "WebBucketName": {"Value": {"Ref": "WebBucket"}},
    },
}


def _package(tmp_path: Path) -> Path:
    package_dir = tmp_path / "build" / "package"
    package_dir.mkdir(parents=True)
    (package_dir / "deployment.zip").write_bytes(b"PK fake zip")
    (package_dir / "sam.yaml").write_text(yaml.safe_dump(TEMPLATE))
    return package_dir


def test_deploy_then_destroy(aws: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _package(tmp_path)
    outputs_file = tmp_path / ".deploy" / "serverless-outputs.json"
    argv = ["--out", str(tmp_path / "build"), "--region", REGION, "--poll-seconds", "0"]
    code = ds.main(["deploy", *argv, "--stack-name", "todo-test", "--outputs", str(outputs_file)])
    assert code == 0, capsys.readouterr().err
    printed = capsys.readouterr().out
    assert "(CREATE)" in printed and "CREATE_COMPLETE" in printed

    outputs = json.loads(outputs_file.read_text())
    assert outputs["region"] == REGION
    assert outputs["api_url"] == "https://abc.execute-api.eu-west-1.amazonaws.com/api"
    assert outputs["web_bucket"].startswith("todo-test-webbucket-")

    s3 = boto3.client("s3", region_name=REGION)
    account = boto3.client("sts", region_name=REGION).get_caller_identity()["Account"]
    artifacts = f"todo-artifacts-{account}-{REGION}"
    assert s3.get_bucket_location(Bucket=artifacts)["LocationConstraint"] == REGION
    assert s3.get_public_access_block(Bucket=artifacts)["PublicAccessBlockConfiguration"][
        "BlockPublicPolicy"
    ]
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=artifacts)["Contents"]]
    assert sorted(k.rsplit(".", 1)[1] for k in keys) == ["yaml", "zip"]
    assert all(k.startswith("serverless/todo-test/") for k in keys)

    # A second deploy is an UPDATE of the existing stack.
    code = ds.main(["deploy", *argv, "--stack-name", "todo-test", "--outputs", str(outputs_file)])
    assert code == 0
    assert "(UPDATE)" in capsys.readouterr().out

    s3.put_bucket_versioning(
        Bucket=outputs["web_bucket"], VersioningConfiguration={"Status": "Enabled"}
    )
    for body in (b"one", b"two"):
        s3.put_object(Bucket=outputs["web_bucket"], Key="index.html", Body=body)
    assert ds.main(["destroy", *argv, "--stack-name", "todo-test"]) == 0
    printed = capsys.readouterr().out
    assert "2 object versions" in printed and "deleted" in printed
    cfn = boto3.client("cloudformation", region_name=REGION)
    assert ds.stack_status(cfn, "todo-test") is None
    assert ds.main(["destroy", *argv, "--stack-name", "todo-test"]) == 0
    assert "nothing to do" in capsys.readouterr().out


def test_deploy_without_a_region_is_a_clear_error(
    aws: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _package(tmp_path)
    assert ds.main(["deploy", "--out", str(tmp_path / "build")]) == 1
    assert "no AWS region" in capsys.readouterr().err


def test_deploy_without_a_package_says_how_to_build_it(
    aws: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert ds.main(["deploy", "--out", str(tmp_path / "nothing"), "--region", REGION]) == 1
    assert "make package-serverless" in capsys.readouterr().err


def test_event_printer_prints_each_event_once_and_collects_failures() -> None:
    events = [
        {
            "EventId": "2",
            "Timestamp": datetime(2026, 1, 1, 12, 0, 2),
            "ResourceStatus": "CREATE_FAILED",
            "ResourceType": "AWS::S3::Bucket",
            "LogicalResourceId": "Web",
            "ResourceStatusReason": "denied",
        },
        {
            "EventId": "1",
            "Timestamp": datetime(2026, 1, 1, 12, 0, 1),
            "ResourceStatus": "CREATE_IN_PROGRESS",
            "ResourceType": "AWS::S3::Bucket",
            "LogicalResourceId": "Web",
        },
    ]
    old = {"EventId": "0", "Timestamp": datetime(2025, 1, 1), "ResourceStatus": "UPDATE_COMPLETE"}
    pages: list[dict[str, Any]] = [{"StackEvents": [old]}]
    cfn = mock.Mock()
    cfn.get_paginator.return_value.paginate.side_effect = lambda **_: iter(pages)
    lines: list[str] = []
    printer = ds.EventPrinter(cfn, "stack", write=lines.append)
    printer.skip_existing()
    pages = [{"StackEvents": events[1:]}, {"StackEvents": [old]}]
    printer.poll()
    pages = [{"StackEvents": events}, {"StackEvents": [old]}]
    printer.poll()
    printer.poll()
    assert len(lines) == 2
    assert "CREATE_IN_PROGRESS" in lines[0] and "CREATE_FAILED" in lines[1] and "denied" in lines[1]
    assert printer.failures == ["Web: denied"]


# ---------------------------------------------------------------- deploy_web


@pytest.mark.parametrize(
    "key, cache",
    [
        ("assets/index-BkX9a2_c.js", dw.IMMUTABLE),
        ("assets/logo-3f2a.svg", dw.IMMUTABLE),
        ("index.html", dw.REVALIDATE),
        ("config.json", dw.REVALIDATE),
        ("favicon.ico", dw.REVALIDATE),
        ("robots.txt", dw.REVALIDATE),
    ],
)
def test_cache_control(key: str, cache: str) -> None:
    assert dw.cache_control(key) == cache


@pytest.mark.parametrize(
    "key, ctype",
    [
        ("assets/a.js", "text/javascript; charset=utf-8"),
        ("index.html", "text/html; charset=utf-8"),
        ("assets/a.css", "text/css; charset=utf-8"),
        ("logo.svg", "image/svg+xml"),
        ("config.json", "application/json"),
        ("f.woff2", "font/woff2"),
        ("blob", "application/octet-stream"),
    ],
)
def test_content_type(key: str, ctype: str) -> None:
    assert dw.content_type(key) == ctype


WEB_OUTPUTS = {
    "region": REGION,
    "api_url": "https://abc.execute-api.eu-west-1.amazonaws.com/api/",
    "web_url": "https://d111.cloudfront.net",
    "user_pool_id": "eu-west-1_abc",
    "user_pool_client_id": "client123",
    "web_bucket": "todo-web",
    "distribution_id": "E123",
}


def _dist(tmp_path: Path) -> Path:
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text(
        "<!doctype html><script src=/assets/index-abc12345.js></script>"
    )
    (dist / "assets" / "index-abc12345.js").write_text("console.log(1)")
    (dist / "favicon.ico").write_bytes(b"\x00")
    (dist / "config.json").write_text('{"apiUrl": "http://127.0.0.1:8000"}')  # a local one
    return dist


def test_upload_plan_puts_assets_first_index_last_and_replaces_config(tmp_path: Path) -> None:
    plan = dw.plan_uploads(_dist(tmp_path), dw.runtime_config(WEB_OUTPUTS))
    assert [u.key for u in plan] == [
        "assets/index-abc12345.js",
        "config.json",
        "favicon.ico",
        "index.html",
    ]
    config = json.loads(next(u for u in plan if u.key == "config.json").body)
    assert config == {
        "apiUrl": "https://abc.execute-api.eu-west-1.amazonaws.com/api",
        "region": REGION,
        "userPoolId": "eu-west-1_abc",
        "userPoolClientId": "client123",
    }


def test_stale_objects_are_removed_but_recent_hashed_assets_wait() -> None:
    now = datetime(2026, 6, 1, tzinfo=UTC)
    existing = {
        "index.html": now,
        "old.html": now,
        "assets/index-old11111.js": now - timedelta(days=1),
        "assets/index-older222.js": now - timedelta(days=30),
    }
    assert dw.stale_keys(existing, {"index.html"}, now) == ["assets/index-older222.js", "old.html"]


def _outputs_file(tmp_path: Path, outputs: dict[str, str]) -> Path:
    path = tmp_path / "outputs.json"
    path.write_text(json.dumps(outputs))
    return path


@pytest.mark.parametrize(
    "content, message",
    [
        (None, "deploy the backend first"),
        ("{", "is not JSON"),
        ("[]", "JSON object"),
        (json.dumps({**WEB_OUTPUTS, "web_bucket": ""}), "lacks web_bucket"),
    ],
)
def test_outputs_file_problems_are_clear(tmp_path: Path, content: str | None, message: str) -> None:
    path = tmp_path / "outputs.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(dw.PublishError, match=message):
        dw.load_outputs(path)


def _distribution() -> str:
    cloudfront = boto3.client("cloudfront", region_name="us-east-1")
    created = cloudfront.create_distribution(
        DistributionConfig={
            "CallerReference": "test",
            "Comment": "",
            "Enabled": True,
            "Origins": {
                "Quantity": 1,
                "Items": [
                    {
                        "Id": "web",
                        "DomainName": "todo-web.s3.amazonaws.com",
                        "S3OriginConfig": {"OriginAccessIdentity": ""},
                    }
                ],
            },
            "DefaultCacheBehavior": {
                "TargetOriginId": "web",
                "ViewerProtocolPolicy": "https-only",
                "MinTTL": 0,
                "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}},
                "TrustedSigners": {"Enabled": False, "Quantity": 0},
            },
        }
    )
    return str(created["Distribution"]["Id"])


def test_publish_uploads_with_headers_prunes_and_invalidates(
    aws: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket="todo-web", CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_object(Bucket="todo-web", Key="removed-page.html", Body=b"old")
    outputs = {**WEB_OUTPUTS, "distribution_id": _distribution()}
    code = dw.main(
        ["--outputs", str(_outputs_file(tmp_path, outputs)), "--dist", str(_dist(tmp_path))],
        session_factory=boto3.Session,
        build=lambda: pytest.fail("dist exists"),
    )
    assert code == 0, capsys.readouterr().err
    printed = capsys.readouterr().out
    assert "https://d111.cloudfront.net" in printed and "removed 1 stale" in printed

    keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket="todo-web")["Contents"])
    assert keys == ["assets/index-abc12345.js", "config.json", "favicon.ico", "index.html"]
    asset = s3.head_object(Bucket="todo-web", Key="assets/index-abc12345.js")
    assert asset["CacheControl"] == dw.IMMUTABLE
    assert asset["ContentType"] == "text/javascript; charset=utf-8"
    index = s3.head_object(Bucket="todo-web", Key="index.html")
    assert (index["CacheControl"], index["ContentType"]) == ("no-cache", "text/html; charset=utf-8")
    config = s3.get_object(Bucket="todo-web", Key="config.json")
    assert config["CacheControl"] == "no-cache"
    assert json.loads(config["Body"].read())["userPoolClientId"] == "client123"

    cloudfront = boto3.client("cloudfront", region_name="us-east-1")
    invalidations = cloudfront.list_invalidations(DistributionId=outputs["distribution_id"])
    assert invalidations["InvalidationList"]["Quantity"] == 1


def test_missing_dist_runs_the_web_build(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    built: list[bool] = []

    def build() -> None:
        built.append(True)
        dist.mkdir()
        (dist / "index.html").write_text("<!doctype html>")

    dw.ensure_built(dist, build)
    dw.ensure_built(dist, lambda: pytest.fail("already built"))
    assert built == [True]
    with pytest.raises(dw.PublishError, match="did not produce"):
        dw.ensure_built(tmp_path / "never", lambda: None)


class FakeCloudFormation:
    """Just enough of a CloudFormation client to steer deploy_stack through its branches."""

    class exceptions:  # mirrors boto3's client.exceptions
        from botocore.exceptions import ClientError

    def __init__(self, status: str | None, change_set: dict[str, Any], final: list[str]) -> None:
        self.status = status
        self.change_set = change_set
        self.final = final
        self.calls: dict[str, dict[str, Any]] = {}

    def describe_stacks(self, StackName: str) -> dict[str, Any]:
        if self.status is None:
            from botocore.exceptions import ClientError

            raise ClientError({"Error": {"Message": "Stack does not exist"}}, "DescribeStacks")
        return {"Stacks": [{"StackId": "id", "StackName": "s", "StackStatus": self.status}]}

    def create_change_set(self, **kwargs: Any) -> dict[str, str]:
        self.calls["create_change_set"] = kwargs
        self.status = self.status or "REVIEW_IN_PROGRESS"
        return {"StackId": "id", "Id": "cs"}

    def describe_change_set(self, ChangeSetName: str) -> dict[str, Any]:
        return self.change_set

    def delete_change_set(self, ChangeSetName: str) -> None:
        self.calls["delete_change_set"] = {"ChangeSetName": ChangeSetName}

    def execute_change_set(self, **kwargs: Any) -> None:
        self.calls["execute_change_set"] = kwargs
        self.status = self.final.pop(0)

    def get_paginator(self, name: str) -> Any:
        failed = {
            "EventId": "e",
            "Timestamp": datetime(2026, 1, 1),
            "ResourceStatus": "UPDATE_FAILED",
            "LogicalResourceId": "TodoTable",
            "ResourceStatusReason": "limit exceeded",
        }
        events = [failed] if "execute_change_set" in self.calls else []
        paginator = mock.Mock()
        paginator.paginate.return_value = [{"StackEvents": events}]
        return paginator


TARGET = ds.Target("prod", "todo-prod", "eu-west-1")


def test_new_stack_is_created_with_rollback_on_failure() -> None:
    cfn = FakeCloudFormation(None, {"Status": "CREATE_COMPLETE"}, ["CREATE_COMPLETE"])
    ds.deploy_stack(cfn, TARGET, "https://b.s3/t.yaml", [], poll_seconds=0)
    request = cfn.calls["create_change_set"]
    assert request["ChangeSetType"] == "CREATE"
    assert request["OnStackFailure"] == "ROLLBACK"
    assert set(request["Capabilities"]) == {"CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"}
    assert "DisableRollback" not in cfn.calls["execute_change_set"]


def test_failed_update_rolls_back_and_reports_why() -> None:
    cfn = FakeCloudFormation(
        "UPDATE_COMPLETE", {"Status": "CREATE_COMPLETE"}, ["UPDATE_ROLLBACK_COMPLETE"]
    )
    with pytest.raises(ds.DeployError, match="UPDATE_ROLLBACK_COMPLETE: TodoTable: limit exceeded"):
        ds.deploy_stack(cfn, TARGET, "https://b.s3/t.yaml", [], poll_seconds=0)
    assert cfn.calls["create_change_set"]["ChangeSetType"] == "UPDATE"
    assert "OnStackFailure" not in cfn.calls["create_change_set"]
    assert cfn.calls["execute_change_set"]["DisableRollback"] is False


def test_update_without_changes_is_not_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    reason = "The submitted information didn't contain changes. Submit different information."
    cfn = FakeCloudFormation("UPDATE_COMPLETE", {"Status": "FAILED", "StatusReason": reason}, [])
    stack = ds.deploy_stack(cfn, TARGET, "https://b.s3/t.yaml", [], poll_seconds=0)
    assert stack["StackStatus"] == "UPDATE_COMPLETE"
    assert "execute_change_set" not in cfn.calls
    assert cfn.calls["delete_change_set"] == {"ChangeSetName": "cs"}
    assert "no changes" in capsys.readouterr().out


def test_invalid_change_set_is_an_error() -> None:
    cfn = FakeCloudFormation(
        "UPDATE_COMPLETE", {"Status": "FAILED", "StatusReason": "Template error"}, []
    )
    with pytest.raises(ds.DeployError, match="Template error"):
        ds.deploy_stack(cfn, TARGET, "https://b.s3/t.yaml", [], poll_seconds=0)
    assert "execute_change_set" not in cfn.calls
