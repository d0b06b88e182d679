#!/usr/bin/env python3
"""Rehearse the serverless stack on the local AWS (moto server).

Transforms the packaged SAM template (build/serverless/package/sam.yaml) to plain
CloudFormation with aws-sam-translator, creates it in a moto server's
CloudFormation, checks the stack, its outputs and the resources it made, then
deletes it. Resource types moto's CloudFormation cannot create are replaced by
stand-ins (their Ref/GetAtt become `stub-<LogicalId>[-<Attribute>]`) and named in
the report; tests/serverless/test_rehearsal.py pins that list.

    rehearse_serverless.py [--package-dir DIR] [--port 0 | --endpoint URL] [--json]

What this proves and what only a real account can: docs/serverless.md.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import sys
import time
from pathlib import Path
from typing import Any

import yaml
from botocore.exceptions import BotoCoreError, ClientError

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.local_stack import (  # noqa: E402 - needs the repo root on sys.path
    ServerDidNotStart,
    aws_client,
    free_port,
    moto_server,
)

DEFAULT_PACKAGE_DIR = ROOT / "build" / "serverless" / "package"
REGION = "us-east-1"
STACK_NAME = "todo-rehearsal"
ARTIFACT_BUCKET = "rehearsal-artifacts"
POWERTOOLS_LAYER_PARAMETER = "/rehearsal/powertools-layer-arn"
POWERTOOLS_LAYER_ARN = (
    f"arn:aws:lambda:{REGION}:017000801446:layer:AWSLambdaPowertoolsPythonV3-python311-x86_64:1"
)
EXPECTED_OUTPUTS = (
    "ApiUrl",
    "WebUrl",
    "UserPoolId",
    "UserPoolClientId",
    "WebBucketName",
    "DistributionId",
    "TableName",
    "DashboardUrl",
    "AlarmTopicArn",
    "AppLogGroup",
)


class RehearsalError(AssertionError):
    """The stack did not come up (or go away) as the template says it should."""


class NoManagedPolicies:
    """SAM's managed-policy loader; the function brings its own role, so none are looked up."""

    def load(self) -> dict[str, str]:
        return {}


def to_cloudformation(
    sam_template: dict[str, Any], code_bucket: str, code_key: str
) -> dict[str, Any]:
    from samtranslator.translator.transform import transform

    for resource in sam_template["Resources"].values():
        if resource.get("Type") == "AWS::Serverless::Function":
            resource["Properties"]["CodeUri"] = {"Bucket": code_bucket, "Key": code_key}
    os.environ.setdefault("AWS_DEFAULT_REGION", REGION)
    return dict(transform(sam_template, {}, NoManagedPolicies()))


# Types moto's CloudFormation has a model for but still cannot create from this
# template, and why.
MOTO_GAPS = {
    "AWS::ApiGateway::Deployment": "moto's RestApi ignores Body (the OpenAPI definition), "
    "so a deployment of it finds no methods",
}


def moto_supported_types() -> set[str]:
    from moto.cloudformation.parsing import get_model_map

    return set(get_model_map()) - set(MOTO_GAPS)


def stub_unsupported(template: dict[str, Any], supported: set[str]) -> dict[str, str]:
    """Replace resources moto cannot create by literal stand-ins; returns {logical id: type}."""
    resources = template["Resources"]
    stubbed = {lid: r["Type"] for lid, r in resources.items() if r["Type"] not in supported}
    for lid in stubbed:
        del resources[lid]
    sub_pattern = re.compile(r"\$\{([A-Za-z0-9]+)(?:\.([A-Za-z0-9.]+))?\}")

    def stub_value(lid: str, attribute: str | None) -> str:
        return f"stub-{lid}" + (f"-{attribute.replace('.', '-')}" if attribute else "")

    def replace_in_sub(text: str) -> str:
        def one(match: re.Match[str]) -> str:
            lid, attribute = match.group(1), match.group(2)
            return stub_value(lid, attribute) if lid in stubbed else match.group(0)

        return sub_pattern.sub(one, text)

    def walk(node: Any) -> Any:
        if isinstance(node, list):
            return [walk(item) for item in node]
        if not isinstance(node, dict):
            return node
        if set(node) == {"Ref"} and node["Ref"] in stubbed:
            return stub_value(node["Ref"], None)
        if set(node) == {"Fn::GetAtt"}:
            target = node["Fn::GetAtt"]
            lid, attribute = target if isinstance(target, list) else target.split(".", 1)
            if lid in stubbed:
                return stub_value(lid, attribute)
        if set(node) == {"Fn::Sub"}:
            value = node["Fn::Sub"]
            if isinstance(value, str):
                return {"Fn::Sub": replace_in_sub(value)}
            return {"Fn::Sub": [replace_in_sub(value[0]), walk(value[1])]}
        return {key: walk(value) for key, value in node.items()}

    for key in ("Resources", "Outputs"):
        template[key] = walk(template.get(key, {}))
    for resource in template["Resources"].values():
        depends = resource.get("DependsOn")
        if depends is not None:
            kept = [
                d for d in ([depends] if isinstance(depends, str) else depends) if d not in stubbed
            ]
            if kept:
                resource["DependsOn"] = kept
            else:
                del resource["DependsOn"]
    return stubbed


def client(service: str, endpoint: str) -> Any:
    return aws_client(service, endpoint, REGION)


def check(condition: bool, message: str, checks: list[str]) -> None:
    if not condition:
        raise RehearsalError(message)
    checks.append(message)


def verify_resources(
    endpoint: str, outputs: dict[str, str], physical: dict[str, str], code_size: int
) -> list[str]:
    """Look at what the stack made through each service's own API."""
    checks: list[str] = []
    table = client("dynamodb", endpoint).describe_table(TableName=outputs["TableName"])["Table"]
    keys = {k["AttributeName"]: k["KeyType"] for k in table["KeySchema"]}
    check(keys == {"user_id": "HASH", "item_id": "RANGE"}, "table key is user_id/item_id", checks)
    indexes = {i["IndexName"] for i in table.get("LocalSecondaryIndexes", [])}
    check(indexes == {"by_order"}, "table has the LSI by_order", checks)
    billing = table.get("BillingModeSummary", {}).get("BillingMode")
    check(billing == "PAY_PER_REQUEST", "table is on-demand", checks)

    function = client("lambda", endpoint).get_function_configuration(
        FunctionName=physical["APIHandler"]
    )
    env = function["Environment"]["Variables"]
    check(env.get("TABLE_NAME") == outputs["TableName"], "function TABLE_NAME is the table", checks)
    check(
        env.get("COGNITO_USER_POOL_ID") == outputs["UserPoolId"]
        and env.get("COGNITO_APP_CLIENT_ID") == outputs["UserPoolClientId"],
        "function Cognito ids are the stack's pool and client",
        checks,
    )
    check(
        env.get("CORS_ORIGINS") == outputs["WebUrl"], "function CORS_ORIGINS is the web URL", checks
    )
    check(env.get("AUTH_MODE") == "gateway", "function trusts the gateway's authorizer", checks)
    check(
        function["CodeSize"] == code_size,
        f"function code is the package ({code_size} bytes)",
        checks,
    )
    stage = json.loads((ROOT / ".chalice" / "config.json").read_text())["stages"]["prod"]
    check(
        (function["MemorySize"], function["Timeout"])
        == (stage["lambda_memory_size"], stage["lambda_timeout"]),
        f"function has {stage['lambda_memory_size']} MB and {stage['lambda_timeout']} s",
        checks,
    )

    iam = client("iam", endpoint)
    role = physical["ApiHandlerRole"]
    policies = iam.list_role_policies(RoleName=role)["PolicyNames"]
    document = iam.get_role_policy(RoleName=role, PolicyName=policies[0])["PolicyDocument"]
    if isinstance(document, str):
        # moto keeps a CloudFormation-made inline policy as a Python repr
        document = ast.literal_eval(document)
    resources = {
        r
        for s in document["Statement"]
        for r in ([s["Resource"]] if isinstance(s["Resource"], str) else s["Resource"])
    }
    table_arn = table["TableArn"]
    check(
        {table_arn, f"{table_arn}/index/*"} <= resources,
        "function role is scoped to the table and its indexes",
        checks,
    )
    actions = {a for s in document["Statement"] for a in s["Action"]}
    check(not any("*" in a for a in actions), "function role grants no wildcard actions", checks)

    buckets = {b["Name"] for b in client("s3", endpoint).list_buckets()["Buckets"]}
    check(outputs["WebBucketName"] in buckets, "web bucket exists", checks)
    return checks


def rehearse(package_dir: Path, endpoint: str) -> dict[str, Any]:
    sam_template = yaml.safe_load((package_dir / "sam.yaml").read_text())
    s3 = client("s3", endpoint)
    s3.create_bucket(Bucket=ARTIFACT_BUCKET)
    s3.upload_file(str(package_dir / "deployment.zip"), ARTIFACT_BUCKET, "deployment.zip")
    template = to_cloudformation(sam_template, ARTIFACT_BUCKET, "deployment.zip")
    stubbed = stub_unsupported(template, moto_supported_types())

    # AWS publishes the Powertools layer's ARN in a public SSM parameter that moto
    # lacks (and names under /aws/ may not be created): stand one in. moto resolves
    # a parameter's default even when a value is given, so the default changes.
    client("ssm", endpoint).put_parameter(
        Name=POWERTOOLS_LAYER_PARAMETER, Value=POWERTOOLS_LAYER_ARN, Type="String"
    )
    template["Parameters"]["PowertoolsLayerArn"]["Default"] = POWERTOOLS_LAYER_PARAMETER
    cfn = client("cloudformation", endpoint)
    started = time.monotonic()
    cfn.create_stack(
        StackName=STACK_NAME,
        TemplateBody=json.dumps(template),
        Capabilities=["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"],
        OnFailure="ROLLBACK",
    )
    stack = wait(cfn, STACK_NAME)
    if stack["StackStatus"] != "CREATE_COMPLETE":
        raise RehearsalError(
            f"stack ended in {stack['StackStatus']}: {stack.get('StackStatusReason')}"
        )
    seconds = time.monotonic() - started
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
    missing = [key for key in EXPECTED_OUTPUTS if not outputs.get(key)]
    if missing:
        raise RehearsalError(f"stack lacks outputs: {missing}")
    summaries = cfn.list_stack_resources(StackName=STACK_NAME)["StackResourceSummaries"]
    physical = {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in summaries}
    created = sorted({r["ResourceType"] for r in summaries})
    code_size = (package_dir / "deployment.zip").stat().st_size
    checks = verify_resources(endpoint, outputs, physical, code_size)

    cfn.delete_stack(StackName=STACK_NAME)
    status = wait(cfn, stack["StackId"])["StackStatus"]
    if status != "DELETE_COMPLETE":
        raise RehearsalError(f"stack deletion ended in {status}")
    tables = client("dynamodb", endpoint).list_tables()["TableNames"]
    check(outputs["TableName"] in tables, "table is retained after the stack is deleted", checks)
    return {
        "status": stack["StackStatus"],
        "deleted": status,
        "create_seconds": round(seconds, 2),
        "outputs": outputs,
        "created_types": created,
        "stubbed_types": sorted(set(stubbed.values())),
        "stubbed_resources": stubbed,
        "checks": checks,
    }


def wait(cfn: Any, stack: str, timeout: float = 120) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        described = dict(cfn.describe_stacks(StackName=stack)["Stacks"][0])
        if not described["StackStatus"].endswith("_IN_PROGRESS"):
            return described
        if time.monotonic() > deadline:
            raise RehearsalError(f"stack still {described['StackStatus']} after {timeout} s")
        time.sleep(0.2)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--package-dir", type=Path, default=DEFAULT_PACKAGE_DIR)
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--port", type=int, default=0, help="moto server port (0: a free one)")
    where.add_argument("--endpoint", help="use this running moto server instead of starting one")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument(
        "--moto-log", type=Path, default=ROOT / "build" / "serverless" / "rehearsal-moto.log"
    )
    args = parser.parse_args(argv)
    if not (args.package_dir / "sam.yaml").exists():
        print(
            f"error: {args.package_dir}/sam.yaml is missing: run `make package-serverless`",
            file=sys.stderr,
        )
        return 2
    try:
        if args.endpoint:
            report = rehearse(args.package_dir, args.endpoint)
        else:
            args.moto_log.unlink(missing_ok=True)  # its errors are reported below
            with moto_server(args.port or free_port(), args.moto_log) as endpoint:
                report = rehearse(args.package_dir, endpoint)
    except (RehearsalError, BotoCoreError, ClientError, ServerDidNotStart) as error:
        print(f"rehearsal FAILED: {error}", file=sys.stderr)
        if not args.endpoint and args.moto_log.exists():
            print(f"moto server log: {args.moto_log}", file=sys.stderr)
            errors = [ln for ln in args.moto_log.read_text().splitlines() if "Error" in ln]
            for line in errors[-5:]:
                print(f"  {line}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(
        f"stack {STACK_NAME}: {report['status']} in {report['create_seconds']} s,"
        f" then {report['deleted']}"
    )
    for key, value in report["outputs"].items():
        print(f"  output {key:<18} {value}")
    for line in report["checks"]:
        print(f"  ok  {line}")
    print("  created by moto:     " + ", ".join(report["created_types"]))
    print(
        "  stand-ins (moto's CloudFormation cannot create these types): "
        + ", ".join(report["stubbed_types"])
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
