"""Package, deploy and destroy the serverless stack (Chalice -> SAM -> CloudFormation).

    python -m scripts.deploy_serverless package [--out build/serverless]
    python -m scripts.deploy_serverless deploy  [--stage prod] [--stack-name S] [--region R]
    python -m scripts.deploy_serverless destroy [--stage prod] [--stack-name S] [--region R]

`package` is this project's own step (an offline-vendored zip of ~0.1 MB); deploying
and deleting are `sam deploy` / `sam delete` (.venv-sam, `make sam-install`). Around
them: the artifact bucket's owner check, the stack policy that protects the data,
.deploy/serverless-outputs.json, and emptying the web bucket before a delete.
Credentials come from the standard AWS chain. See docs/serverless.md.
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
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scripts.shared_rules import STACK_NAME_PATTERN

ROOT = Path(__file__).resolve().parent.parent
MERGE_TEMPLATE = ROOT / "serverless" / "merge.yaml"
ACCOUNT_TEMPLATE = ROOT / "serverless" / "account.yaml"
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


class DeployError(RuntimeError):
    """A deployment step failed; the message says what to do."""


Runner = Callable[[Sequence[str]], None]  # runs a command, DeployError if it fails


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


LOCK_FILE = "requirements-lambda.txt"
LOCK_HEADER = (
    "# What the Lambda package vendors: the lines of requirements.txt that Lambda does not\n"
    "# provide, each with the hash of its wheel for the Lambda platform, installed with\n"
    "# --require-hashes. Generated by `make lambda-lock` from requirements.txt; do not edit.\n"
)


def write_lock(project: Path) -> None:
    """Pin the hashes of the wheels the Lambda package installs (`make lambda-lock`)."""
    import tempfile

    wanted = lambda_requirements((project / "requirements.txt").read_text())
    by_name = {requirement_name(line): line for line in wanted}
    entries = []
    with tempfile.TemporaryDirectory() as downloads:
        if wanted:
            run([sys.executable, "-m", "pip", "download", "--quiet", *pip_lambda_args(),
                 "--dest", downloads, *wanted])  # fmt: skip
        for wheel in sorted(Path(downloads).glob("*.whl")):
            line = by_name[normalize(wheel.name.split("-")[0])]
            digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
            entries.append(f"{line} \\\n    --hash=sha256:{digest}\n")
    (project / LOCK_FILE).write_text(LOCK_HEADER + "".join(entries))
    print(f"{LOCK_FILE}: {', '.join(wanted) or 'nothing to vendor'}")


def locked_requirements(project: Path) -> Path | None:
    """The lock file, checked to pin exactly what requirements.txt asks of the package."""
    wanted = lambda_requirements((project / "requirements.txt").read_text())
    lock = project / LOCK_FILE
    text = lock.read_text() if lock.exists() else ""
    locked = re.findall(r"^([A-Za-z0-9][^\s\\]*)", text, re.MULTILINE)
    if sorted(locked) != sorted(wanted):
        raise DeployError(f"{LOCK_FILE} does not match requirements.txt: run `make lambda-lock`")
    return lock if wanted else None


def download_wheelhouse(project: Path, dest: Path) -> None:
    """Fetch the Lambda package's wheels once, so packaging can run offline."""
    lock = locked_requirements(project)
    dest.mkdir(parents=True, exist_ok=True)
    if lock:
        run([sys.executable, "-m", "pip", "download", "--quiet", *pip_lambda_args(),
             "--require-hashes", "--dest", str(dest), "-r", str(lock)])  # fmt: skip
    print(f"wheelhouse {dest}: {lock or 'nothing to fetch'}")


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
    lock = locked_requirements(project)
    if lock:
        vendor = stage_dir / "vendor"
        # Honours PIP_NO_INDEX / PIP_FIND_LINKS, so it runs offline from a wheelhouse.
        run([sys.executable, "-m", "pip", "install", "--quiet", *pip_lambda_args(),
             "--require-hashes", "--target", str(vendor), "-r", str(lock)])  # fmt: skip
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
    if not re.fullmatch(STACK_NAME_PATTERN, stack_name):
        raise DeployError(f"STACK_NAME must match {STACK_NAME_PATTERN}: {stack_name!r}")
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
    "PERMISSIONS_BOUNDARY_ARN": "PermissionsBoundaryArn",
    "ENABLE_WAF": "EnableWaf",
    "ENABLE_THREAT_PROTECTION": "EnableThreatProtection",
    "ALARM_EMAIL": "AlarmEmail",
}


def parse_parameters(
    pairs: Iterable[str], env: Mapping[str, str] | None = None, stage: str = "prod"
) -> dict[str, str]:
    """--parameter KEY=VALUE pairs, then the settings in `env` they do not override.

    WAF costs a monthly fee: it is on for the `prod` stage unless ENABLE_WAF says
    otherwise, and off for other stages unless asked for.
    """
    parameters: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise DeployError(f"--parameter takes KEY=VALUE, got {pair!r}")
        parameters[key] = value
    for setting, key in ENVIRONMENT_PARAMETERS.items():
        if env and env.get(setting) and key not in parameters:
            parameters[key] = env[setting]
    parameters.setdefault("EnableWaf", "true" if stage == "prod" else "false")
    return parameters


def parameter_overrides(parameters: Mapping[str, str]) -> list[str]:
    """`sam deploy --parameter-overrides` items: KEY="VALUE" (values may hold spaces)."""
    items = []
    for key, value in parameters.items():
        if '"' in value or "\\" in value:
            raise DeployError(f"parameter {key} may not contain a double quote or a backslash")
        items.append(f'{key}="{value}"')
    return items


def sam_executable() -> str:
    sam = os.environ.get("SAM") or str(ROOT / ".venv-sam" / "bin" / "sam")
    if not Path(sam).exists():
        raise DeployError(f"{sam} not found: run `make sam-install` (or set SAM to a sam CLI)")
    return sam


def sam_deploy_command(
    sam: str,
    target: Target,
    region: str,
    template: Path,
    parameters: Mapping[str, str],
    artifact_bucket: str | None,
) -> list[str]:
    """The `sam deploy` of the packaged template: change set, wait, events, rollback."""
    command = [
        sam, "deploy",
        "--template-file", str(template),
        "--stack-name", target.stack_name,
        "--region", region,
        "--capabilities", "CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND",
        "--no-fail-on-empty-changeset",
        "--no-confirm-changeset",
        "--on-failure", "ROLLBACK",
        # CloudFormation copies these to every resource; the CI deploy role may
        # change only resources tagged Stack=<stack name> (docs/ci.md).
        "--tags", "app=todo", f"stage={target.stage}", f"Stack={target.stack_name}",
    ]  # fmt: skip
    if artifact_bucket:
        command += [
            "--s3-bucket",
            artifact_bucket,
            "--s3-prefix",
            f"serverless/{target.stack_name}",
        ]
    else:
        # SAM's own bucket, created once per account and region by its own stack.
        command += ["--resolve-s3"]
    if parameters:
        command += ["--parameter-overrides", *parameter_overrides(parameters)]
    return command


def check_bucket_owner(s3: Any, bucket: str, account: str) -> None:
    """A bucket named by the caller must be this account's: a predictable name can
    be squatted by another account, which would then receive the code."""
    try:
        s3.head_bucket(Bucket=bucket, ExpectedBucketOwner=account)
    except s3.exceptions.ClientError as error:
        code = error.response["Error"]["Code"]
        raise DeployError(
            f"artifact bucket {bucket} is not usable by account {account} ({code}): "
            "it must exist and belong to this account"
        ) from error


STACK_POLICY = ROOT / "serverless" / "stack-policy.json"


def protect_data(cfn: Any, stack_name: str) -> None:
    """Apply serverless/stack-policy.json: no update may replace or delete the
    table or the user pool (`sam deploy` has no stack-policy option)."""
    cfn.set_stack_policy(StackName=stack_name, StackPolicyBody=STACK_POLICY.read_text())


def check_api_logging_role(apigateway: Any) -> None:
    """The stage's access logs need the account's API Gateway logging role, which
    serverless/account.yaml sets once per account and region (not this stack: it
    is shared by every API in the account)."""
    if not apigateway.get_account().get("cloudwatchRoleArn"):
        raise DeployError(
            "API Gateway has no CloudWatch logging role in this account and region, so the "
            "stage's access logs cannot be written: run `make deploy-serverless-account` once"
        )


def describe_stack(cfn: Any, stack_name: str) -> dict[str, Any] | None:
    try:
        stacks = cfn.describe_stacks(StackName=stack_name)["Stacks"]
    except cfn.exceptions.ClientError as error:
        if "does not exist" in str(error):
            return None
        raise
    return dict(stacks[0]) if stacks else None


def write_outputs(outputs: Mapping[str, str], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(outputs, indent=2) + "\n")
    print(f"outputs: {path}")
    for key, value in outputs.items():
        print(f"  {key:<20} {value}")


def empty_bucket(s3: Any, bucket: str, account: str) -> int:
    """Delete every object version and delete marker (a versioned bucket)."""
    deleted = 0
    paginator = s3.get_paginator("list_object_versions")
    try:
        for page in paginator.paginate(Bucket=bucket, ExpectedBucketOwner=account):
            keys = [
                {"Key": v["Key"], "VersionId": v["VersionId"]}
                for v in page.get("Versions", []) + page.get("DeleteMarkers", [])
            ]
            if keys:
                s3.delete_objects(
                    Bucket=bucket,
                    Delete={"Objects": keys, "Quiet": True},
                    ExpectedBucketOwner=account,
                )
                deleted += len(keys)
    except s3.exceptions.NoSuchBucket:
        return 0
    return deleted


def deploy(session: Any, target: Target, args: argparse.Namespace, run_sam: Runner) -> None:
    package_dir = args.out / "package"
    if not (package_dir / "sam.yaml").exists():
        raise DeployError(f"{package_dir} has no sam.yaml: run `make package-serverless`")
    sam = sam_executable()
    region = session.region_name
    check_api_logging_role(session.client("apigateway"))
    if args.artifact_bucket:
        account = session.client("sts").get_caller_identity()["Account"]
        check_bucket_owner(session.client("s3"), args.artifact_bucket, account)
    parameters = parse_parameters(args.parameter, os.environ, target.stage)
    command = sam_deploy_command(
        sam, target, region, package_dir / "sam.yaml", parameters, args.artifact_bucket
    )
    run_sam(command)
    cfn = session.client("cloudformation")
    protect_data(cfn, target.stack_name)
    stack = describe_stack(cfn, target.stack_name)
    if stack is None:
        raise DeployError(f"stack {target.stack_name} is not there after `sam deploy`")
    write_outputs(parse_outputs(stack, region), args.outputs)


def destroy(session: Any, target: Target, run_sam: Runner) -> None:
    cfn = session.client("cloudformation")
    stack = describe_stack(cfn, target.stack_name)
    if stack is None:
        print(f"stack {target.stack_name} does not exist; nothing to do")
        return
    by_key = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
    if by_key.get("WebBucketName"):
        account = session.client("sts").get_caller_identity()["Account"]
        count = empty_bucket(session.client("s3"), by_key["WebBucketName"], account)
        print(f"emptied web bucket {by_key['WebBucketName']} ({count} object versions)")
    run_sam(
        [sam_executable(), "delete", "--stack-name", target.stack_name,
         "--region", session.region_name, "--no-prompts"]
    )  # fmt: skip
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
    lock = sub.add_parser("lock", help=f"write {LOCK_FILE} (hash-pinned) from requirements.txt")
    lock.add_argument("--project", type=Path, default=ROOT, help=argparse.SUPPRESS)
    wheels = sub.add_parser("wheelhouse", help="download the Lambda package's wheels")
    wheels.add_argument("--dest", type=Path, default=ROOT / "build" / "wheelhouse")

    for name, help_text in (
        ("deploy", "sam deploy the packaged template"),
        ("destroy", "sam delete the stack (data stays)"),
    ):
        p = sub.add_parser(name, help=help_text)
        common(p)
        p.add_argument("--stage", default=os.environ.get("STAGE") or "prod")
        p.add_argument("--stack-name", default=os.environ.get("STACK_NAME") or None)
    deploy_parser = sub.choices["deploy"]
    deploy_parser.add_argument("--outputs", type=Path, default=DEFAULT_OUTPUTS_FILE)
    deploy_parser.add_argument(
        "--artifact-bucket",
        default=os.environ.get("ARTIFACT_BUCKET") or None,
        help="this account's bucket for the code (default: SAM's own, --resolve-s3)",
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
    argv: Sequence[str] | None = None,
    session_factory: Callable[..., Any] | None = None,
    run_sam: Runner = run,
) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "package":
            package(args.project, args.out, args.region or "us-east-1")
            return 0
        if args.command == "lock":
            write_lock(args.project)
            return 0
        if args.command == "wheelhouse":
            download_wheelhouse(ROOT, args.dest)
            return 0
        if session_factory is None:
            import boto3

            session_factory = boto3.Session
        target = resolve_target(args.stage, args.stack_name, args.region)
        session = session_factory(region_name=target.region)
        if not session.region_name:
            raise DeployError("no AWS region: set AWS_REGION or a region in your AWS profile")
        if args.command == "destroy":
            destroy(session, target, run_sam)
        else:
            deploy(session, target, args, run_sam)
        return 0
    except DeployError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
