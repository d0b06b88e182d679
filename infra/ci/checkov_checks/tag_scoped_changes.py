"""CKV_TODO_1: no EC2 network/instance change and no KMS key change on a
wildcard resource without a condition that ties it to one stack (issue 20).

EC2 and KMS IDs are chosen by AWS, so a grant on `*` (or `...:vpc/*`,
`...:key/*`) reaches every app's resources in the account unless a condition
narrows it: the resource's tag (aws:ResourceTag/...), the tag a create call
must carry (aws:RequestTag/...), the launch template RunInstances goes through
(ec2:LaunchTemplate), or, for CreateTags, the create call writing the tags
(ec2:CreateAction). A region condition alone does not count. Which condition
applies to which resource type of an action is checked more finely by
tests/infra/ci/test_pipeline.py against IAM's reference.
"""

from __future__ import annotations

from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

GUARD_PREFIXES = ("aws:ResourceTag/", "aws:RequestTag/", "ec2:LaunchTemplate", "ec2:CreateAction")
KMS_CHANGES = {
    "kms:putkeypolicy",
    "kms:tagresource",
    "kms:untagresource",
    "kms:createkey",
    "kms:creategrant",
    "kms:enablekeyrotation",
    "kms:disablekey",
    "kms:schedulekeydeletion",
    "kms:updatekeydescription",
}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def is_change(action: str) -> bool:
    service, _, name = action.lower().partition(":")
    if service == "ec2":
        return not name.startswith(("describe", "get", "list"))
    return service == "kms" and (action.lower() in KMS_CHANGES or "*" in name)


def is_wildcard(resource: Any) -> bool:
    text = resource.get("Fn::Sub", "") if isinstance(resource, dict) else resource
    return isinstance(text, str) and "*" in text


def guarded(statement: dict[str, Any]) -> bool:
    condition = statement.get("Condition") or {}
    keys = [
        key
        for tests in condition.values()
        if isinstance(tests, dict)
        for key in tests
        if not key.startswith("__")
    ]
    return any(key.startswith(GUARD_PREFIXES) for key in keys)


def unscoped(document: Any) -> bool:
    if not isinstance(document, dict):
        return False
    for statement in as_list(document.get("Statement") or []):
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            continue
        actions = [a for a in as_list(statement.get("Action") or []) if isinstance(a, str)]
        if not any(is_change(a) for a in actions):
            continue
        if any(map(is_wildcard, as_list(statement.get("Resource") or []))) and not guarded(
            statement
        ):
            return True
    return False


class TagScopedEc2AndKmsChanges(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name=(
                "EC2 network/instance and KMS key changes on a wildcard resource"
                " need a tag or launch template condition"
            ),
            id="CKV_TODO_1",
            categories=[CheckCategories.IAM],
            supported_resources=["AWS::IAM::ManagedPolicy", "AWS::IAM::Policy", "AWS::IAM::Role"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        properties = conf.get("Properties") or {}
        documents = [properties.get("PolicyDocument")]
        inline = [p for p in properties.get("Policies") or [] if isinstance(p, dict)]
        documents += [p.get("PolicyDocument") for p in inline]
        if any(unscoped(d) for d in documents):
            return CheckResult.FAILED
        return CheckResult.PASSED


check = TagScopedEc2AndKmsChanges()
