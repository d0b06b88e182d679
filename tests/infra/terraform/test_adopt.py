"""Adopting the foundation (docs/foundation.md), rehearsed on moto: a stack deployed by the
code before the foundation (its front door and alarm topic in infra/serverful's state)
moves to the new layout with `deploy_serverful adopt` and keeps its distribution (the
web URL), its alarm topic, its users and its todos: nothing is replaced."""

from __future__ import annotations

import io
import subprocess
import tarfile
from pathlib import Path

import pytest

from tests.infra.terraform.test_rehearsal import (
    MANAGED_SECURITY_HEADERS_POLICY_ID,
    REGION,
    fake_aws_only,
    once_more_on_failure,
    state,
)
from tools.deploy_serverful import ROOT, Deployment
from tools.local_stack import aws_client, moto_server

pytestmark = pytest.mark.integration

# The last commit before the foundation: the layout a deployed stack has.
BEFORE_FOUNDATION = "ca0b42deb68b2c49ad263251f4741770374478e7"
STACK = "todo-adopt"
# What the old app root held that the foundation owns now (and their dependencies).
OLD_TARGETS = ("module.frontend", "module.monitoring.aws_sns_topic_policy.alarms")


def old_layout(destination: Path) -> Path:
    """terraform/ (now infra/) as it was at BEFORE_FOUNDATION."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", BEFORE_FOUNDATION, "terraform"],
        capture_output=True,
        check=False,
    )
    if archive.returncode:
        pytest.fail(
            f"commit {BEFORE_FOUNDATION} is not in this clone ({archive.stderr.decode()}): "
            "fetch the full history (git fetch --unshallow)"
        )
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(destination, filter="tar")
    return destination / "terraform"


def test_a_stack_deployed_before_the_foundation_is_adopted_without_replacing_anything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_aws_only(tmp_path, monkeypatch)
    settings = {"STAGE": "rehearsal", "STACK_NAME": STACK, "AWS_REGION": REGION}
    with moto_server(log_path=tmp_path / "moto.log") as endpoint:
        monkeypatch.setenv("TF_VAR_local_endpoint", endpoint)
        monkeypatch.setenv("TF_VAR_security_headers_policy_id", MANAGED_SECURITY_HEADERS_POLICY_ID)
        monkeypatch.setenv("TF_VAR_publish_function", "false")
        states = tmp_path / "state"
        before = Deployment.from_environment(
            settings,
            state_dir=states,
            terraform_dir=old_layout(tmp_path / "old"),
            root_dirs={"persistent": "persistent", "app": "app"},  # its folders then
        )
        # Today's deploy, the parts that move: data, users, the front door, the topic.
        once_more_on_failure(lambda: before.change("persistent", "apply"))
        targets = [f"-target={target}" for target in OLD_TARGETS]
        monkeypatch.setenv("TF_CLI_ARGS_apply", " ".join(targets))
        once_more_on_failure(lambda: before.change("app", "apply"))
        monkeypatch.delenv("TF_CLI_ARGS_apply")
        old = before.outputs("persistent")
        (distribution,) = distributions(endpoint)
        topic = topic_arn(endpoint)
        cognito = aws_client("cognito-idp", endpoint)
        cognito.admin_create_user(
            UserPoolId=old["user_pool_id"],
            Username="ada@example.com",
            UserAttributes=[{"Name": "email", "Value": "ada@example.com"}],
        )
        dynamodb = aws_client("dynamodb", endpoint)
        todo = {"user_id": {"S": "ada"}, "item_id": {"S": "t1"}, "title": {"S": "kept"}}
        dynamodb.put_item(TableName=old["table_name"], Item=todo)

        after = Deployment.from_environment(settings, state_dir=states)
        moved = after.adopt(tmp_path / "adopt")
        assert moved == [
            "module.frontend",
            "module.monitoring.aws_kms_key.alarms",
            "module.monitoring.aws_sns_topic.alarms",
            "module.monitoring.aws_sns_topic_policy.alarms",
        ]
        assert not [a for a in state(after, "app") if a.startswith("module.frontend")]
        assert after.adopt(tmp_path / "again") == []  # once only
        foundation = once_more_on_failure(after.apply_foundation)

        # The same distribution (the web URL), topic, table, pool, user and todo.
        assert distributions(endpoint) == [distribution]
        assert foundation["distribution_id"] == distribution
        assert foundation["alarm_topic_arn"] == topic == topic_arn(endpoint)
        assert (foundation["table_name"], foundation["user_pool_id"]) == (
            old["table_name"],
            old["user_pool_id"],
        )
        users = cognito.list_users(UserPoolId=old["user_pool_id"])["Users"]
        emails = [a["Value"] for u in users for a in u["Attributes"] if a["Name"] == "email"]
        assert emails == ["ada@example.com"]
        key = {"user_id": todo["user_id"], "item_id": todo["item_id"]}
        assert dynamodb.get_item(TableName=old["table_name"], Key=key)["Item"] == todo

        once_more_on_failure(lambda: after.destroy_persistent(confirm=STACK))
        assert distributions(endpoint) == []


def distributions(endpoint: str) -> list[str]:
    listing = aws_client("cloudfront", endpoint).list_distributions()["DistributionList"]
    return [item["Id"] for item in listing.get("Items", [])]


def topic_arn(endpoint: str) -> str:
    topics = [t["TopicArn"] for t in aws_client("sns", endpoint).list_topics()["Topics"]]
    (topic,) = [t for t in topics if t.endswith(f":{STACK}-alarms")]
    return topic
