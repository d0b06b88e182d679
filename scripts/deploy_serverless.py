"""Package, deploy and destroy the serverless stack (Chalice -> SAM -> CloudFormation).

`wheelhouse` and `package` build a hash-locked, offline-vendored zip (~0.1 MB) from
requirements-lambda.txt (generated from uv.lock by `make lock`, scripts/locks.py);
`deploy` and `destroy` run `sam deploy` / `sam delete` (`make sam-install`) with the
artifact bucket's owner check, the stack policy that protects the data, the outputs file
and emptying the web bucket around them. docs/serverless.md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from importlib.metadata import distributions
from pathlib import Path
from typing import Any

import boto3

from scripts import locks
from scripts.locks import RUNTIME_PROVIDED
from scripts.shared_rules import STACK_NAME_PATTERN
from scripts.wheels import PYTHON_VERSION, DeployError, locked, normalize, pip, run

ROOT = Path(__file__).resolve().parent.parent
MERGE_TEMPLATE = ROOT / "serverless" / "merge.yaml"
STACK_POLICY = ROOT / "serverless" / "stack-policy.json"

LAMBDA_PLATFORMS = ("manylinux2014_x86_64",)
MAX_PACKAGE_BYTES = 1_000_000
LOCK_FILE = "requirements-lambda.txt"

# The stack's outputs, by the names scripts/deploy_web.py and CI read them.
OUTPUT_KEYS = {
    "ApiUrl": "api_url",
    "WebUrl": "web_url",
    "UserPoolId": "user_pool_id",
    "UserPoolClientId": "user_pool_client_id",
    "WebBucketName": "web_bucket",
    "DistributionId": "distribution_id",
    "DashboardUrl": "dashboard_url",
    "AppLogGroup": "log_group",
}
# Template parameters that deploy settings in the environment set (the same names
# as for the serverful path), so `make deploy-serverless` and CI can pass them.
ENVIRONMENT_PARAMETERS = {
    "SES_IDENTITY_ARN": "SesIdentityArn",
    "EMAIL_FROM": "EmailFrom",
    "PERMISSIONS_BOUNDARY_ARN": "PermissionsBoundaryArn",
    "ENABLE_WAF": "EnableWaf",
    "ENABLE_THREAT_PROTECTION": "EnableThreatProtection",
    "ALARM_EMAIL": "AlarmEmail",
}

Runner = Callable[[Sequence[str]], None]  # runs a command, DeployError if it fails


def lambda_pins(project: Path) -> dict[str, str]:
    """What the Lambda package vendors (name -> version): requirements-lambda.txt, which
    must be what uv.lock gives today."""
    lock = project / LOCK_FILE
    locks.check(lock)
    return locked(lock.read_text())


def missing_dependencies(vendor: Path) -> list[str]:
    """Dependencies of vendored packages that are neither vendored nor on Lambda (they are
    installed with --no-deps, so a new requirement that needs something else shows here)."""
    from packaging.requirements import Requirement

    dists = list(distributions(path=[str(vendor)]))
    present = {normalize(dist.metadata["Name"]) for dist in dists} | RUNTIME_PROVIDED
    return [
        f"{dist.metadata['Name']} needs {req}"
        for dist in dists
        for req in map(Requirement, dist.requires or [])
        if normalize(req.name) not in present
        and (not req.marker or req.marker.evaluate({"extra": "", "python_version": PYTHON_VERSION}))
    ]


def package(project: Path, out: Path) -> Path:
    """Build out/package/{deployment.zip,sam.yaml}; returns the package directory."""
    wanted = lambda_pins(project)
    stage_dir, package_dir = out.resolve() / "stage", out.resolve() / "package"
    for directory in (stage_dir, package_dir):
        shutil.rmtree(directory, ignore_errors=True)
    # Chalice pips whatever requirements.txt lists: the staged one is empty, and the
    # dependencies arrive, hash-checked, through vendor/ instead.
    if wanted:
        vendor = stage_dir / "vendor"
        pip("install", LAMBDA_PLATFORMS, "--no-compile", "--target", str(vendor),
            lock=project / LOCK_FILE)  # fmt: skip
        if missing := missing_dependencies(vendor):
            raise DeployError(
                f"vendored packages need packages the Lambda package lacks: {'; '.join(missing)}"
                " (add them to [project].dependencies in pyproject.toml, then `make lock`)"
            )
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(project / "chalicelib", stage_dir / "chalicelib", ignore=ignore)
    for name in ("app.py", ".chalice/config.json", ".chalice/policy-prod.json"):
        (stage_dir / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(project / name, stage_dir / name)
    (stage_dir / "requirements.txt").write_text("")
    # The template does not depend on the region, but chalice wants one.
    run([str(Path(sys.executable).parent / "chalice"), "package", "--stage", "prod",
         "--merge-template", str(MERGE_TEMPLATE), "--template-format", "yaml", str(package_dir)],
        cwd=stage_dir, env={"AWS_DEFAULT_REGION": "us-east-1", **os.environ})  # fmt: skip
    size = (package_dir / "deployment.zip").stat().st_size
    print(f"deployment.zip: {size:,} bytes, vendored: {', '.join(wanted) or 'nothing'}")
    print(f"template: {package_dir / 'sam.yaml'}")
    if size > MAX_PACKAGE_BYTES:
        raise DeployError(f"deployment.zip is {size:,} bytes; the budget is {MAX_PACKAGE_BYTES:,}")
    return package_dir


def stack_name(stage: str, name: str | None) -> str:
    """The stack's name: `name`, else todo-<stage>; both checked."""
    if not re.fullmatch(r"[a-z][a-z0-9-]{0,19}", stage):
        raise DeployError(f"STAGE must be lowercase letters, digits and dashes: {stage!r}")
    name = name or f"todo-{stage}"
    if not re.fullmatch(STACK_NAME_PATTERN, name):
        raise DeployError(f"STACK_NAME must match {STACK_NAME_PATTERN}: {name!r}")
    return name


def parse_outputs(stack: Mapping[str, Any], region: str) -> dict[str, str]:
    """The stack's outputs under the names .deploy/<architecture>-outputs.json uses."""
    by_key = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
    missing = [key for key in OUTPUT_KEYS if not by_key.get(key)]
    if missing:
        raise DeployError(f"stack {stack.get('StackName')} lacks outputs: {', '.join(missing)}")
    return {"region": region} | {name: by_key[key].rstrip("/") for key, name in OUTPUT_KEYS.items()}


def parse_parameters(
    pairs: Iterable[str], env: Mapping[str, str] | None = None, stage: str = "prod"
) -> dict[str, str]:
    """--parameter KEY=VALUE pairs, then the settings in `env` they do not override. WAF
    costs a monthly fee: on by default for the `prod` stage only."""
    parameters = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise DeployError(f"--parameter takes KEY=VALUE, got {pair!r}")
        parameters[key] = value
    for setting, key in ENVIRONMENT_PARAMETERS.items():
        if env and env.get(setting) and key not in parameters:
            parameters[key] = env[setting]
    parameters.setdefault("EnableWaf", "true" if stage == "prod" else "false")
    # `sam deploy --parameter-overrides` takes KEY="VALUE" (values may hold spaces).
    for key, value in parameters.items():
        if '"' in value or "\\" in value:
            raise DeployError(f"parameter {key} may not contain a double quote or a backslash")
    return parameters


def describe_stack(cfn: Any, name: str) -> dict[str, Any] | None:
    try:
        return dict(cfn.describe_stacks(StackName=name)["Stacks"][0])
    except cfn.exceptions.ClientError as error:
        if "does not exist" in str(error):
            return None
        raise


def empty_bucket(s3: Any, bucket: str, account: str) -> int:
    """Delete every object version and delete marker (a versioned bucket), as its owner."""
    versions = s3.Bucket(bucket).object_versions.filter(ExpectedBucketOwner=account)
    try:
        responses = versions.delete(ExpectedBucketOwner=account)
    except s3.meta.client.exceptions.NoSuchBucket:
        return 0
    return sum(len(response.get("Deleted", [])) for response in responses)


def deploy(session: Any, args: argparse.Namespace, run_sam: Runner) -> None:
    template = args.out / "package" / "sam.yaml"
    if not template.exists():
        raise DeployError(f"{template.parent} has no sam.yaml: run `make package-serverless`")
    # The stage's access logs need the account's API Gateway logging role, which
    # serverless/account.yaml sets once per account and region (every API shares it).
    if not session.client("apigateway").get_account().get("cloudwatchRoleArn"):
        raise DeployError(
            "API Gateway has no CloudWatch logging role in this account and region, so the "
            "stage's access logs cannot be written: run `make deploy-serverless-account` once"
        )
    bucket = ["--resolve-s3"]  # SAM's own bucket, made once per account and region
    if args.artifact_bucket:
        # A bucket named by the caller must be this account's: a predictable name can
        # be squatted by another account, which would then receive the code.
        account = session.client("sts").get_caller_identity()["Account"]
        s3 = session.client("s3")
        try:
            s3.head_bucket(Bucket=args.artifact_bucket, ExpectedBucketOwner=account)
        except s3.exceptions.ClientError as error:
            raise DeployError(
                f"artifact bucket {args.artifact_bucket} is not usable by account {account} "
                f"({error.response['Error']['Code']}): it must exist and belong to this account"
            ) from error
        bucket = ["--s3-bucket", args.artifact_bucket, "--s3-prefix", f"serverless/{args.stack}"]
    parameters = parse_parameters(args.parameter, os.environ, args.stage)
    run_sam([
        args.sam, "deploy", "--template-file", str(template), "--stack-name", args.stack,
        "--region", session.region_name, *bucket,
        "--capabilities", "CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND",
        "--no-fail-on-empty-changeset", "--no-confirm-changeset", "--on-failure", "ROLLBACK",
        # CloudFormation copies these to every resource; the CI deploy role may
        # change only resources tagged Stack=<stack name> (docs/ci.md).
        "--tags", "app=todo", f"stage={args.stage}", f"Stack={args.stack}",
        "--parameter-overrides", *(f'{key}="{value}"' for key, value in parameters.items()),
    ])  # fmt: skip
    cfn = session.client("cloudformation")
    # No update may replace or delete the table or the user pool (`sam deploy` has
    # no stack-policy option).
    cfn.set_stack_policy(StackName=args.stack, StackPolicyBody=STACK_POLICY.read_text())
    stack = cfn.describe_stacks(StackName=args.stack)["Stacks"][0]
    outputs = json.dumps(parse_outputs(stack, session.region_name), indent=2)
    args.outputs.parent.mkdir(parents=True, exist_ok=True)
    args.outputs.write_text(outputs + "\n")
    print(f"outputs: {args.outputs}\n{outputs}")


def destroy(session: Any, args: argparse.Namespace, run_sam: Runner) -> None:
    stack = describe_stack(session.client("cloudformation"), args.stack)
    if stack is None:
        print(f"stack {args.stack} does not exist; nothing to do")
        return
    by_key = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
    if bucket := by_key.get("WebBucketName"):
        account = session.client("sts").get_caller_identity()["Account"]
        count = empty_bucket(session.resource("s3"), bucket, account)
        print(f"emptied web bucket {bucket} ({count} object versions)")
    run_sam([args.sam, "delete", "--stack-name", args.stack, "--region", session.region_name,
             "--no-prompts"])  # fmt: skip
    retained = [by_key[k] for k in ("TableName", "UserPoolId") if by_key.get(k)]
    if retained:
        print(f"retained (DeletionPolicy Retain; delete by hand if you mean it): {retained}")


def main(
    argv: Sequence[str] | None = None,
    session_factory: Callable[..., Any] | None = None,
    run_sam: Runner = run,
) -> None:
    """Runs a command; a failed step raises DeployError (its message, exit status 1)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    wheelhouse = sub.add_parser("wheelhouse", help="download the Lambda package's wheels")
    wheelhouse.add_argument("--dest", type=Path, default=ROOT / "build" / "wheelhouse")
    out = argparse.ArgumentParser(add_help=False)
    out.add_argument("--out", type=Path, default=ROOT / "build" / "serverless")
    sub.add_parser("package", parents=[out], help="build deployment.zip and sam.yaml")
    stack = argparse.ArgumentParser(add_help=False, parents=[out])
    stack.add_argument("--region", default=os.environ.get("AWS_REGION"), help="else the profile's")
    stack.add_argument("--stage", default=os.environ.get("STAGE") or "prod")
    stack.add_argument("--stack-name", default=os.environ.get("STACK_NAME"))
    stack.add_argument("--sam", default=os.environ.get("SAM") or str(ROOT / ".venv-sam/bin/sam"))
    deploy_cmd = sub.add_parser("deploy", parents=[stack], help="sam deploy the package")
    deploy_cmd.add_argument(
        "--outputs", type=Path, default=ROOT / ".deploy/serverless-outputs.json"
    )
    # Default: SAM's own bucket; a given one must be this account's.
    deploy_cmd.add_argument("--artifact-bucket", default=os.environ.get("ARTIFACT_BUCKET"))
    deploy_cmd.add_argument("--parameter", action="append", default=[], metavar="KEY=VALUE")
    sub.add_parser("destroy", parents=[stack], help="sam delete the stack (data stays)")
    args = parser.parse_args(argv)

    if args.command == "wheelhouse":
        args.dest.mkdir(parents=True, exist_ok=True)
        if lambda_pins(ROOT):
            pip("download", LAMBDA_PLATFORMS, "--dest", str(args.dest), lock=ROOT / LOCK_FILE)
    elif args.command == "package":
        package(ROOT, args.out)
    else:
        args.stack = stack_name(args.stage, args.stack_name)
        if not Path(args.sam).exists():
            raise DeployError(f"{args.sam} not found: run `make sam-install` (or set SAM)")
        session = (session_factory or boto3.Session)(region_name=args.region or None)
        if not session.region_name:
            raise DeployError("no AWS region: set AWS_REGION or a region in your AWS profile")
        (destroy if args.command == "destroy" else deploy)(session, args, run_sam)


if __name__ == "__main__":
    main()
