"""CKV_TODO_2 and CKV_TODO_3: the IAM rules that keep a release from becoming
account admin or losing data (issue 10), as checkov checks over every
CloudFormation template `make ci-lint` scans.

CKV_TODO_2: no `*` or `service:*` action; the actions that give a role rights
only with the iam:PermissionsBoundary condition; PassRole only to named
services; never an action no boundary can guard (changing trust, policy
versions, users, assuming roles) nor answering a pipeline approval.

CKV_TODO_3: no role deletes a data store (table, user pool, bucket, key); the
one stack and the log groups it may delete are the serverless compute's
(`make switch` to serverful removes it; it holds no data). That the data
stores themselves are retained with the stack (DeletionPolicy, which checkov
does not hand to a check) is tests/infra/ci/test_pipeline.py's.
"""

from __future__ import annotations

import re
from fnmatch import fnmatch
from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

ROLE_GRANTING = (
    "iam:createrole",
    "iam:putrolepolicy",
    "iam:deleterolepolicy",
    "iam:attachrolepolicy",
    "iam:detachrolepolicy",
    "iam:putrolepermissionsboundary",
)
NEVER_ALLOWED = (
    "iam:updateassumerolepolicy",
    "iam:deleterolepermissionsboundary",
    "iam:createpolicyversion",
    "iam:setdefaultpolicyversion",
    "iam:createuser",
    "iam:createaccesskey",
    "iam:createloginprofile",
    "iam:putuserpolicy",
    "iam:attachuserpolicy",
    "iam:putgrouppolicy",
    "iam:attachgrouppolicy",
    "sts:assumerole",
    "codepipeline:putapprovalresult",  # only people approve a release
)
DATA_DELETING = (
    "dynamodb:deletetable",
    "cognito-idp:deleteuserpool",
    "s3:deletebucket",
    "kms:schedulekeydeletion",
)
# Deletable only on one named stack (the serverless compute's) and its own log
# groups. checkov renders ${ProjectName}-${Stage} with the defaults, so the
# name is matched as "a name without a wildcard".
COMPUTE_DELETING = {
    "cloudformation:deletestack": re.compile(r":stack/[^*/]+/\*$"),
    "logs:deleteloggroup": re.compile(
        r":log-group:/aws/(lambda/[^*:]+-api|apigateway/[^*:]+-access)(:\*)?$"
    ),
}
POLICY_TYPES = ["AWS::IAM::ManagedPolicy", "AWS::IAM::Policy", "AWS::IAM::Role"]


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def text(value: Any) -> str:
    return str(value.get("Fn::Sub", value)) if isinstance(value, dict) else str(value)


def allowed_statements(conf: dict[str, Any]) -> list[dict[str, Any]]:
    properties = conf.get("Properties") or {}
    documents = [properties.get("PolicyDocument")]
    documents += [p.get("PolicyDocument") for p in properties.get("Policies") or []]
    return [
        s
        for d in documents
        if isinstance(d, dict)
        for s in as_list(d.get("Statement") or [])
        if isinstance(s, dict) and s.get("Effect") == "Allow"
    ]


def grants(statement: dict[str, Any], action: str) -> bool:
    return any(fnmatch(action, str(a).lower()) for a in as_list(statement.get("Action") or []))


def condition_keys(statement: dict[str, Any], operator: str) -> set[str]:
    tests = (statement.get("Condition") or {}).get(operator) or {}
    return set(tests) if isinstance(tests, dict) else set()


def escalates(statement: dict[str, Any]) -> bool:
    actions = [str(a) for a in as_list(statement.get("Action") or [])]
    if any(a == "*" or a.endswith(":*") for a in actions):
        return True
    if any(grants(statement, a) for a in NEVER_ALLOWED):
        return True
    bounded = "iam:PermissionsBoundary" in condition_keys(statement, "StringEquals")
    if any(grants(statement, a) for a in ROLE_GRANTING) and not bounded:
        return True
    passes = grants(statement, "iam:passrole")
    return passes and "iam:PassedToService" not in condition_keys(statement, "StringEquals")


def deletes_data(statement: dict[str, Any]) -> bool:
    if any(grants(statement, a) for a in DATA_DELETING):
        return True
    resources = [text(r) for r in as_list(statement.get("Resource") or [])]
    return any(
        grants(statement, action) and not all(allowed.search(r) for r in resources)
        for action, allowed in COMPUTE_DELETING.items()
    )


class NoPathToAdmin(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="IAM grants no wildcard action, role rights only within the boundary,"
            " PassRole only to named services, nothing no boundary can guard",
            id="CKV_TODO_2",
            categories=[CheckCategories.IAM],
            supported_resources=POLICY_TYPES,
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        if any(escalates(s) for s in allowed_statements(conf)):
            return CheckResult.FAILED
        return CheckResult.PASSED


class NoDataStoreDeletable(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="No role deletes a data store",
            id="CKV_TODO_3",
            categories=[CheckCategories.BACKUP_AND_RECOVERY],
            supported_resources=POLICY_TYPES,
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        if any(deletes_data(s) for s in allowed_statements(conf)):
            return CheckResult.FAILED
        return CheckResult.PASSED


no_path_to_admin = NoPathToAdmin()
no_data_store_deletable = NoDataStoreDeletable()
