"""ci/pipeline.yaml: the release flow, least-privilege roles, and data that
survives (cfn-lint and checkov run in `make ci-lint`; the rules against a path
to account admin are in test_pipeline_permissions.py)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.infra.ci.cfn import REPO, as_list, load_template, of_type, policy_statements, resolve

TEMPLATE = load_template()
RESOURCES: dict[str, Any] = TEMPLATE["Resources"]
# Deleting any of these loses data; no role of the pipeline may do it.
DATA_DELETING_ACTIONS = {
    "dynamodb:deletetable",
    "cognito-idp:deleteuserpool",
    "s3:deletebucket",
    "cloudformation:deletestack",
    "kms:schedulekeydeletion",
    "logs:deleteloggroup",
}


def stages(**parameters: str) -> list[dict[str, Any]]:
    return resolve(TEMPLATE, **parameters)["Resources"]["Pipeline"]["Properties"]["Stages"]


def stage(name: str) -> dict[str, Any]:
    return next(s for s in stages() if s["Name"] == name)


def test_connection_arn_accepts_both_connection_services() -> None:
    arn = re.compile(TEMPLATE["Parameters"]["ConnectionArn"]["AllowedPattern"])
    assert arn.match("arn:aws:codestar-connections:eu-west-1:123456789012:connection/0a1b-2c3d")
    assert arn.match("arn:aws:codeconnections:us-east-1:123456789012:connection/0a1b2c3d")
    assert not arn.match("arn:aws:iam::123456789012:role/x")


@pytest.mark.parametrize("stage_name", ["prod", "staging"])
def test_nothing_deploys_before_the_tests_pass(stage_name: str) -> None:
    names = [s["Name"] for s in stages(Stage=stage_name)]
    assert names[0] == "Source"
    assert names.index("Test") < names.index("Deploy") < names.index("Frontend")


def test_the_trigger_starts_the_source_action() -> None:
    (trigger,) = RESOURCES["Pipeline"]["Properties"]["Triggers"]
    assert trigger["GitConfiguration"]["SourceActionName"] == stage("Source")["Actions"][0]["Name"]


def test_a_failed_stage_stops_the_release_without_rollback_or_retry() -> None:
    # No OnFailure override: CodePipeline's default is to fail the stage and stop.
    for s in stages():
        assert "OnFailure" not in s, s["Name"]


def test_every_build_project_runs_a_build_spec_that_exists() -> None:
    for name, project in of_type(TEMPLATE, "AWS::CodeBuild::Project").items():
        assert (REPO / project["Properties"]["Source"]["BuildSpec"]).is_file(), name


def test_frontend_gets_the_deploy_outputs_as_a_secondary_artifact() -> None:
    (backend,) = stage("Deploy")["Actions"]
    (web,) = stage("Frontend")["Actions"]
    outputs = [a["Name"] for a in backend["OutputArtifacts"]]
    inputs = [a["Name"] for a in web["InputArtifacts"]]
    assert inputs == ["SourceOutput", *outputs]
    assert web["Configuration"]["PrimarySource"] == "SourceOutput"


def test_builds_run_unprivileged_encrypted_and_logged() -> None:
    for name, project in of_type(TEMPLATE, "AWS::CodeBuild::Project").items():
        props = project["Properties"]
        assert props["Environment"]["PrivilegedMode"] is False, name
        assert props["EncryptionKey"] == {"Fn::GetAtt": ["PipelineKey", "Arn"]}, name
        assert props["LogsConfig"]["CloudWatchLogs"]["Status"] == "ENABLED", name
        # The build specs branch on it.
        assert {"Name": "ARCHITECTURE", "Value": {"Ref": "Architecture"}} in props["Environment"][
            "EnvironmentVariables"
        ], name


def test_artifact_bucket_is_private_encrypted_and_expires_artifacts() -> None:
    bucket = RESOURCES["ArtifactBucket"]["Properties"]
    sse = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    assert sse["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    rules = bucket["LifecycleConfiguration"]["Rules"]
    assert any(r["Status"] == "Enabled" and "ExpirationInDays" in r for r in rules)
    pipeline = RESOURCES["Pipeline"]["Properties"]
    assert pipeline["ArtifactStore"]["EncryptionKey"]["Type"] == "KMS"


def test_buckets_refuse_plain_http() -> None:
    for policy in of_type(TEMPLATE, "AWS::S3::BucketPolicy").values():
        (statement,) = policy["Properties"]["PolicyDocument"]["Statement"]
        assert statement["Effect"] == "Deny"
        assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_terraform_state_exists_for_both_paths_and_the_lock_table_only_for_serverful() -> None:
    serverless = resolve(TEMPLATE, Architecture="serverless")["Resources"]
    serverful = resolve(TEMPLATE, Architecture="serverful")["Resources"]
    # The foundation (table, pool, front door) is Terraform on both paths.
    assert "TerraformStateBucket" in serverful and "TerraformStateBucket" in serverless
    for name in ("TerraformLockTable", "ServerfulDeployPolicy"):
        assert name in serverful and name not in serverless, name
    assert "ServerlessDeployPolicy" in serverless and "ServerlessDeployPolicy" not in serverful
    table = RESOURCES["TerraformLockTable"]["Properties"]
    # Terraform's DynamoDB lock needs exactly this key.
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
    for where, statement in policy_statements(TEMPLATE):
        if statement["Effect"] != "Allow":
            continue
        for action in as_list(statement["Action"]):
            if action == "*" or action.endswith(":*"):
                offenders.append((where, statement.get("Sid"), action))
    assert offenders == []


# The one exception: `make switch` to the serverful path removes the serverless
# compute stack, which holds no data since the foundation (Terraform's) holds the
# table and the pool; its log groups go with it.
ACCOUNT = "${AWS::Region}:${AWS::AccountId}"
COMPUTE_STACK = (
    f"arn:${{AWS::Partition}}:cloudformation:{ACCOUNT}:stack/${{ProjectName}}-${{Stage}}/*"
)
COMPUTE_LOGS = f"arn:${{AWS::Partition}}:logs:{ACCOUNT}:log-group:/aws/"
COMPUTE_LOG_NAMES = (
    "lambda/${ProjectName}-${Stage}-api",
    "apigateway/${ProjectName}-${Stage}-access",
)
REMOVING_THE_SERVERLESS_COMPUTE = {
    ("cloudformation:deletestack", COMPUTE_STACK),
    *(("logs:deleteloggroup", f"{COMPUTE_LOGS}{name}{end}")
      for name in COMPUTE_LOG_NAMES for end in ("", ":*")),
}  # fmt: skip


def resource_text(resource: Any) -> str:
    """A statement's resource as text (hashable): the Fn::Sub string, else its JSON."""
    if isinstance(resource, dict):
        return str(resource["Fn::Sub"]) if "Fn::Sub" in resource else json.dumps(resource)
    return str(resource)


def test_no_role_may_delete_a_data_store() -> None:
    granted = {
        (where, action.lower(), resource_text(resource))
        for where, statement in policy_statements(TEMPLATE)
        if statement["Effect"] == "Allow"
        for action in as_list(statement["Action"])
        for resource in as_list(statement["Resource"])
    }
    deleting = {g for g in granted if g[1] in DATA_DELETING_ACTIONS}
    assert {(action, resource) for where, action, resource in deleting} == (
        REMOVING_THE_SERVERLESS_COMPUTE
    )
    assert {where for where, action, resource in deleting} == {"ServerfulDeployPolicy"}
    # The compute stack is the one the deploy names (STACK_NAME) and merge.yaml's
    # log groups are named after it.
    env = RESOURCES["BackendProject"]["Properties"]["Environment"]["EnvironmentVariables"]
    assert {"Name": "STACK_NAME", "Value": {"Fn::Sub": "${ProjectName}-${Stage}"}} in env
    merge = (REPO / "serverless" / "merge.yaml").read_text()
    assert '"/aws/lambda/${AWS::StackName}-api"' in merge
    assert '"/aws/apigateway/${AWS::StackName}-access"' in merge


def test_resource_wide_grants_are_explained() -> None:
    # Resource "*" only where AWS cannot scope the action; each such statement
    # has a Sid, and a comment above it in the template says why.
    text = (REPO / "ci" / "pipeline.yaml").read_text()
    for where, statement in policy_statements(TEMPLATE):
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
    for where, statement in policy_statements(TEMPLATE):
        for resource in as_list(statement["Resource"]):
            sub = resource.get("Fn::Sub") if isinstance(resource, dict) else None
            if isinstance(sub, str) and "${ProjectName}-${Stage}" in sub:
                scoped += 1
                assert re.search(r"\$\{ProjectName\}-\$\{Stage\}([-/:]|$)", sub), (where, sub)
    assert scoped >= 10


def test_the_test_build_role_gets_no_aws_service_rights() -> None:
    attached = {
        name
        for name, policy in of_type(TEMPLATE, "AWS::IAM::ManagedPolicy").items()
        if {"Ref": "TestBuildRole"} in policy["Properties"].get("Roles", [])
    }
    assert attached == {"BuildBasicsPolicy"}
    for policy in RESOURCES["TestBuildRole"]["Properties"].get("Policies", []):
        for statement in policy["PolicyDocument"]["Statement"]:
            assert {a.split(":")[0] for a in as_list(statement["Action"])} == {"s3"}


def test_roles_trust_only_their_service_in_this_account() -> None:
    for name, role in of_type(TEMPLATE, "AWS::IAM::Role").items():
        (statement,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
        assert set(statement["Principal"]) == {"Service"}, name
        assert statement["Condition"] == {
            "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
        }, name


def test_service_linked_roles_only_for_named_services() -> None:
    for where, statement in policy_statements(TEMPLATE):
        if "iam:CreateServiceLinkedRole" in as_list(statement["Action"]):
            assert statement["Action"] == ["iam:CreateServiceLinkedRole"], where
            services = statement["Condition"]["StringEquals"]["iam:AWSServiceName"]
            assert all(s.endswith(".amazonaws.com") for s in as_list(services)), where
