"""Apply or destroy the serverful stack (terraform/) and record its outputs.

    deploy_serverful.py apply --artifact build/serverful/app.zip
    deploy_serverful.py destroy
    deploy_serverful.py cli-config        (writes the Terraform CLI config only)

Settings (environment): STAGE (prod), STACK_NAME (todo-<stage>), AWS_REGION (us-east-1),
SES_IDENTITY_ARN and EMAIL_FROM (Cognito's emails through SES), ALARM_EMAIL (the
alarm topic's email subscription), the standard AWS
credential chain, TF_PLUGIN_MIRROR (/opt/tf-plugins: providers come from there when it
exists, else from the registry), and for remote state TF_STATE_BUCKET (+ optional
TF_STATE_REGION, TF_STATE_KEY): the S3 backend with S3-native locking. Without
TF_STATE_BUCKET the state is local, in .deploy/terraform/<stack>.tfstate.

`apply` writes .deploy/serverful-outputs.json = {region, api_url, web_url,
user_pool_id, user_pool_client_id, web_bucket, distribution_id}, which
scripts/deploy_web.py consumes, plus {dashboard_url, log_group} for operators
(`make logs`). `destroy` keeps the DynamoDB table and the Cognito
user pool (they are retained by design) and removes everything else.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.deploy_web import REQUIRED_OUTPUTS  # noqa: E402 - needs the repo root on sys.path

TERRAFORM_DIR = ROOT / "terraform"
TF_WORK = ROOT / ".tf"
CLI_CONFIG = TF_WORK / "cli.tfrc"
DEPLOY_DIR = ROOT / ".deploy"
OUTPUTS_FILE = DEPLOY_DIR / "serverful-outputs.json"
DEFAULT_PLUGIN_MIRROR = "/opt/tf-plugins"
BACKEND_OVERRIDE = TERRAFORM_DIR / "backend_override.tf"

# The contract with scripts/deploy_web.py: its REQUIRED_OUTPUTS, all non-empty.
WEB_DEPLOY_KEYS = REQUIRED_OUTPUTS

# For operators: printed after a deploy, and `make logs` reads the log group.
OPERATIONS_KEYS = ("dashboard_url", "log_group")

# Kept when the stack is destroyed (prevent_destroy + deletion protection): the data
# and the users. `destroy` takes them out of the state first, so Terraform leaves them.
RETAINED_ADDRESSES = (
    "module.data.aws_dynamodb_table.this",
    "module.auth.aws_cognito_user_pool_client.web",
    "module.auth.aws_cognito_user_pool.this",
)


class DeployError(RuntimeError):
    """A step failed; the message says which and how to fix it."""


def write_cli_config(mirror: str | None = None) -> Path:
    """Terraform CLI config: hashicorp providers from the local mirror when it exists."""
    mirror = mirror or os.environ.get("TF_PLUGIN_MIRROR") or DEFAULT_PLUGIN_MIRROR
    if Path(mirror).is_dir():
        text = (
            "provider_installation {\n"
            "  filesystem_mirror {\n"
            f'    path    = "{mirror}"\n'
            '    include = ["registry.terraform.io/hashicorp/*"]\n'
            "  }\n"
            "  direct {\n"
            '    exclude = ["registry.terraform.io/hashicorp/*"]\n'
            "  }\n"
            "}\n"
        )
    else:
        text = f"# no provider mirror at {mirror}: providers come from the registry\n"
    TF_WORK.mkdir(parents=True, exist_ok=True)
    if not CLI_CONFIG.exists() or CLI_CONFIG.read_text() != text:
        CLI_CONFIG.write_text(text)
    return CLI_CONFIG


@dataclass
class Terraform:
    """terraform -chdir=<working_dir> with its own data dir and our CLI config."""

    data_dir: Path
    working_dir: Path = TERRAFORM_DIR
    # Extra environment; a None value removes the variable.
    env: Mapping[str, str | None] = field(default_factory=dict)

    def _environment(self) -> dict[str, str]:
        if shutil.which("terraform") is None:
            raise DeployError(
                "terraform not found: install Terraform >= 1.5 "
                "(https://developer.hashicorp.com/terraform/install)"
            )
        merged: dict[str, str | None] = {
            **os.environ,
            "TF_CLI_CONFIG_FILE": str(write_cli_config()),
            "TF_DATA_DIR": str(self.data_dir),
            "TF_IN_AUTOMATION": "1",
            "TF_INPUT": "0",
            **self.env,
        }
        return {name: value for name, value in merged.items() if value is not None}

    def run(self, *args: str, capture: bool = False) -> str:
        command = ["terraform", f"-chdir={self.working_dir}", *args]
        print("+ " + " ".join(command), file=sys.stderr, flush=True)
        result = subprocess.run(
            command,
            env=self._environment(),
            stdout=subprocess.PIPE if capture else None,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise DeployError(f"terraform {args[0]} failed (exit {result.returncode})")
        return result.stdout or ""

    def init(self, backend_config: Sequence[str]) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        flags = [f"-backend-config={item}" for item in backend_config]
        self.run("init", "-reconfigure", "-no-color", *flags)

    def outputs(self) -> dict[str, Any]:
        raw = json.loads(self.run("output", "-json", capture=True))
        return {name: item["value"] for name, item in raw.items()}

    def state_addresses(self) -> list[str]:
        result = subprocess.run(
            ["terraform", f"-chdir={self.working_dir}", "state", "list"],
            env=self._environment(),
            capture_output=True,
            text=True,
            check=False,
        )
        # No state yet (never applied) lists nothing.
        return result.stdout.split() if result.returncode == 0 else []


@dataclass(frozen=True)
class StackSettings:
    stage: str
    stack_name: str
    region: str

    @classmethod
    def from_environment(cls, env: Mapping[str, str] = os.environ) -> StackSettings:
        stage = env.get("STAGE") or "prod"
        return cls(
            stage=stage,
            stack_name=env.get("STACK_NAME") or f"todo-{stage}",
            region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1",
        )


def backend_settings(settings: StackSettings, env: Mapping[str, str] = os.environ) -> list[str]:
    """-backend-config values: local state by default, S3 when TF_STATE_BUCKET is set."""
    bucket = env.get("TF_STATE_BUCKET")
    if not bucket:
        return local_backend(DEPLOY_DIR / "terraform" / f"{settings.stack_name}.tfstate")
    # An override file replaces the root's `backend "local" {}` (it is git-ignored).
    BACKEND_OVERRIDE.write_text(
        "# Written by scripts/deploy_serverful.py because TF_STATE_BUCKET is set.\n"
        'terraform {\n  backend "s3" {}\n}\n'
    )
    key = env.get("TF_STATE_KEY") or f"todo/{settings.stack_name}/serverful.tfstate"
    return [
        f"bucket={bucket}",
        f"key={key}",
        f"region={env.get('TF_STATE_REGION') or settings.region}",
        "encrypt=true",
        "use_lockfile=true",
    ]


def local_backend(state_file: Path) -> list[str]:
    """-backend-config for local state in state_file (and no S3 override left behind)."""
    BACKEND_OVERRIDE.unlink(missing_ok=True)
    state_file.parent.mkdir(parents=True, exist_ok=True)
    return [f"path={state_file}"]


def stack_variables(settings: StackSettings, artifact: Path, extra: Mapping[str, Any]) -> list[str]:
    values: dict[str, Any] = {
        "name": settings.stack_name,
        "region": settings.region,
        "artifact_path": str(artifact.resolve()),
        **extra,
    }
    flags = []
    for name, value in values.items():
        rendered = value if isinstance(value, str) else json.dumps(value)
        flags.append(f"-var={name}={rendered}")
    return flags


def email_variables(env: Mapping[str, str] = os.environ) -> dict[str, str]:
    """Cognito's SES sender from the deploy settings SES_IDENTITY_ARN and EMAIL_FROM."""
    names = {"SES_IDENTITY_ARN": "ses_identity_arn", "EMAIL_FROM": "email_from"}
    return {variable: env[setting] for setting, variable in names.items() if env.get(setting)}


def alarm_variables(env: Mapping[str, str] = os.environ) -> dict[str, str]:
    """The alarm topic's email subscription from the deploy setting ALARM_EMAIL."""
    return {"alarm_email": env["ALARM_EMAIL"]} if env.get("ALARM_EMAIL") else {}


def web_deploy_outputs(outputs: Mapping[str, Any]) -> dict[str, str]:
    missing = [key for key in WEB_DEPLOY_KEYS if not outputs.get(key)]
    if missing:
        raise DeployError(f"terraform outputs missing or empty: {', '.join(missing)}")
    return {key: str(outputs[key]) for key in WEB_DEPLOY_KEYS}


def apply(
    terraform: Terraform,
    settings: StackSettings,
    artifact: Path,
    backend_config: Sequence[str],
    extra_variables: Mapping[str, Any] | None = None,
    outputs_file: Path = OUTPUTS_FILE,
) -> dict[str, Any]:
    if not artifact.is_file():
        raise DeployError(f"{artifact} not found: build it with `make artifact`")
    terraform.init(backend_config)
    variables = stack_variables(settings, artifact, extra_variables or {})
    terraform.run("apply", "-auto-approve", "-no-color", *variables)
    outputs = terraform.outputs()
    outputs_file.parent.mkdir(parents=True, exist_ok=True)
    recorded = {
        **web_deploy_outputs(outputs),
        **{key: str(outputs[key]) for key in OPERATIONS_KEYS if outputs.get(key)},
    }
    outputs_file.write_text(json.dumps(recorded, indent=2) + "\n")
    print(f"wrote {outputs_file}")
    return outputs


def placeholder_artifact(directory: Path) -> Path:
    """destroy plans read artifact_path too; any zip will do when the real one is gone."""
    path = directory / "placeholder.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("README", "placeholder: the stack is being destroyed\n")
    return path


def destroy(
    terraform: Terraform,
    settings: StackSettings,
    backend_config: Sequence[str],
    artifact: Path | None = None,
    extra_variables: Mapping[str, Any] | None = None,
    refresh: bool = True,
    backup_dir: Path = DEPLOY_DIR / "terraform",
) -> list[str]:
    """Destroy everything except the retained table and user pool; returns what was kept."""
    terraform.init(backend_config)
    in_state = set(terraform.state_addresses())
    kept = [address for address in RETAINED_ADDRESSES if address in in_state]
    retained: dict[str, Any] = {}
    if kept:
        retained = {
            k: v for k, v in terraform.outputs().items() if k in ("table_name", "user_pool_id")
        }
        # The state as it was, with the retained resources in it, kept beside the state.
        backup_dir.mkdir(parents=True, exist_ok=True)
        backup = backup_dir / f"{settings.stack_name}.before-destroy.tfstate.backup"
        terraform.run("state", "rm", f"-backup={backup}", *kept)
    with tempfile.TemporaryDirectory() as scratch:
        if artifact is None or not artifact.is_file():
            artifact = placeholder_artifact(Path(scratch))
        variables = stack_variables(settings, artifact, extra_variables or {})
        refresh_flag = [] if refresh else ["-refresh=false"]
        terraform.run("destroy", "-auto-approve", "-no-color", *refresh_flag, *variables)
    if retained:
        print(
            "Retained (delete them by hand, or `terraform import` them to reuse them): "
            + ", ".join(f"{key}={value}" for key, value in retained.items())
        )
    return kept


def print_urls(outputs: Mapping[str, Any]) -> None:
    print(f"API: {outputs['api_url']}")
    print(f"Web: {outputs['web_url']}")
    if outputs.get("dashboard_url"):
        print(f"Dashboard: {outputs['dashboard_url']}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Deploy or destroy the serverful stack.")
    sub = parser.add_subparsers(dest="command", required=True)
    apply_parser = sub.add_parser("apply", help="terraform apply and write the outputs file")
    apply_parser.add_argument("--artifact", type=Path, default=ROOT / "build/serverful/app.zip")
    destroy_parser = sub.add_parser("destroy", help="terraform destroy (table and pool kept)")
    destroy_parser.add_argument("--artifact", type=Path, default=ROOT / "build/serverful/app.zip")
    sub.add_parser("cli-config", help="write the Terraform CLI config (provider mirror)")
    args = parser.parse_args(argv)

    if args.command == "cli-config":
        print(write_cli_config())
        return 0
    settings = StackSettings.from_environment()
    terraform = Terraform(data_dir=TF_WORK / "deploy" / settings.stack_name)
    try:
        backend = backend_settings(settings)
        if args.command == "apply":
            variables = {**email_variables(), **alarm_variables()}
            print_urls(apply(terraform, settings, args.artifact, backend, variables))
        else:
            destroy(terraform, settings, backend, artifact=args.artifact)
    except DeployError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
