"""ci/lint.py (make ci-lint): findings are read from the real tools, anything
not in ci/lint-skips.yaml fails, stale skips fail, and every skip says why."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from ci import lint
from tests.infra.ci.cfn import REPO, TEMPLATE, architectures, load_template

BIN = Path(sys.executable).parent
CHECKOV = REPO / ".venv-checkov" / "bin" / "checkov"


def tool(path: Path) -> str:
    assert path.is_file(), f"{path} is missing: run `make install` and `make checkov-install`"
    return str(path)


def test_every_skip_names_a_finding_and_explains_it() -> None:
    skips = lint.load_skips()
    assert skips, "ci/lint-skips.yaml is empty; if so, drop this test's expectation"
    for skip in skips:
        assert len(skip.reason.split()) >= 10, f"{skip.id} on {skip.resource}: say why"


def test_a_skip_without_reason_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "skips.yaml"
    path.write_text("checkov:\n  - id: CKV_AWS_18\n    resource: AWS::S3::Bucket.X\n")
    with pytest.raises(ValueError, match="lacks reason"):
        lint.load_skips(path)
    path.write_text("trivy: []\n")
    with pytest.raises(ValueError, match="unknown tool"):
        lint.load_skips(path)


def test_unlisted_findings_and_stale_skips_both_fail() -> None:
    accepted = lint.Finding("checkov", "CKV_AWS_18", "AWS::S3::Bucket.A")
    new = lint.Finding("checkov", "CKV_AWS_21", "AWS::S3::Bucket.A")
    skips = [
        lint.Skip("checkov", "CKV_AWS_18", "AWS::S3::Bucket.A", "reason"),
        lint.Skip("checkov", "CKV_AWS_18", "AWS::S3::Bucket.Gone", "reason"),
    ]
    unexpected, stale = lint.compare([accepted, new], skips)
    assert unexpected == [new]
    assert [s.resource for s in stale] == ["AWS::S3::Bucket.Gone"]
    assert lint.compare([accepted], skips[:1]) == ([], [])


def test_checkov_scans_one_copy_per_architecture(tmp_path: Path) -> None:
    text = TEMPLATE.read_text()
    assert lint.architecture_values(text) == architectures()
    for value in architectures():
        copy = tmp_path / f"{value}.yaml"
        copy.write_text(lint.with_architecture_default(text, value))
        expected = load_template()
        expected["Parameters"]["Architecture"]["Default"] = value
        # Exactly that default changes.
        assert load_template(copy) == expected


def test_cfn_lint_findings_name_rule_and_resource(tmp_path: Path) -> None:
    template = tmp_path / "bad.yaml"
    template.write_text(
        textwrap.dedent(
            """\
            AWSTemplateFormatVersion: "2010-09-09"
            Resources:
              Queue:
                Type: AWS::SQS::Queue
                Properties:
                  NoSuchProperty: 1
            """
        )
    )
    findings = lint.cfn_lint_findings(tool(BIN / "cfn-lint"), template)
    assert [(f.tool, f.resource) for f in findings] == [("cfn-lint", "Queue")]
    assert findings[0].id.startswith("E")


def test_checkov_findings_name_check_and_resource() -> None:
    text = textwrap.dedent(
        """\
        AWSTemplateFormatVersion: "2010-09-09"
        Parameters:
          Architecture:
            Type: String
            Default: serverless
            AllowedValues: [serverless, serverful]
        Conditions:
          IsServerful: !Equals [!Ref Architecture, serverful]
        Resources:
          Plain:
            Type: AWS::S3::Bucket
          OnlyServerful:
            Type: AWS::S3::Bucket
            Condition: IsServerful
        """
    )
    findings = lint.checkov_findings(tool(CHECKOV), text)
    flagged = {f.resource for f in findings if f.id == "CKV_AWS_18"}
    # The conditional bucket is scanned too, thanks to the serverful copy.
    assert flagged == {"AWS::S3::Bucket.Plain", "AWS::S3::Bucket.OnlyServerful"}


def test_zizmor_findings_name_audit_and_workflow(tmp_path: Path) -> None:
    workflow = tmp_path / "bad.yml"
    workflow.write_text(
        textwrap.dedent(
            """\
            on: push
            permissions:
              contents: read
            jobs:
              build:
                runs-on: ubuntu-24.04
                steps:
                  - uses: actions/checkout@v4
                    with:
                      persist-credentials: false
            """
        )
    )
    findings = lint.zizmor_findings(tool(BIN / "zizmor"), [workflow])
    assert ("unpinned-uses", str(workflow.resolve())) in {(f.id, f.resource) for f in findings}


def test_checkov_flags_ec2_and_kms_changes_not_tied_to_one_stack() -> None:
    # The project's own check (ci/checkov_checks, issue 20): a region condition
    # does not scope an EC2 change; a resource or request tag, or a launch
    # template, does. KMS key policy changes likewise.
    text = textwrap.dedent(
        """\
        AWSTemplateFormatVersion: "2010-09-09"
        Parameters:
          Architecture:
            Type: String
            Default: serverless
            AllowedValues: [serverless, serverful]
        Resources:
          Role:
            Type: AWS::IAM::Role
            Properties:
              AssumeRolePolicyDocument:
                Version: "2012-10-17"
                Statement:
                  - Effect: Allow
                    Principal: {Service: codebuild.amazonaws.com}
                    Action: sts:AssumeRole
          RegionOnly:
            Type: AWS::IAM::ManagedPolicy
            Properties:
              Roles: [!Ref Role]
              PolicyDocument:
                Version: "2012-10-17"
                Statement:
                  - Effect: Allow
                    Action: [ec2:AuthorizeSecurityGroupIngress, ec2:RunInstances]
                    Resource: "*"
                    Condition:
                      StringEquals: {"aws:RequestedRegion": eu-west-1}
          AnyKey:
            Type: AWS::IAM::ManagedPolicy
            Properties:
              Roles: [!Ref Role]
              PolicyDocument:
                Version: "2012-10-17"
                Statement:
                  - Effect: Allow
                    Action: [kms:PutKeyPolicy]
                    Resource: !Sub "arn:aws:kms:${AWS::Region}:${AWS::AccountId}:key/*"
          ThisStacksOnly:
            Type: AWS::IAM::ManagedPolicy
            Properties:
              Roles: [!Ref Role]
              PolicyDocument:
                Version: "2012-10-17"
                Statement:
                  - Effect: Allow
                    Action: [ec2:AuthorizeSecurityGroupIngress, kms:PutKeyPolicy]
                    Resource: "*"
                    Condition:
                      StringEquals: {"aws:ResourceTag/Stack": todo-prod}
                  - Effect: Allow
                    Action: [ec2:DescribeSecurityGroups]
                    Resource: "*"
        """
    )
    findings = lint.checkov_findings(tool(CHECKOV), text)
    flagged = {f.resource for f in findings if f.id == "CKV_TODO_1"}
    assert flagged == {"AWS::IAM::ManagedPolicy.RegionOnly", "AWS::IAM::ManagedPolicy.AnyKey"}
