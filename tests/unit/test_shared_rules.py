"""One source for the stack-name rule and the password policy (issue 11):
tools/shared_rules.py defines them for Python; every other place that
states them (YAML, HCL, TypeScript) is read here and must agree."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.infra.ci.cfn import load_template
from tools import deploy_serverless
from tools.shared_rules import PASSWORD_POLICY, STACK_NAME_PATTERN

ROOT = Path(__file__).resolve().parents[2]
TERRAFORM = ROOT / "infra"
# Names at the edges of the rule, and characters it must refuse.
PROBES = [
    "todo-prod", "ab", "a", "a" * 21, "a" * 22, "t0do-pr0d", "todo-", "1todo", "-todo",
    "Todo-prod", "todo_prod", "todo.prod", "todo prod", "todo-prod-eu-west-1xyz",
]  # fmt: skip
CHARACTERS = "abcdefghijklmnopqrstuvwxyz0123456789-_.ABCZ "


def follows_the_rule(name: str) -> bool:
    return re.fullmatch(STACK_NAME_PATTERN, name) is not None


def terraform_files() -> list[Path]:
    # The roots link infra/shared/stack.tf in: each file once, where it lives.
    return [
        p for p in TERRAFORM.rglob("*.tf") if ".terraform" not in p.parts and not p.is_symlink()
    ]


# ---------------------------------------------------------------- the stack name


def test_every_terraform_stack_name_check_is_the_rule() -> None:
    checks = [
        (path.relative_to(ROOT), match.group(1))
        for path in terraform_files()
        for match in re.finditer(r'regex\("([^"]+)",\s*var\.name\)', path.read_text())
    ]
    assert checks, "infra/ must check var.name (the stack name)"
    assert {pattern for _, pattern in checks} == {f"^{STACK_NAME_PATTERN}$"}, checks


@pytest.mark.parametrize("name", PROBES)
def test_the_serverless_deploy_accepts_exactly_the_names_the_rule_accepts(name: str) -> None:
    if follows_the_rule(name):
        assert deploy_serverless.stack_name("prod", name) == name
    else:
        with pytest.raises(deploy_serverless.DeployError):
            deploy_serverless.stack_name("prod", name)


def longest_accepted(pattern: str) -> int:
    lengths = [n for n in range(1, 80) if re.fullmatch(pattern, "a" * n)]
    assert lengths, pattern
    return max(lengths)


def test_every_pipeline_stack_name_follows_the_rule() -> None:
    # The pipeline names the app's stack <ProjectName>-<Stage>: every pair of
    # values its parameters allow must make a valid stack name.
    parameters = load_template(ROOT / "infra" / "ci" / "pipeline.yaml")["Parameters"]
    project = parameters["ProjectName"]["AllowedPattern"]
    stage = parameters["Stage"]["AllowedPattern"]
    default = f"{parameters['ProjectName']['Default']}-{parameters['Stage']['Default']}"
    assert follows_the_rule(default)
    longest = "a" * longest_accepted(project) + "-" + "a" * longest_accepted(stage)
    assert follows_the_rule(longest), f"{longest!r} ({len(longest)} characters)"
    for c in CHARACTERS:
        for pattern, make in ((project, lambda v: f"{v}-ab"), (stage, lambda v: f"ab-{v}")):
            for value in (f"a{c}a", f"{c}aa"):  # inside, and first
                if re.fullmatch(pattern, value):
                    assert follows_the_rule(make(value)), (pattern, value)


# ---------------------------------------------------------------- the password policy

# Cognito's policy fields as each language spells them.
HCL_FIELDS = {
    "RequireUppercase": "require_uppercase",
    "RequireLowercase": "require_lowercase",
    "RequireNumbers": "require_numbers",
    "RequireSymbols": "require_symbols",
}
WEB_RULES = {
    "RequireUppercase": "upper",
    "RequireLowercase": "lower",
    "RequireNumbers": "number",
    "RequireSymbols": "symbol",
}


def test_the_terraform_user_pool_has_the_policy() -> None:
    auth = TERRAFORM / "modules" / "auth"
    main = (auth / "main.tf").read_text()
    block = re.search(r"password_policy \{(.*?)\n  \}", main, re.S)
    assert block, "infra/modules/auth: no password_policy block"
    fields = dict(re.findall(r"^\s*(\w+)\s*=\s*(\S+)", block.group(1), re.M))
    for key, hcl in HCL_FIELDS.items():
        assert fields[hcl] == str(PASSWORD_POLICY[key]).lower(), hcl
    # The length is a variable: its default is the policy's, and no deployment
    # may go below it.
    assert fields["minimum_length"] == "var.password_minimum_length"
    variables = (auth / "variables.tf").read_text()
    variable = re.search(r'variable "password_minimum_length" \{(.*?)\n\}', variables, re.S)
    assert variable
    default = re.search(r"default\s*=\s*(\d+)", variable.group(1))
    floor = re.search(r"var\.password_minimum_length >= (\d+)", variable.group(1))
    assert default and int(default.group(1)) == PASSWORD_POLICY["MinimumLength"]
    assert floor and int(floor.group(1)) == PASSWORD_POLICY["MinimumLength"]


def test_the_web_apps_checklist_has_the_policy() -> None:
    rules = (ROOT / "web" / "src" / "auth" / "passwordRules.ts").read_text()
    length = re.search(r"PASSWORD_MIN_LENGTH = (\d+);", rules)
    assert length and int(length.group(1)) == PASSWORD_POLICY["MinimumLength"]
    ids = set(re.findall(r'\{ id: "(\w+)"', rules))
    for key, rule in WEB_RULES.items():
        assert (rule in ids) is PASSWORD_POLICY[key], rule


def test_the_local_pool_has_the_policy() -> None:
    import boto3
    from moto import mock_aws

    from tools import local_stack

    with mock_aws():
        cognito = boto3.client("cognito-idp", region_name=local_stack.REGION)
        pool_id = local_stack._find_or_create_pool(cognito)
        pool = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    policy = pool["Policies"]["PasswordPolicy"]
    assert {k: policy.get(k) for k in PASSWORD_POLICY} == PASSWORD_POLICY
