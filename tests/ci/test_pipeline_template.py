"""ci/pipeline.yaml: the release flow, least-privilege roles, and data that
survives (cfn-lint and checkov run in `make ci-lint`)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.ci.cfn import REPO, load_template

TEMPLATE = load_template()
RESOURCES: dict[str, Any] = TEMPLATE["Resources"]
PIPELINE = RESOURCES["Pipeline"]["Properties"]
# Deleting any of these loses data; no role of the pipeline may do it.
DATA_DELETING_ACTIONS = {
    "dynamodb:deletetable",
    "cognito-idp:deleteuserpool",
    "s3:deletebucket",
    "cloudformation:deletestack",
    "kms:schedulekeydeletion",
    "logs:deleteloggroup",
}


def of_type(kind: str) -> dict[str, dict[str, Any]]:
    return {name: r for name, r in RESOURCES.items() if r["Type"] == kind}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def role_policy_statements() -> Iterator[tuple[str, dict[str, Any]]]:
    """Every statement of every identity policy (inline and managed) in the template."""
    for name, role in of_type("AWS::IAM::Role").items():
        for policy in role["Properties"].get("Policies", []):
            for statement in policy["PolicyDocument"]["Statement"]:
                yield f"{name}/{policy['PolicyName']}", statement
    for name, policy in of_type("AWS::IAM::ManagedPolicy").items():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            yield name, statement


def stage(name: str) -> dict[str, Any]:
    return next(s for s in PIPELINE["Stages"] if s["Name"] == name)


def test_parameters_choose_connection_repository_branch_architecture_and_name() -> None:
    params = TEMPLATE["Parameters"]
    assert {"ConnectionArn", "RepositoryId", "BranchName", "Architecture", "ProjectName"} <= set(
        params
    )
    assert params["Architecture"]["AllowedValues"] == ["serverless", "serverful"]
    arn = re.compile(params["ConnectionArn"]["AllowedPattern"])
    assert arn.match("arn:aws:codestar-connections:eu-west-1:123456789012:connection/0a1b-2c3d")
    assert arn.match("arn:aws:codeconnections:us-east-1:123456789012:connection/0a1b2c3d")
    assert not arn.match("arn:aws:iam::123456789012:role/x")


def test_pipeline_v2_runs_source_test_deploy_frontend_in_that_order() -> None:
    assert PIPELINE["PipelineType"] == "V2"
    assert [s["Name"] for s in PIPELINE["Stages"]] == ["Source", "Test", "Deploy", "Frontend"]
    (source,) = stage("Source")["Actions"]
    assert source["ActionTypeId"]["Provider"] == "CodeStarSourceConnection"
    assert source["Configuration"]["ConnectionArn"] == {"Ref": "ConnectionArn"}
    assert source["Configuration"]["FullRepositoryId"] == {"Ref": "RepositoryId"}
    assert source["Configuration"]["BranchName"] == {"Ref": "BranchName"}


def test_pushes_to_the_branch_trigger_a_release() -> None:
    (trigger,) = PIPELINE["Triggers"]
    assert trigger["ProviderType"] == "CodeStarSourceConnection"
    git = trigger["GitConfiguration"]
    assert git["SourceActionName"] == stage("Source")["Actions"][0]["Name"]
    assert git["Push"] == [{"Branches": {"Includes": [{"Ref": "BranchName"}]}}]


def test_a_failed_stage_stops_the_release_without_rollback_or_retry() -> None:
    # No OnFailure override: CodePipeline's default is to fail the stage and stop.
    for s in PIPELINE["Stages"]:
        assert "OnFailure" not in s, s["Name"]


def test_each_build_stage_runs_its_project_with_its_build_spec() -> None:
    expected = {
        "Test": "ci/buildspec-test.yml",
        "Deploy": "ci/buildspec-backend.yml",
        "Frontend": "ci/buildspec-frontend.yml",
    }
    for stage_name, buildspec in expected.items():
        (action,) = stage(stage_name)["Actions"]
        project = RESOURCES[action["Configuration"]["ProjectName"]["Ref"]]["Properties"]
        assert project["Source"]["BuildSpec"] == buildspec
        assert (REPO / buildspec).is_file()


def test_frontend_gets_the_deploy_outputs_as_a_secondary_artifact() -> None:
    (backend,) = stage("Deploy")["Actions"]
    (web,) = stage("Frontend")["Actions"]
    outputs = [a["Name"] for a in backend["OutputArtifacts"]]
    inputs = [a["Name"] for a in web["InputArtifacts"]]
    assert inputs == ["SourceOutput", *outputs]
    assert web["Configuration"]["PrimarySource"] == "SourceOutput"


def test_build_projects_use_codebuild_standard_7_unprivileged_and_encrypted() -> None:
    projects = of_type("AWS::CodeBuild::Project")
    assert len(projects) == 3
    for name, project in projects.items():
        props = project["Properties"]
        env = props["Environment"]
        assert env["Image"] == "aws/codebuild/standard:7.0", name
        assert env["PrivilegedMode"] is False, name
        assert props["EncryptionKey"] == {"Fn::GetAtt": ["PipelineKey", "Arn"]}, name
        assert props["Cache"]["Type"] == "S3", name
        assert {"Name": "ARCHITECTURE", "Value": {"Ref": "Architecture"}} in env[
            "EnvironmentVariables"
        ], name
        assert props["LogsConfig"]["CloudWatchLogs"]["Status"] == "ENABLED", name


def test_artifact_bucket_is_private_encrypted_and_expires_artifacts() -> None:
    bucket = RESOURCES["ArtifactBucket"]["Properties"]
    sse = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    assert sse["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    rules = bucket["LifecycleConfiguration"]["Rules"]
    assert any(r["Status"] == "Enabled" and "ExpirationInDays" in r for r in rules)
    assert PIPELINE["ArtifactStore"]["EncryptionKey"]["Type"] == "KMS"


def test_buckets_refuse_plain_http() -> None:
    for policy in of_type("AWS::S3::BucketPolicy").values():
        (statement,) = policy["Properties"]["PolicyDocument"]["Statement"]
        assert statement["Effect"] == "Deny"
        assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_terraform_state_bucket_and_lock_table_exist_only_for_serverful() -> None:
    for name in ("TerraformStateBucket", "TerraformLockTable", "ServerfulDeployPolicy"):
        assert RESOURCES[name]["Condition"] == "IsServerful", name
    assert RESOURCES["ServerlessDeployPolicy"]["Condition"] == "IsServerless"
    assert TEMPLATE["Conditions"]["IsServerful"] == {
        "Fn::Equals": [{"Ref": "Architecture"}, "serverful"]
    }
    table = RESOURCES["TerraformLockTable"]["Properties"]
    assert table["KeySchema"] == [{"AttributeName": "LockID", "KeyType": "HASH"}]
    assert table["SSESpecification"]["SSEEnabled"] is True
    assert table["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True


@pytest.mark.parametrize(
    "name", ["PipelineKey", "ArtifactBucket", "TerraformStateBucket", "TerraformLockTable"]
)
def test_data_stores_are_retained_when_the_stack_goes(name: str) -> None:
    assert RESOURCES[name]["DeletionPolicy"] == "Retain"
    assert RESOURCES[name]["UpdateReplacePolicy"] == "Retain"


def test_no_role_has_a_service_wide_or_global_wildcard_action() -> None:
    offenders = []
    for where, statement in role_policy_statements():
        if statement["Effect"] != "Allow":
            continue
        for action in as_list(statement["Action"]):
            if action == "*" or action.endswith(":*"):
                offenders.append((where, statement.get("Sid"), action))
    assert offenders == []


def test_no_role_may_delete_a_data_store() -> None:
    granted = {
        (where, action.lower())
        for where, statement in role_policy_statements()
        if statement["Effect"] == "Allow"
        for action in as_list(statement["Action"])
    }
    assert {g for g in granted if g[1] in DATA_DELETING_ACTIONS} == set()


def test_resource_wide_grants_are_read_only_or_explained() -> None:
    # Resource "*" only where AWS cannot scope the action; each such statement
    # has a Sid, and a comment above it in the template says why.
    text = (REPO / "ci" / "pipeline.yaml").read_text()
    for where, statement in role_policy_statements():
        if statement["Effect"] != "Allow" or "*" not in as_list(statement["Resource"]):
            continue
        sid = statement.get("Sid")
        assert sid, f"{where}: a Resource '*' statement needs a Sid"
        before = text[: text.index(f"- Sid: {sid}")].rstrip().splitlines()[-1].strip()
        assert before.startswith("#"), f"{where}/{sid}: say why Resource '*' is needed"


def test_app_scoped_grants_use_the_stack_name_prefix() -> None:
    # Rights on the app's own resources are limited to names that start with
    # <project>-<stage>, the stack name the deploy targets use.
    scoped = 0
    for where, statement in role_policy_statements():
        for resource in as_list(statement["Resource"]):
            sub = resource.get("Fn::Sub") if isinstance(resource, dict) else None
            if isinstance(sub, str) and "${ProjectName}-${Stage}" in sub:
                scoped += 1
                assert re.search(r"\$\{ProjectName\}-\$\{Stage\}([-*/]|$)", sub), (where, sub)
    assert scoped >= 10


def test_the_test_build_role_gets_no_deploy_rights() -> None:
    attached = {
        name
        for name, policy in of_type("AWS::IAM::ManagedPolicy").items()
        if {"Ref": "TestBuildRole"} in policy["Properties"]["Roles"]
    }
    assert attached == {"BuildBasicsPolicy"}
    assert "Policies" not in RESOURCES["TestBuildRole"]["Properties"]


def test_roles_trust_only_their_service_in_this_account() -> None:
    for name, role in of_type("AWS::IAM::Role").items():
        (statement,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
        assert set(statement["Principal"]) == {"Service"}, name
        assert statement["Condition"] == {
            "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
        }, name


def test_deploys_get_the_ses_settings_and_only_cognitos_email_role() -> None:
    variables = {
        v["Name"]: v["Value"]
        for v in RESOURCES["BackendProject"]["Properties"]["Environment"]["EnvironmentVariables"]
    }
    assert variables["SES_IDENTITY_ARN"] == {"Ref": "SesIdentityArn"}
    assert variables["EMAIL_FROM"] == {"Ref": "EmailFrom"}
    assert TEMPLATE["Parameters"]["SesIdentityArn"]["Default"] == ""
    service_linked = [
        statement
        for where, statement in role_policy_statements()
        if where == "CommonDeployPolicy" and "iam:CreateServiceLinkedRole" in statement["Action"]
    ]
    assert len(service_linked) == 1
    statement = service_linked[0]
    assert statement["Action"] == ["iam:CreateServiceLinkedRole"]
    assert statement["Condition"] == {
        "StringEquals": {"iam:AWSServiceName": "email.cognito-idp.amazonaws.com"}
    }
    assert statement["Resource"]["Fn::Sub"].endswith(
        "/email.cognito-idp.amazonaws.com/AWSServiceRoleForAmazonCognitoIdpEmailService"
    )
    assert RESOURCES["CommonDeployPolicy"]["Properties"]["Roles"] == [{"Ref": "BackendBuildRole"}]
