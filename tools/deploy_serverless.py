"""Package, deploy and destroy the serverless stack (Chalice -> SAM -> CloudFormation).

`wheelhouse` and `package` build a hash-locked, offline-vendored zip (~0.1 MB) from
requirements-lambda.txt (generated from uv.lock by `make lock`, tools/locks.py);
`deploy` applies the foundation (infra/foundation: table, user pool, front door, WAF,
alarm topic; docs/foundation.md), runs `sam deploy` (`make sam-install`) of the compute
stack with the foundation's outputs as parameters and the artifact bucket's owner
check, points the front door at it and writes the outputs file; `destroy` runs
`sam delete`. docs/serverless.md.
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
from typing import Any, Protocol

import boto3

from tools import locks
from tools.deploy_serverful import KEEP, Deployment
from tools.locks import RUNTIME_PROVIDED
from tools.shared_rules import STACK_NAME_PATTERN
from tools.wheels import PYTHON_VERSION, DeployError, locked, normalize, pip, run

ROOT = Path(__file__).resolve().parent.parent
MERGE_TEMPLATE = ROOT / "infra" / "serverless" / "merge.yaml"

LAMBDA_PLATFORMS = ("manylinux2014_x86_64",)
MAX_PACKAGE_BYTES = 1_000_000
LOCK_FILE = "requirements-lambda.txt"

# The compute stack's outputs, by the names tools/deploy_web.py and CI read them.
OUTPUT_KEYS = {
    "ApiUrl": "api_url",
    "ApiOriginDomain": "api_origin_domain",
    "DashboardUrl": "dashboard_url",
    "AppLogGroup": "log_group",
}
# What the outputs file takes from the foundation (infra/foundation/outputs.tf).
FOUNDATION_OUTPUTS = (
    "region", "web_url", "user_pool_id", "user_pool_client_id", "web_bucket", "distribution_id",
)  # fmt: skip
# The template's parameters that are the foundation's outputs (tests/infra/serverless check
# both ends: merge.yaml's parameters and infra/foundation/outputs.tf).
FOUNDATION_PARAMETERS = {
    "TableName": "table_name",
    "TableArn": "table_arn",
    "UserPoolId": "user_pool_id",
    "UserPoolArn": "user_pool_arn",
    "UserPoolClientId": "user_pool_client_id",
    "AlarmTopicArn": "alarm_topic_arn",
    "FrontDoorUrl": "web_url",
}
# The REST API's stage: the front door's origin path for this architecture.
STAGE_PATH = "/api"
# Template parameters that deploy settings in the environment set (the same names
# as for the serverful path), so `make deploy-serverless` and CI can pass them. The
# foundation's settings (SES, threat protection, WAF, alarm email) go to terraform.
ENVIRONMENT_PARAMETERS = {
    "PERMISSIONS_BOUNDARY_ARN": "PermissionsBoundaryArn",
}

Runner = Callable[[Sequence[str]], None]  # runs a command, DeployError if it fails


class Foundation(Protocol):
    """The foundation's steps this path uses (tools.deploy_serverful.Deployment)."""

    def apply_foundation(self, backend: Mapping[str, str] | str | None = KEEP) -> dict[str, Any]:
        """Apply it; `backend` moves the front door, by default it stays."""

    def outputs(self, root: str) -> dict[str, Any]:
        """A root's outputs."""


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
    shutil.copytree(project / "api" / "chalicelib", stage_dir / "chalicelib", ignore=ignore)
    for name in ("app.py", ".chalice/config.json", ".chalice/policy-prod.json"):
        (stage_dir / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(project / "api" / name, stage_dir / name)
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


def parse_outputs(stack: Mapping[str, Any], foundation: Mapping[str, Any]) -> dict[str, str]:
    """The stack's and the foundation's outputs under the names
    .deploy/<architecture>-outputs.json uses."""
    by_key = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
    missing = [key for key in OUTPUT_KEYS if not by_key.get(key)]
    missing += [f"foundation {key}" for key in FOUNDATION_OUTPUTS if not foundation.get(key)]
    if missing:
        raise DeployError(f"stack {stack.get('StackName')} lacks outputs: {', '.join(missing)}")
    return {key: str(foundation[key]) for key in FOUNDATION_OUTPUTS} | {
        name: by_key[key].rstrip("/") for key, name in OUTPUT_KEYS.items()
    }


def api_origin(outputs: Mapping[str, str]) -> dict[str, str]:
    """The foundation's `backend` for this path: the REST API's stage."""
    return {
        "architecture": "serverless",
        "domain_name": outputs["api_origin_domain"],
        "origin_path": STAGE_PATH,
    }


def foundation_parameters(foundation: Mapping[str, Any]) -> dict[str, str]:
    """The template's foundation parameters from the foundation's outputs."""
    if missing := [o for o in FOUNDATION_PARAMETERS.values() if not foundation.get(o)]:
        raise DeployError(f"the foundation lacks outputs: {', '.join(missing)}")
    return {key: str(foundation[output]) for key, output in FOUNDATION_PARAMETERS.items()}


def parse_parameters(pairs: Iterable[str], env: Mapping[str, str] | None = None) -> dict[str, str]:
    """--parameter KEY=VALUE pairs, then the settings in `env` they do not override."""
    parameters = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise DeployError(f"--parameter takes KEY=VALUE, got {pair!r}")
        parameters[key] = value
    for setting, key in ENVIRONMENT_PARAMETERS.items():
        if env and env.get(setting) and key not in parameters:
            parameters[key] = env[setting]
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


def preflight(session: Any, args: argparse.Namespace) -> None:
    """What `sam deploy` needs before anything is applied: the package, the account's
    API Gateway logging role."""
    template = args.out / "package" / "sam.yaml"
    if not template.exists():
        raise DeployError(f"{template.parent} has no sam.yaml: run `make package-serverless`")
    # The stage's access logs need the account's API Gateway logging role, which
    # infra/serverless/account.yaml sets once per account and region (every API shares it).
    if not session.client("apigateway").get_account().get("cloudwatchRoleArn"):
        raise DeployError(
            "API Gateway has no CloudWatch logging role in this account and region, so the "
            "stage's access logs cannot be written: run `make deploy-serverless-account` once"
        )


def deploy_compute(
    session: Any, args: argparse.Namespace, run_sam: Runner, foundation: Mapping[str, Any]
) -> dict[str, str]:
    """`sam deploy` of the compute stack onto the foundation; returns the outputs."""
    template = args.out / "package" / "sam.yaml"
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
    parameters = foundation_parameters(foundation) | parse_parameters(args.parameter, os.environ)
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
    stack = session.client("cloudformation").describe_stacks(StackName=args.stack)["Stacks"][0]
    outputs = parse_outputs(stack, foundation)
    args.outputs.parent.mkdir(parents=True, exist_ok=True)
    args.outputs.write_text(json.dumps(outputs, indent=2) + "\n")
    print(f"outputs: {args.outputs}\n{json.dumps(outputs, indent=2)}")
    return outputs


def deploy(session: Any, args: argparse.Namespace, run_sam: Runner, foundation: Foundation) -> None:
    """`make deploy-serverless`: the foundation, this compute path, then the front door
    pointed at it (`make switch` runs the same steps with checks between them)."""
    preflight(session, args)
    outputs = deploy_compute(session, args, run_sam, foundation.apply_foundation())
    foundation.apply_foundation(api_origin(outputs))


def destroy(
    session: Any, args: argparse.Namespace, run_sam: Runner, foundation: Foundation
) -> None:
    """`make destroy-serverless`: the compute stack only; the foundation stays."""
    if describe_stack(session.client("cloudformation"), args.stack) is None:
        print(f"stack {args.stack} does not exist; nothing to do")
        return
    if (foundation.outputs("persistent").get("backend") or {}).get("architecture") == "serverless":
        raise DeployError(
            "the front door routes the API to the serverless path: switch to the other "
            "architecture first (make switch ARCHITECTURE=serverful)"
        )
    run_sam([args.sam, "delete", "--stack-name", args.stack, "--region", session.region_name,
             "--no-prompts"])  # fmt: skip


def main(
    argv: Sequence[str] | None = None,
    session_factory: Callable[..., Any] | None = None,
    run_sam: Runner = run,
    foundation: Foundation | None = None,
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
    sub.add_parser("destroy", parents=[stack], help="sam delete the compute stack only")
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
        foundation = foundation or Deployment.from_environment()
        (destroy if args.command == "destroy" else deploy)(session, args, run_sam, foundation)


if __name__ == "__main__":
    main()
