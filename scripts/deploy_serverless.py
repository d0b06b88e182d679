#!/usr/bin/env python3
"""Package, deploy and destroy the serverless stack (Chalice -> SAM -> CloudFormation).

    deploy_serverless.py package  [--out build/serverless]
    deploy_serverless.py deploy   [--stage prod] [--stack-name todo-prod] [--region R]
    deploy_serverless.py destroy  [--stage prod] [--stack-name todo-prod] [--region R]

Every AWS call goes through boto3 and the standard credential chain (AWS_PROFILE,
AWS_ACCESS_KEY_ID/..., SSO, instance roles); nothing names an account or region.
See docs/serverless.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
MERGE_TEMPLATE = ROOT / "serverless" / "merge.yaml"
DEFAULT_OUT = ROOT / "build" / "serverless"
DEFAULT_OUTPUTS_FILE = ROOT / ".deploy" / "serverless-outputs.json"

# What the Lambda Python runtime already has (boto3 and its dependencies), and
# what the app imports lazily, only where it verifies tokens itself, which it
# never does on Lambda (API Gateway's Cognito authorizer has already done it).
RUNTIME_PROVIDED = frozenset(
    {"boto3", "botocore", "s3transfer", "jmespath", "urllib3", "python-dateutil", "six"}
)
NOT_NEEDED_ON_LAMBDA = frozenset({"pyjwt", "cryptography", "cffi", "pycparser"})
LAMBDA_PYTHON = "3.11"
LAMBDA_PLATFORM = "manylinux2014_x86_64"
MAX_PACKAGE_BYTES = 1_000_000

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

CAPABILITIES = ["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"]
SUCCESS_STATES = {"CREATE_COMPLETE", "UPDATE_COMPLETE"}
NO_CHANGES_MARKERS = ("didn't contain changes", "No updates are to be performed")


class DeployError(RuntimeError):
    """A deployment step failed; the message says what to do."""


# ---------------------------------------------------------------- package


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(line: str) -> str:
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", line)
    if not match:
        raise DeployError(f"cannot read the package name in requirement {line!r}")
    return normalize(match.group(1))


def lambda_requirements(requirements_text: str) -> list[str]:
    """The lines of requirements.txt that must go into the Lambda package."""
    wanted = []
    for raw in requirements_text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("-"):
            raise DeployError(f"unsupported option in requirements.txt: {line!r}")
        name = requirement_name(line)
        if name in RUNTIME_PROVIDED or name in NOT_NEEDED_ON_LAMBDA:
            continue
        wanted.append(line)
    return wanted


def missing_dependencies(vendor: Path) -> list[str]:
    """Dependencies of vendored packages that are neither vendored nor on Lambda.

    The packages are installed with --no-deps (their usual dependencies are
    boto3/botocore), so this catches a new requirement that needs something else.
    """
    from packaging.requirements import Requirement

    dists = list(vendor.glob("*.dist-info"))
    vendored = {normalize(d.name.split("-")[0]) for d in dists}
    missing = []
    for dist in dists:
        for line in (dist / "METADATA").read_text().splitlines():
            if not line.startswith("Requires-Dist:"):
                continue
            req = Requirement(line.split(":", 1)[1].strip())
            if req.marker and not req.marker.evaluate({"extra": "", "python_version": "3.11"}):
                continue
            name = normalize(req.name)
            if name not in vendored and name not in RUNTIME_PROVIDED:
                missing.append(f"{dist.name.split('-')[0]} needs {req}")
    return missing


def pip_lambda_args() -> list[str]:
    """pip options that pick wheels for the Lambda runtime, not for this machine."""
    return [
        "--no-deps", "--only-binary=:all:", "--platform", LAMBDA_PLATFORM,
        "--implementation", "cp", "--python-version", LAMBDA_PYTHON,
    ]  # fmt: skip


def download_wheelhouse(project: Path, dest: Path) -> None:
    """Fetch the Lambda package's wheels once, so packaging can run offline."""
    wanted = lambda_requirements((project / "requirements.txt").read_text())
    dest.mkdir(parents=True, exist_ok=True)
    if wanted:
        run([sys.executable, "-m", "pip", "download", "--quiet", *pip_lambda_args(),
             "--dest", str(dest), *wanted])  # fmt: skip
    print(f"wheelhouse {dest}: {', '.join(wanted) or 'nothing to fetch'}")


def stage_project(project: Path, stage_dir: Path) -> list[str]:
    """Copy the app into stage_dir with a requirements.txt Chalice will not pip.

    Returns the requirement lines that were installed into stage_dir/vendor.
    """
    if stage_dir.exists():
        shutil.rmtree(stage_dir)
    stage_dir.mkdir(parents=True)
    shutil.copy2(project / "app.py", stage_dir / "app.py")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    if (project / "chalicelib").is_dir():
        shutil.copytree(project / "chalicelib", stage_dir / "chalicelib", ignore=ignore)
    (stage_dir / ".chalice").mkdir()
    for name in ("config.json", "policy-prod.json"):
        shutil.copy2(project / ".chalice" / name, stage_dir / ".chalice" / name)
    # Chalice pips whatever requirements.txt lists; the staged one is empty and
    # the pure-Python dependencies arrive through vendor/ instead.
    (stage_dir / "requirements.txt").write_text("")
    wanted = lambda_requirements((project / "requirements.txt").read_text())
    if wanted:
        vendor = stage_dir / "vendor"
        # Honours PIP_NO_INDEX / PIP_FIND_LINKS, so it runs offline from a wheelhouse.
        run([sys.executable, "-m", "pip", "install", "--quiet", *pip_lambda_args(),
             "--target", str(vendor), *wanted])  # fmt: skip
        missing = missing_dependencies(vendor)
        if missing:
            raise DeployError(
                "vendored packages need packages that are not in the Lambda package: "
                + "; ".join(missing)
                + " (add them to requirements.txt)"
            )
        for cache in vendor.rglob("__pycache__"):
            shutil.rmtree(cache)
    return wanted


def wire_environment(template: dict[str, Any]) -> dict[str, Any]:
    """Turn the function's `${Resource}` env values (.chalice/config.json) into Fn::Sub.

    Chalice sets the stage's environment variables in its own process, so they must
    be strings there; in the template they become references to the stack's resources.
    """
    for resource in template.get("Resources", {}).values():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        variables = resource.get("Properties", {}).get("Environment", {}).get("Variables", {})
        for key, value in variables.items():
            if isinstance(value, str) and "${" in value:
                variables[key] = {"Fn::Sub": value}
    return template


def package(project: Path, out: Path, region: str) -> Path:
    """Build out/package/{deployment.zip,sam.yaml}; returns the package directory."""
    out = out.resolve()
    stage_dir = out / "stage"
    package_dir = out / "package"
    vendored = stage_project(project, stage_dir)
    if package_dir.exists():
        shutil.rmtree(package_dir)
    env = {**os.environ, "AWS_DEFAULT_REGION": region}
    chalice = Path(sys.executable).parent / "chalice"
    run(
        [
            str(chalice), "package", "--stage", "prod",
            "--merge-template", str(MERGE_TEMPLATE), "--template-format", "yaml",
            str(package_dir),
        ],
        cwd=stage_dir,
        env=env,
    )  # fmt: skip
    template_path = package_dir / "sam.yaml"
    template = wire_environment(yaml.safe_load(template_path.read_text()))
    template_path.write_text(yaml.safe_dump(template, sort_keys=False))
    zip_path = package_dir / "deployment.zip"
    size = zip_path.stat().st_size
    with zipfile.ZipFile(zip_path) as archive:
        files = len(archive.namelist())
    print(f"deployment.zip: {size:,} bytes ({size / 1e6:.2f} MB), {files} files")
    print(f"vendored: {', '.join(vendored) or 'nothing'}")
    print(f"template: {template_path}")
    if size > MAX_PACKAGE_BYTES:
        raise DeployError(f"deployment.zip is {size:,} bytes; the budget is {MAX_PACKAGE_BYTES:,}")
    return package_dir


def run(cmd: Sequence[str], cwd: Path | None = None, env: Mapping[str, str] | None = None) -> None:
    result = subprocess.run(cmd, cwd=cwd, env=env, check=False)
    if result.returncode != 0:
        raise DeployError(f"command failed ({result.returncode}): {' '.join(cmd)}")


# ---------------------------------------------------------------- deploy


@dataclass(frozen=True)
class Target:
    stage: str
    stack_name: str
    region: str | None


def resolve_target(stage: str | None, stack_name: str | None, region: str | None) -> Target:
    """STAGE (default prod), STACK_NAME (default todo-<stage>), region from the chain."""
    stage = stage or "prod"
    if not re.fullmatch(r"[a-z][a-z0-9-]{0,19}", stage):
        raise DeployError(f"STAGE must be lowercase letters, digits and dashes: {stage!r}")
    stack_name = stack_name or f"todo-{stage}"
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9-]{0,49}", stack_name):
        raise DeployError(f"STACK_NAME is not a valid stack name: {stack_name!r}")
    return Target(stage=stage, stack_name=stack_name, region=region or None)


def parse_outputs(stack: Mapping[str, Any], region: str) -> dict[str, str]:
    """The stack's outputs under the names .deploy/<architecture>-outputs.json uses."""
    by_key = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
    missing = [key for key in OUTPUT_KEYS if not by_key.get(key)]
    if missing:
        raise DeployError(f"stack {stack.get('StackName')} lacks outputs: {', '.join(missing)}")
    outputs = {"region": region}
    outputs.update({name: by_key[key].rstrip("/") for key, name in OUTPUT_KEYS.items()})
    return outputs


# Template parameters that deploy settings in the environment set (the same names
# as for the serverful path), so `make deploy-serverless` and CI can pass them.
ENVIRONMENT_PARAMETERS = {
    "SES_IDENTITY_ARN": "SesIdentityArn",
    "EMAIL_FROM": "EmailFrom",
    "ALARM_EMAIL": "AlarmEmail",
}


def parse_parameters(
    pairs: Iterable[str], env: Mapping[str, str] | None = None
) -> list[dict[str, str]]:
    """--parameter KEY=VALUE pairs, then the settings in `env` they do not override."""
    parameters = []
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise DeployError(f"--parameter takes KEY=VALUE, got {pair!r}")
        parameters.append({"ParameterKey": key, "ParameterValue": value})
    given = {parameter["ParameterKey"] for parameter in parameters}
    for setting, key in ENVIRONMENT_PARAMETERS.items():
        if env and env.get(setting) and key not in given:
            parameters.append({"ParameterKey": key, "ParameterValue": env[setting]})
    return parameters


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def ensure_artifact_bucket(s3: Any, name: str, region: str) -> None:
    """A private, encrypted bucket for code and templates (created once per account/region)."""
    try:
        s3.head_bucket(Bucket=name)
        return
    except s3.exceptions.ClientError as error:
        if error.response["Error"]["Code"] not in ("404", "NoSuchBucket"):
            raise DeployError(f"artifact bucket {name} is not usable: {error}") from error
    print(f"creating artifact bucket {name}")
    create: dict[str, Any] = {"Bucket": name, "ObjectOwnership": "BucketOwnerEnforced"}
    if region != "us-east-1":
        create["CreateBucketConfiguration"] = {"LocationConstraint": region}
    s3.create_bucket(**create)
    s3.put_public_access_block(
        Bucket=name,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    s3.put_bucket_encryption(
        Bucket=name,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
        },
    )


def upload_artifacts(s3: Any, bucket: str, stack_name: str, package_dir: Path, region: str) -> str:
    """Upload the code and the template (code pointed at S3); returns the template URL."""
    zip_path = package_dir / "deployment.zip"
    code_key = f"serverless/{stack_name}/{sha256_file(zip_path)}.zip"
    s3.upload_file(str(zip_path), bucket, code_key)
    template = yaml.safe_load((package_dir / "sam.yaml").read_text())
    for resource in template["Resources"].values():
        if resource.get("Type") == "AWS::Serverless::Function":
            resource["Properties"]["CodeUri"] = {"Bucket": bucket, "Key": code_key}
    body = yaml.safe_dump(template, sort_keys=False).encode()
    template_key = f"serverless/{stack_name}/{hashlib.sha256(body).hexdigest()}.yaml"
    s3.put_object(Bucket=bucket, Key=template_key, Body=body)
    print(f"uploaded s3://{bucket}/{code_key} and s3://{bucket}/{template_key}")
    return f"https://{bucket}.s3.{region}.amazonaws.com/{template_key}"


def stack_status(cfn: Any, stack_name: str) -> str | None:
    try:
        stacks = cfn.describe_stacks(StackName=stack_name)["Stacks"]
    except cfn.exceptions.ClientError as error:
        if "does not exist" in str(error):
            return None
        raise
    return str(stacks[0]["StackStatus"]) if stacks else None


def change_set_type(status: str | None) -> str:
    """CREATE for a new stack, UPDATE for a settled one; refuse a stack mid-operation."""
    if status is None or status == "REVIEW_IN_PROGRESS":
        return "CREATE"
    if status.endswith("_IN_PROGRESS"):
        raise DeployError(f"the stack is busy ({status}); wait for it to settle and retry")
    if status in ("ROLLBACK_COMPLETE", "ROLLBACK_FAILED", "DELETE_FAILED"):
        raise DeployError(
            f"the stack is {status}: its first creation failed and it cannot be updated; "
            "run `make destroy-serverless` (retained data is kept) and deploy again"
        )
    return "UPDATE"


class EventPrinter:
    """Prints a stack's events once each, oldest first, while an operation runs."""

    def __init__(self, cfn: Any, stack_id: str, write: Callable[[str], None] = print) -> None:
        self.cfn = cfn
        self.stack_id = stack_id
        self.write = write
        self.seen: set[str] = set()
        self.failures: list[str] = []

    def skip_existing(self) -> None:
        """Mark the latest events seen: they belong to earlier operations."""
        self.seen.update(event["EventId"] for event in self._new_events(first_page_only=True))

    def poll(self) -> None:
        for event in reversed(self._new_events()):
            self.seen.add(event["EventId"])
            reason = event.get("ResourceStatusReason") or ""
            status = event.get("ResourceStatus", "")
            line = (
                f"{event['Timestamp']:%H:%M:%S}  {status:<28} "
                f"{event.get('ResourceType', ''):<40} {event.get('LogicalResourceId', '')}"
            )
            self.write(f"{line}  {reason}".rstrip())
            if status.endswith("_FAILED") and reason:
                self.failures.append(f"{event.get('LogicalResourceId')}: {reason}")

    def _new_events(self, first_page_only: bool = False) -> list[dict[str, Any]]:
        """Events newer than any seen one (CloudFormation lists the newest first)."""
        fresh: list[dict[str, Any]] = []
        try:
            pages = self.cfn.get_paginator("describe_stack_events").paginate(
                StackName=self.stack_id
            )
            for page in pages:
                for event in page["StackEvents"]:
                    if event["EventId"] in self.seen:
                        return fresh
                    fresh.append(event)
                if first_page_only:
                    break
        except self.cfn.exceptions.ClientError:
            pass  # the stack is gone (deleted) or not there yet
        return fresh


def wait_for_stack(cfn: Any, stack_id: str, printer: EventPrinter, poll_seconds: float) -> str:
    while True:
        printer.poll()
        status = stack_status(cfn, stack_id) or "DELETE_COMPLETE"
        if not status.endswith("_IN_PROGRESS"):
            printer.poll()
            return status
        time.sleep(poll_seconds)


def deploy_stack(
    cfn: Any,
    target: Target,
    template_url: str,
    parameters: list[dict[str, str]],
    poll_seconds: float = 5.0,
) -> dict[str, Any]:
    """Create or update the stack through a change set; returns the described stack."""
    kind = change_set_type(stack_status(cfn, target.stack_name))
    name = f"deploy-{time.strftime('%Y%m%d-%H%M%S')}"
    request: dict[str, Any] = {
        "StackName": target.stack_name,
        "ChangeSetName": name,
        "ChangeSetType": kind,
        "TemplateURL": template_url,
        "Capabilities": CAPABILITIES,
        "Parameters": parameters,
        "Tags": [{"Key": "app", "Value": "todo"}, {"Key": "stage", "Value": target.stage}],
    }
    if kind == "CREATE":
        # A failed creation rolls back (never deletes or keeps half a stack).
        request["OnStackFailure"] = "ROLLBACK"
    print(f"creating change set {name} ({kind}) for stack {target.stack_name}")
    change_set = cfn.create_change_set(**request)
    stack_id, change_set_id = change_set["StackId"], change_set["Id"]
    described = wait_for_change_set(cfn, change_set_id, poll_seconds)
    if described["Status"] == "FAILED":
        reason = described.get("StatusReason", "")
        if any(marker in reason for marker in NO_CHANGES_MARKERS):
            print("no changes to deploy")
            cfn.delete_change_set(ChangeSetName=change_set_id)
            return dict(cfn.describe_stacks(StackName=stack_id)["Stacks"][0])
        raise DeployError(f"change set failed: {reason}")
    for change in described.get("Changes", []):
        rc = change.get("ResourceChange", {})
        replacement = " (REPLACEMENT)" if rc.get("Replacement") == "True" else ""
        print(
            f"  {rc.get('Action', ''):<7} {rc.get('ResourceType', ''):<40} "
            f"{rc.get('LogicalResourceId', '')}{replacement}"
        )
    printer = EventPrinter(cfn, stack_id)
    printer.skip_existing()
    execute: dict[str, Any] = {"ChangeSetName": change_set_id}
    if kind == "UPDATE":
        execute["DisableRollback"] = False  # a failed update rolls back to the last good state
    cfn.execute_change_set(**execute)
    status = wait_for_stack(cfn, stack_id, printer, poll_seconds)
    if status not in SUCCESS_STATES:
        details = "; ".join(printer.failures) or "see the stack events above"
        raise DeployError(f"stack {target.stack_name} ended in {status}: {details}")
    print(f"stack {target.stack_name}: {status}")
    return dict(cfn.describe_stacks(StackName=stack_id)["Stacks"][0])


def wait_for_change_set(cfn: Any, change_set_id: str, poll_seconds: float) -> dict[str, Any]:
    while True:
        described = dict(cfn.describe_change_set(ChangeSetName=change_set_id))
        if described["Status"] in ("CREATE_COMPLETE", "FAILED"):
            return described
        time.sleep(poll_seconds)


def write_outputs(outputs: Mapping[str, str], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(outputs, indent=2) + "\n")
    print(f"outputs: {path}")
    for key, value in outputs.items():
        print(f"  {key:<20} {value}")


def empty_bucket(s3: Any, bucket: str) -> int:
    """Delete every object version and delete marker (a versioned bucket)."""
    deleted = 0
    paginator = s3.get_paginator("list_object_versions")
    try:
        for page in paginator.paginate(Bucket=bucket):
            keys = [
                {"Key": v["Key"], "VersionId": v["VersionId"]}
                for v in page.get("Versions", []) + page.get("DeleteMarkers", [])
            ]
            if keys:
                s3.delete_objects(Bucket=bucket, Delete={"Objects": keys, "Quiet": True})
                deleted += len(keys)
    except s3.exceptions.NoSuchBucket:
        return 0
    return deleted


def destroy(session: Any, target: Target, poll_seconds: float = 5.0) -> None:
    cfn = session.client("cloudformation")
    if stack_status(cfn, target.stack_name) is None:
        print(f"stack {target.stack_name} does not exist; nothing to do")
        return
    stack = cfn.describe_stacks(StackName=target.stack_name)["Stacks"][0]
    by_key = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
    if by_key.get("WebBucketName"):
        count = empty_bucket(session.client("s3"), by_key["WebBucketName"])
        print(f"emptied web bucket {by_key['WebBucketName']} ({count} object versions)")
    printer = EventPrinter(cfn, stack["StackId"])
    printer.skip_existing()
    cfn.delete_stack(StackName=stack["StackId"])
    status = wait_for_stack(cfn, stack["StackId"], printer, poll_seconds)
    if status != "DELETE_COMPLETE":
        raise DeployError(f"stack {target.stack_name} ended in {status}")
    print(f"stack {target.stack_name}: deleted")
    retained = [by_key[k] for k in ("TableName", "UserPoolId") if by_key.get(k)]
    if retained:
        print(f"retained (DeletionPolicy Retain; delete by hand if you mean it): {retained}")


# ---------------------------------------------------------------- CLI


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--region",
            default=os.environ.get("AWS_REGION"),
            help="AWS region (default: AWS_REGION, then the profile's region)",
        )
        p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="build directory")

    pkg = sub.add_parser("package", help="build deployment.zip and sam.yaml")
    common(pkg)
    pkg.add_argument("--project", type=Path, default=ROOT, help=argparse.SUPPRESS)
    wheels = sub.add_parser("wheelhouse", help="download the Lambda package's wheels")
    wheels.add_argument("--dest", type=Path, default=ROOT / "build" / "wheelhouse")

    for name, help_text in (
        ("deploy", "upload and deploy via a change set"),
        ("destroy", "delete the stack (data stays)"),
    ):
        p = sub.add_parser(name, help=help_text)
        common(p)
        p.add_argument("--stage", default=os.environ.get("STAGE") or "prod")
        p.add_argument("--stack-name", default=os.environ.get("STACK_NAME") or None)
        p.add_argument("--poll-seconds", type=float, default=5.0)
    deploy_parser = sub.choices["deploy"]
    deploy_parser.add_argument("--outputs", type=Path, default=DEFAULT_OUTPUTS_FILE)
    deploy_parser.add_argument(
        "--artifact-bucket",
        default=os.environ.get("ARTIFACT_BUCKET"),
        help="default: todo-artifacts-<account>-<region>",
    )
    deploy_parser.add_argument(
        "--parameter",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a template parameter (repeatable)",
    )
    return parser


def main(
    argv: Sequence[str] | None = None, session_factory: Callable[..., Any] | None = None
) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "package":
            package(args.project, args.out, args.region or "us-east-1")
            return 0
        if args.command == "wheelhouse":
            download_wheelhouse(ROOT, args.dest)
            return 0
        if session_factory is None:
            import boto3

            session_factory = boto3.Session
        target = resolve_target(args.stage, args.stack_name, args.region)
        session = session_factory(region_name=target.region)
        region = session.region_name
        if not region:
            raise DeployError("no AWS region: set AWS_REGION or a region in your AWS profile")
        if args.command == "destroy":
            destroy(session, target, args.poll_seconds)
            return 0
        package_dir = args.out / "package"
        if not (package_dir / "sam.yaml").exists():
            raise DeployError(f"{package_dir} has no sam.yaml: run `make package-serverless`")
        parameters = parse_parameters(args.parameter, os.environ)
        account = session.client("sts").get_caller_identity()["Account"]
        bucket = args.artifact_bucket or f"todo-artifacts-{account}-{region}"
        s3 = session.client("s3")
        ensure_artifact_bucket(s3, bucket, region)
        template_url = upload_artifacts(s3, bucket, target.stack_name, package_dir, region)
        stack = deploy_stack(
            session.client("cloudformation"), target, template_url, parameters, args.poll_seconds
        )
        write_outputs(parse_outputs(stack, region), args.outputs)
        return 0
    except DeployError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
