"""The project's own checkov checks (infra/ci/checkov_checks: CKV_TODO_1-4), which
`make ci-lint` runs over infra/ci/pipeline.yaml and `make tf-checkov` over terraform/:
each flags a violating snippet and passes the compliant one beside it."""

from __future__ import annotations

import json
import os
import subprocess
import textwrap
from pathlib import Path

from tests.infra.ci.cfn import REPO

CHECKOV = REPO / ".venv-checkov" / "bin" / "checkov"

TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - {Effect: Allow, Principal: {Service: codebuild.amazonaws.com}, Action: sts:AssumeRole}
"""
# (name, statement): a ManagedPolicy on Role holding that one statement.
POLICIES = {
    # CKV_TODO_1: EC2/KMS changes on a wildcard only with a tag condition.
    "Ec2RegionOnly": """{Effect: Allow, Action: [ec2:RunInstances], Resource: "*",
                         Condition: {StringEquals: {"aws:RequestedRegion": eu-west-1}}}""",
    "KmsAnyKey": """{Effect: Allow, Action: [kms:PutKeyPolicy],
                     Resource: !Sub "arn:aws:kms:${AWS::Region}:${AWS::AccountId}:key/*"}""",
    "Ec2ThisStack": """{Effect: Allow, Action: [ec2:AuthorizeSecurityGroupIngress], Resource: "*",
                        Condition: {StringEquals: {"aws:ResourceTag/Stack": todo-prod}}}""",
    # CKV_TODO_2: no path to account admin.
    "ServiceWildcard": '{Effect: Allow, Action: ["s3:*"], Resource: "*"}',
    "RoleWithoutBoundary": '{Effect: Allow, Action: [iam:CreateRole], Resource: "*"}',
    "RoleWithinBoundary": """{Effect: Allow, Action: [iam:CreateRole, iam:PutRolePolicy],
                              Resource: "*", Condition: {StringEquals:
                              {"iam:PermissionsBoundary": "arn:aws:iam::1:policy/b"}}}""",
    "TrustChange": '{Effect: Allow, Action: ["iam:UpdateAssume*"], Resource: "*"}',
    "AnswersApproval": '{Effect: Allow, Action: [codepipeline:PutApprovalResult], Resource: "*"}',
    "PassRoleAnywhere": '{Effect: Allow, Action: [iam:PassRole], Resource: "*"}',
    "PassRoleToLambda": """{Effect: Allow, Action: [iam:PassRole], Resource: "*", Condition:
                            {StringEquals: {"iam:PassedToService": lambda.amazonaws.com}}}""",
    # CKV_TODO_3: no data store deletable; only the compute stack and its logs.
    "DeletesTable": '{Effect: Allow, Action: [dynamodb:DeleteTable], Resource: "*"}',
    "DeletesAnyStack": '{Effect: Allow, Action: [cloudformation:DeleteStack], Resource: "*"}',
    "DeletesComputeStack": """{Effect: Allow, Action: [cloudformation:DeleteStack], Resource:
        !Sub "arn:aws:cloudformation:${AWS::Region}:1:stack/${ProjectName}-${Stage}/*"}""",
}
TERRAFORM = """\
resource "aws_iam_role" "bare" {
  name               = "bare"
  assume_role_policy = "{}"
}
resource "aws_iam_role" "bounded" {
  name                 = "bounded"
  assume_role_policy   = "{}"
  permissions_boundary = "arn:aws:iam::1:policy/b"
}
"""
FAILING = {
    ("CKV_TODO_1", "AWS::IAM::ManagedPolicy.Ec2RegionOnly"),
    ("CKV_TODO_1", "AWS::IAM::ManagedPolicy.KmsAnyKey"),
    ("CKV_TODO_2", "AWS::IAM::ManagedPolicy.ServiceWildcard"),
    ("CKV_TODO_2", "AWS::IAM::ManagedPolicy.RoleWithoutBoundary"),
    ("CKV_TODO_2", "AWS::IAM::ManagedPolicy.TrustChange"),
    ("CKV_TODO_2", "AWS::IAM::ManagedPolicy.AnswersApproval"),
    ("CKV_TODO_2", "AWS::IAM::ManagedPolicy.PassRoleAnywhere"),
    ("CKV_TODO_3", "AWS::IAM::ManagedPolicy.ServiceWildcard"),  # s3:* has s3:DeleteBucket
    ("CKV_TODO_3", "AWS::IAM::ManagedPolicy.DeletesTable"),
    ("CKV_TODO_3", "AWS::IAM::ManagedPolicy.DeletesAnyStack"),
    ("CKV_TODO_4", "aws_iam_role.bare"),
}


def test_each_project_check_fails_its_violating_snippet_and_passes_the_rest(
    tmp_path: Path,
) -> None:
    assert CHECKOV.is_file(), f"{CHECKOV} is missing: run `make checkov-install`"
    policies = "".join(
        f"  {name}:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n"
        f"      Roles: [!Ref Role]\n      PolicyDocument:\n        Statement:\n"
        f"          - {' '.join(statement.split())}\n"
        for name, statement in POLICIES.items()
    )
    (tmp_path / "template.yaml").write_text(TEMPLATE + policies)
    (tmp_path / "main.tf").write_text(textwrap.dedent(TERRAFORM))
    proc = subprocess.run(
        [CHECKOV, "-d", tmp_path, "--framework", "cloudformation", "terraform",
         "--external-checks-dir", REPO / "infra" / "ci" / "checkov_checks",
         "--check", "CKV_TODO_1,CKV_TODO_2,CKV_TODO_3,CKV_TODO_4",
         "--skip-download", "--output", "json"],
        capture_output=True, text=True, check=False,
        env={**os.environ, "BC_SKIP_MAPPING": "TRUE"},
    )  # fmt: skip
    assert proc.returncode in (0, 1) and proc.stdout.strip(), proc.stderr
    reports = json.loads(proc.stdout)
    results = {
        (kind, check["check_id"], check["resource"])
        for report in (reports if isinstance(reports, list) else [reports])
        for kind in ("passed", "failed")
        for check in report["results"][f"{kind}_checks"]
    }
    failed = {(check, resource) for kind, check, resource in results if kind == "failed"}
    assert failed == FAILING
    # The compliant snippets were checked, and passed.
    passed = {resource for kind, _, resource in results if kind == "passed"}
    compliant = ["Ec2ThisStack", "RoleWithinBoundary", "PassRoleToLambda", "DeletesComputeStack"]
    assert {f"AWS::IAM::ManagedPolicy.{name}" for name in compliant} <= passed
    assert "aws_iam_role.bounded" in passed
