"""The stack is created and deleted in a local moto CloudFormation (`make rehearse-serverless`)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from scripts import rehearse_serverless as rs

ROOT = Path(__file__).resolve().parents[2]

# Resource types of the stack that moto's CloudFormation cannot create, so the
# rehearsal stands them in. A change here means moto gained or the template lost
# (or gained) such a type: update docs/serverless.md with it.
PINNED_STAND_INS = [
    "AWS::ApiGateway::Account",
    "AWS::ApiGateway::Deployment",
    "AWS::ApiGateway::Stage",
    "AWS::CloudFront::Distribution",
    "AWS::CloudFront::OriginAccessControl",
    "AWS::CloudFront::ResponseHeadersPolicy",
    "AWS::CloudWatch::Alarm",
    "AWS::Cognito::UserPool",
    "AWS::Cognito::UserPoolClient",
    "AWS::S3::BucketPolicy",
    "AWS::SNS::Subscription",
    "AWS::SNS::TopicPolicy",
]


def test_rehearsal_creates_checks_and_deletes_the_stack(package_dir: Path, tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "scripts/rehearse_serverless.py",
            "--package-dir",
            str(package_dir),
            "--port",
            str(rs.free_port()),
            "--moto-log",
            str(tmp_path / "moto.log"),
            "--json",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["status"] == "CREATE_COMPLETE"
    assert report["deleted"] == "DELETE_COMPLETE"
    assert report["stubbed_types"] == PINNED_STAND_INS
    assert set(report["created_types"]) >= {
        "AWS::DynamoDB::Table",
        "AWS::IAM::Role",
        "AWS::Lambda::Function",
        "AWS::Lambda::Permission",
        "AWS::ApiGateway::RestApi",
        "AWS::Logs::LogGroup",
        "AWS::S3::Bucket",
        "AWS::CloudWatch::Dashboard",
        "AWS::SNS::Topic",
        "AWS::KMS::Key",
    }
    outputs = report["outputs"]
    assert set(rs.EXPECTED_OUTPUTS) <= set(outputs)
    assert outputs["ApiUrl"].startswith("https://") and outputs["ApiUrl"].endswith(
        ".execute-api.us-east-1.amazonaws.com/api"
    )
    assert outputs["TableName"].startswith(f"{rs.STACK_NAME}-TodoTable-")
    assert "table is retained after the stack is deleted" in report["checks"]
    assert "function role is scoped to the table and its indexes" in report["checks"]


def _template() -> dict[str, Any]:
    return {
        "Resources": {
            "Pool": {"Type": "AWS::Cognito::UserPool", "Properties": {}},
            "Table": {"Type": "AWS::DynamoDB::Table", "Properties": {}},
            "Fn": {
                "Type": "AWS::Lambda::Function",
                "DependsOn": ["Pool", "Table"],
                "Properties": {
                    "A": {"Ref": "Pool"},
                    "B": {"Fn::GetAtt": ["Pool", "Arn"]},
                    "C": {"Fn::GetAtt": "Pool.ProviderURL"},
                    "D": {"Fn::Sub": "${Pool}/${Table}/${Pool.Arn}/${AWS::Region}"},
                    "E": {"Ref": "Table"},
                },
            },
        },
        "Outputs": {"PoolId": {"Value": {"Ref": "Pool"}}},
    }


def test_stand_ins_replace_every_reference_to_an_unsupported_resource() -> None:
    template = _template()
    stubbed = rs.stub_unsupported(template, {"AWS::DynamoDB::Table", "AWS::Lambda::Function"})
    assert stubbed == {"Pool": "AWS::Cognito::UserPool"}
    assert "Pool" not in template["Resources"]
    fn = template["Resources"]["Fn"]
    assert fn["DependsOn"] == ["Table"]
    assert fn["Properties"] == {
        "A": "stub-Pool",
        "B": "stub-Pool-Arn",
        "C": "stub-Pool-ProviderURL",
        "D": {"Fn::Sub": "stub-Pool/${Table}/stub-Pool-Arn/${AWS::Region}"},
        "E": {"Ref": "Table"},
    }
    assert template["Outputs"]["PoolId"]["Value"] == "stub-Pool"


def test_missing_package_is_a_clear_error(tmp_path: Path, capsys: Any) -> None:
    assert rs.main(["--package-dir", str(tmp_path)]) == 2
    assert "make package-serverless" in capsys.readouterr().err
