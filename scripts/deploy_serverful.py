"""Apply or destroy the serverful stack's two Terraform roots; write the outputs file.

    python -m scripts.deploy_serverful apply --artifact build/serverful/app.zip
    python -m scripts.deploy_serverful destroy            (the app root; data and users stay)
    python -m scripts.deploy_serverful destroy-persistent --confirm <stack name>
    python -m scripts.deploy_serverful cli-config         (the Terraform CLI config only)

terraform/persistent (table, user pool) is applied first; terraform/app reads its
outputs from its state. Settings (environment) and state locations: docs/serverful.md.
`apply` writes .deploy/serverful-outputs.json for scripts/deploy_web.py, plus the
dashboard URL and the app log group for operators (docs/operations.md).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scripts.deploy_web import REQUIRED_OUTPUTS

ROOT = Path(__file__).resolve().parent.parent
TERRAFORM_DIR = ROOT / "terraform"
TF_WORK = ROOT / ".tf"
CLI_CONFIG = TF_WORK / "cli.tfrc"
DEPLOY_DIR = ROOT / ".deploy"
OUTPUTS_FILE = DEPLOY_DIR / "serverful-outputs.json"
DEFAULT_PLUGIN_MIRROR = "/opt/tf-plugins"
PERSISTENT, APP = "persistent", "app"

# The contract with scripts/deploy_web.py: its REQUIRED_OUTPUTS, all non-empty.
WEB_DEPLOY_KEYS = REQUIRED_OUTPUTS
# For operators: recorded beside them and printed after a deploy.
OPERATIONS_KEYS = ("dashboard_url", "log_group")

# Deploy settings (environment) -> Terraform variables, per root; unset means the default.
SETTING_VARIABLES = {
    PERSISTENT: {
        "SES_IDENTITY_ARN": "ses_identity_arn",
        "EMAIL_FROM": "email_from",
        "THREAT_PROTECTION": "threat_protection",
    },
    APP: {
        "AMI_ID": "ami_id",
        "PERMISSIONS_BOUNDARY_ARN": "permissions_boundary_arn",
        "ALARM_EMAIL": "alarm_email",
    },
}


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


@dataclass(frozen=True)
class Backend:
    """Where one root keeps its state: `local` (config path) or `s3` (bucket, key, region)."""

    kind: str
    config: dict[str, str]

    @classmethod
    def for_root(
        cls,
        settings: StackSettings,
        root: str,
        env: Mapping[str, str] = os.environ,
        state_dir: Path | None = None,
    ) -> Backend:
        bucket = env.get("TF_STATE_BUCKET")
        if not bucket:
            directory = state_dir or DEPLOY_DIR / "terraform" / settings.stack_name
            return cls("local", {"path": str(directory / f"{root}.tfstate")})
        return cls(
            "s3",
            {
                "bucket": bucket,
                "key": f"todo/{settings.stack_name}/{root}.tfstate",
                "region": env.get("TF_STATE_REGION") or settings.region,
            },
        )

    def init_flags(self) -> list[str]:
        extra = {"encrypt": "true", "use_lockfile": "true"} if self.kind == "s3" else {}
        return [f"-backend-config={k}={v}" for k, v in {**self.config, **extra}.items()]

    def as_variable(self) -> dict[str, Any]:
        """The app root's persistent_state variable: how to read this state."""
        return {"backend": self.kind, "config": self.config}


@dataclass
class Terraform:
    """terraform -chdir=<working_dir> with its own data dir and our CLI config."""

    data_dir: Path
    working_dir: Path
    # Extra environment; a None value removes the variable.
    env: Mapping[str, str | None] = field(default_factory=dict)

    @classmethod
    def for_root(cls, root: str, purpose: str, env: Mapping[str, str | None] = {}) -> Terraform:
        return cls(TF_WORK / purpose / root, TERRAFORM_DIR / root, env)

    def environment(self) -> dict[str, str]:
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
            env=self.environment(),
            stdout=subprocess.PIPE if capture else None,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise DeployError(f"terraform {args[0]} in {self.working_dir.name} failed")
        return result.stdout or ""

    def init(self, backend: Backend) -> None:
        """init with the backend: the root's own `local`, or S3 through an override file."""
        override = self.working_dir / "backend_override.tf"
        if backend.kind == "s3":
            override.write_text(
                "# Written by scripts/deploy_serverful.py because TF_STATE_BUCKET is set.\n"
                'terraform {\n  backend "s3" {}\n}\n'
            )
        else:
            override.unlink(missing_ok=True)
            Path(backend.config["path"]).parent.mkdir(parents=True, exist_ok=True)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.run("init", "-reconfigure", "-no-color", *backend.init_flags())

    def apply(self, variables: Mapping[str, Any]) -> None:
        self.run("apply", "-auto-approve", "-no-color", *var_flags(variables))

    def destroy(self, variables: Mapping[str, Any], refresh: bool = True) -> None:
        no_refresh = [] if refresh else ["-refresh=false"]
        self.run("destroy", "-auto-approve", "-no-color", *no_refresh, *var_flags(variables))

    def outputs(self) -> dict[str, Any]:
        raw = json.loads(self.run("output", "-json", capture=True))
        return {name: item["value"] for name, item in raw.items()}

    def state_addresses(self) -> list[str]:
        return self.run("state", "list", capture=True).split()


def var_flags(variables: Mapping[str, Any]) -> list[str]:
    return [
        f"-var={name}={value if isinstance(value, str) else json.dumps(value)}"
        for name, value in variables.items()
    ]


def root_variables(
    settings: StackSettings, root: str, env: Mapping[str, str] = os.environ
) -> dict[str, Any]:
    """Both roots' common variables plus the deploy settings that are set for this root."""
    names = SETTING_VARIABLES[root]
    chosen = {variable: env[setting] for setting, variable in names.items() if env.get(setting)}
    return {"name": settings.stack_name, "region": settings.region, **chosen}


def web_deploy_outputs(outputs: Mapping[str, Any]) -> dict[str, str]:
    missing = [key for key in WEB_DEPLOY_KEYS if not outputs.get(key)]
    if missing:
        raise DeployError(f"terraform outputs missing or empty: {', '.join(missing)}")
    return {key: str(outputs[key]) for key in WEB_DEPLOY_KEYS}


def recorded_outputs(outputs: Mapping[str, Any]) -> dict[str, str]:
    """What .deploy/serverful-outputs.json holds: the web deploy's keys and the operators'."""
    operations = {key: str(outputs[key]) for key in OPERATIONS_KEYS if outputs.get(key)}
    return {**web_deploy_outputs(outputs), **operations}


@dataclass
class Deployment:
    """The two roots of one stack, their states and their variables."""

    settings: StackSettings
    persistent: Terraform
    app: Terraform
    backends: dict[str, Backend]
    variables: dict[str, dict[str, Any]]

    @classmethod
    def from_environment(
        cls,
        env: Mapping[str, str] = os.environ,
        purpose: str = "deploy",
        terraform_env: Mapping[str, str | None] = {},
        state_dir: Path | None = None,
    ) -> Deployment:
        settings = StackSettings.from_environment(env)
        backends = {r: Backend.for_root(settings, r, env, state_dir) for r in (PERSISTENT, APP)}
        return cls(
            settings,
            Terraform.for_root(PERSISTENT, f"{purpose}/{settings.stack_name}", terraform_env),
            Terraform.for_root(APP, f"{purpose}/{settings.stack_name}", terraform_env),
            backends,
            {
                PERSISTENT: root_variables(settings, PERSISTENT, env),
                APP: {
                    **root_variables(settings, APP, env),
                    "stage": settings.stage,
                    "persistent_state": backends[PERSISTENT].as_variable(),
                },
            },
        )

    def apply(self, artifact: Path, outputs_file: Path = OUTPUTS_FILE) -> dict[str, Any]:
        """Persistent root, then the app root; writes the web deploy's outputs file."""
        self.apply_persistent()
        return self.apply_app(artifact, outputs_file)

    def apply_persistent(self) -> None:
        self.persistent.init(self.backends[PERSISTENT])
        self.persistent.apply(self.variables[PERSISTENT])

    def apply_app(self, artifact: Path, outputs_file: Path = OUTPUTS_FILE) -> dict[str, Any]:
        # A missing AMI_ID is refused by the compute module's precondition.
        if not artifact.is_file():
            raise DeployError(f"{artifact} not found: build it with `make artifact`")
        self.app.init(self.backends[APP])
        self.app.apply({**self.variables[APP], "artifact_path": str(artifact.resolve())})
        outputs = self.app.outputs()
        outputs_file.parent.mkdir(parents=True, exist_ok=True)
        outputs_file.write_text(json.dumps(recorded_outputs(outputs), indent=2) + "\n")
        print(f"wrote {outputs_file}")
        return outputs

    def destroy(self, refresh: bool = True) -> None:
        """`terraform destroy` of the app root; the persistent root is not touched."""
        self.app.init(self.backends[APP])
        self.app.destroy(self.variables[APP], refresh)

    def destroy_persistent(self, confirm: str) -> None:
        """Delete the table and the user pool on purpose: protection off, then destroy."""
        if confirm != self.settings.stack_name:
            raise DeployError(
                f"this deletes every user and todo of {self.settings.stack_name}: "
                f"pass --confirm {self.settings.stack_name}"
            )
        self.persistent.init(self.backends[PERSISTENT])
        unprotected = {**self.variables[PERSISTENT], "deletion_protection": False}
        self.persistent.apply(unprotected)
        self.persistent.destroy(unprotected)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    apply_parser = sub.add_parser("apply", help="apply both roots and write the outputs file")
    apply_parser.add_argument("--artifact", type=Path, default=ROOT / "build/serverful/app.zip")
    sub.add_parser("destroy", help="destroy the app root (the table and the users stay)")
    persistent_parser = sub.add_parser(
        "destroy-persistent", help="delete the table and the user pool (every user's data)"
    )
    persistent_parser.add_argument("--confirm", required=True, metavar="STACK_NAME")
    sub.add_parser("cli-config", help="write the Terraform CLI config (provider mirror)")
    args = parser.parse_args(argv)

    if args.command == "cli-config":
        print(write_cli_config())
        return 0
    deployment = Deployment.from_environment()
    try:
        if args.command == "apply":
            outputs = deployment.apply(args.artifact)
            print(f"API: {outputs['api_url']}\nWeb: {outputs['web_url']}")
            print(f"Dashboard: {outputs['dashboard_url']}\nLogs: {outputs['log_group']}")
        elif args.command == "destroy":
            deployment.destroy()
        else:
            deployment.destroy_persistent(args.confirm)
    except DeployError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
