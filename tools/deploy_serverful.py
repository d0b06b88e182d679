"""Apply or destroy the foundation and the EC2 compute path, and write the outputs file.

infra/foundation is the foundation both architectures share (table, user pool, front
door, WAF, alarm topic: docs/foundation.md); infra/serverful, the EC2 path, reads its
outputs from its state. Each root gets its variables as a JSON -var-file and its state
location as -backend-config (settings and state locations: docs/serverful.md). `apply`
writes .deploy/serverful-outputs.json for tools/deploy_web.py and for operators.
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

from tools.deploy_web import REQUIRED_OUTPUTS
from tools.wheels import DeployError

ROOT = Path(__file__).resolve().parent.parent
TERRAFORM_DIR = ROOT / "infra"
# Each root's folder under TERRAFORM_DIR. The names are the roots' own (their state
# keys, `todo/<stack>/<root>.tfstate`), older than the folders: deployed states keep them.
ROOT_DIRS = {"persistent": "foundation", "app": "serverful"}
TF_WORK = ROOT / ".tf"
OUTPUTS_FILE = ROOT / ".deploy" / "serverful-outputs.json"

# For operators: recorded beside what tools/deploy_web.py requires, printed after a deploy.
OPERATIONS_KEYS = ("dashboard_url", "log_group")

# Deploy settings (environment) that set the root's variable of the same name in
# lowercase; unset means the variable's default.
ROOT_SETTINGS = {
    "persistent": (
        "SES_IDENTITY_ARN", "EMAIL_FROM", "THREAT_PROTECTION", "ALARM_EMAIL", "ENABLE_WAF",
        "TABLE_NAME",
    ),
    "app": ("AMI_ID", "PERMISSIONS_BOUNDARY_ARN"),
}  # fmt: skip

# What a stack deployed before the foundation keeps in infra/serverful's state and the
# foundation now owns (docs/foundation.md, "Adopting"): old address -> new address.
ADOPTED = {
    "module.frontend": "module.frontend",
    **{
        f"module.monitoring.{resource}": f"module.alarm_topic.{resource}"
        for resource in (
            "aws_kms_key.alarms", "aws_sns_topic.alarms", "aws_sns_topic_policy.alarms",
            "aws_sns_topic_subscription.email",
        )
    },
}  # fmt: skip

# apply_foundation's default: the front door keeps routing the API where it does.
KEEP = "keep"

# Written as infra/<root>/backend_override.tf (git-ignored) when TF_STATE_BUCKET is
# set; -backend-config gives the bucket, the key and the region.
S3_BACKEND = """# Written by tools/deploy_serverful.py because TF_STATE_BUCKET is set.
terraform {
  backend "s3" {
    encrypt      = true
    use_lockfile = true
  }
}
"""


def write_cli_config() -> Path:
    """Terraform CLI config: hashicorp providers from TF_PLUGIN_MIRROR when it exists."""
    mirror = os.environ.get("TF_PLUGIN_MIRROR") or "/opt/tf-plugins"
    hashicorp = '["registry.terraform.io/hashicorp/*"]'
    text = (
        f'provider_installation {{\n  filesystem_mirror {{\n    path    = "{mirror}"\n'
        f"    include = {hashicorp}\n  }}\n  direct {{\n    exclude = {hashicorp}\n  }}\n}}\n"
        if Path(mirror).is_dir()
        else f"# no provider mirror at {mirror}: providers come from the registry\n"
    )
    path = TF_WORK / "cli.tfrc"
    # Rewritten only when it changes: make's init stamps depend on it.
    if not path.exists() or path.read_text() != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return path


@dataclass(frozen=True)
class StackSettings:
    stage: str
    stack_name: str
    region: str

    @classmethod
    def from_environment(cls, env: Mapping[str, str] = os.environ) -> StackSettings:
        stage = env.get("STAGE") or "prod"
        region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1"
        return cls(stage, env.get("STACK_NAME") or f"todo-{stage}", region)


@dataclass(frozen=True)
class Terraform:
    """terraform -chdir=<working_dir> with its own data dir and our CLI config."""

    data_dir: Path
    working_dir: Path

    def environment(self) -> dict[str, str]:
        if shutil.which("terraform") is None:
            raise DeployError(
                "terraform not found: install Terraform >= 1.5 "
                "(https://developer.hashicorp.com/terraform/install)"
            )
        return {
            **os.environ,
            "TF_CLI_CONFIG_FILE": str(write_cli_config()),
            "TF_DATA_DIR": str(self.data_dir),
            "TF_IN_AUTOMATION": "1",
            "TF_INPUT": "0",
        }

    def run(self, *args: str, capture: bool = False) -> str:
        command = ["terraform", f"-chdir={self.working_dir}", *args]
        print("+ " + " ".join(command), file=sys.stderr, flush=True)
        stdout = subprocess.PIPE if capture else None
        result = subprocess.run(command, env=self.environment(), stdout=stdout, text=True)
        if result.returncode:
            raise DeployError(f"terraform {args[0]} in {self.working_dir.name} failed")
        return result.stdout or ""


@dataclass(frozen=True)
class Deployment:
    """The two roots of one stack: where their states are, their variables, terraform."""

    settings: StackSettings
    env: Mapping[str, str]
    state_dir: Path
    # The configurations (another tree only to rehearse adopting an older layout).
    terraform_dir: Path = TERRAFORM_DIR
    root_dirs: Mapping[str, str] = field(default_factory=lambda: ROOT_DIRS)

    @classmethod
    def from_environment(
        cls,
        env: Mapping[str, str] = os.environ,
        state_dir: Path | None = None,
        terraform_dir: Path = TERRAFORM_DIR,
        root_dirs: Mapping[str, str] = ROOT_DIRS,
    ) -> Deployment:
        settings = StackSettings.from_environment(env)
        default_dir = ROOT / ".deploy" / "terraform" / settings.stack_name
        return cls(settings, env, state_dir or default_dir, terraform_dir, root_dirs)

    def terraform(self, root: str) -> Terraform:
        data_dir = TF_WORK / "deploy" / self.settings.stack_name / root
        return Terraform(data_dir, self.terraform_dir / self.root_dirs[root])

    def backend(self, root: str) -> dict[str, str]:
        """The root's -backend-config: a local path, or with TF_STATE_BUCKET an S3 key."""
        if not (bucket := self.env.get("TF_STATE_BUCKET")):
            return {"path": str(self.state_dir / f"{root}.tfstate")}
        key = f"todo/{self.settings.stack_name}/{root}.tfstate"
        region = self.env.get("TF_STATE_REGION") or self.settings.region
        return {"bucket": bucket, "key": key, "region": region}

    def variables(self, root: str) -> dict[str, Any]:
        """The root's variables: name, region, the deploy settings set for it; the
        foundation also gets the stage, the app root where to read the foundation's state."""
        env, stack = self.env, self.settings
        chosen = {name.lower(): env[name] for name in ROOT_SETTINGS[root] if env.get(name)}
        variables: dict[str, Any] = {"name": stack.stack_name, "region": stack.region, **chosen}
        if root == "app":
            backend = "s3" if env.get("TF_STATE_BUCKET") else "local"
            config = self.backend("persistent")
            variables["persistent_state"] = {"backend": backend, "config": config}
        else:
            variables["stage"] = stack.stage
        return variables

    def init(self, root: str) -> Terraform:
        terraform = self.terraform(root)
        override = terraform.working_dir / "backend_override.tf"
        if self.env.get("TF_STATE_BUCKET"):
            override.write_text(S3_BACKEND)
        else:
            override.unlink(missing_ok=True)
            self.state_dir.mkdir(parents=True, exist_ok=True)
        terraform.data_dir.mkdir(parents=True, exist_ok=True)
        config = [f"-backend-config={key}={value}" for key, value in self.backend(root).items()]
        terraform.run("init", "-reconfigure", "-no-color", *config)
        return terraform

    def change(self, root: str, *commands: str, **variables: Any) -> Terraform:
        """init, then `terraform <command> -auto-approve` with the root's variables."""
        terraform = self.init(root)
        var_file = terraform.data_dir / "deploy.tfvars.json"
        var_file.write_text(json.dumps({**self.variables(root), **variables}, indent=2))
        for command in commands:
            terraform.run(command, "-auto-approve", "-no-color", f"-var-file={var_file}")
        return terraform

    def outputs(self, root: str) -> dict[str, Any]:
        """The root's outputs ({} before its first apply)."""
        raw = json.loads(self.init(root).run("output", "-json", capture=True) or "{}")
        return {name: item["value"] for name, item in raw.items()}

    def apply_foundation(self, backend: Mapping[str, str] | str | None = KEEP) -> dict[str, Any]:
        """Apply the foundation; `backend` points the front door's API paths at a compute
        path's origin (None: at nothing); by default they stay where they are (read back
        from its state)."""
        if backend == KEEP:
            backend = self.outputs("persistent").get("backend")
        self.change("persistent", "apply", backend=backend)
        return self.outputs("persistent")

    def apply_compute(self, artifact: Path) -> dict[str, Any]:
        """The EC2 path onto the foundation (which must exist); returns its outputs."""
        # A missing AMI_ID is refused by the compute module's precondition.
        if not artifact.is_file():
            raise DeployError(f"{artifact} not found: build it with `make artifact`")
        self.change("app", "apply", artifact_path=str(artifact.resolve()))
        return self.outputs("app")

    def apply(self, artifact: Path, outputs_file: Path = OUTPUTS_FILE) -> dict[str, Any]:
        """Foundation, the EC2 path, then the front door pointed at it; writes the outputs
        file, returns the outputs. (`make switch` runs the same steps with checks between.)"""
        self.apply_foundation()
        outputs = self.apply_compute(artifact)
        self.apply_foundation(outputs["api_origin"])
        write_outputs(outputs, outputs_file)
        return outputs

    def destroy_compute(self) -> None:
        """`make destroy-serverful`: the EC2 path only (the foundation stays)."""
        if (self.outputs("persistent").get("backend") or {}).get("architecture") == "serverful":
            raise DeployError(
                "the front door routes the API to the EC2 path: switch to the other "
                "architecture first (make switch ARCHITECTURE=serverless)"
            )
        self.change("app", "destroy")

    def adopt(self, work_dir: Path) -> list[str]:
        """Once, for a stack deployed before the foundation: move the resources it now
        owns from infra/serverful's state to infra/foundation's (pulled, moved, pushed:
        the same for a local and an S3 state). Nothing is created or destroyed; the next
        deploy adds the rest. Returns the addresses moved."""
        app, foundation = self.init("app"), self.init("persistent")
        work_dir.mkdir(parents=True, exist_ok=True)
        app_state, foundation_state = work_dir / "app.tfstate", work_dir / "persistent.tfstate"
        app_state.write_text(app.run("state", "pull", capture=True))
        foundation_state.write_text(foundation.run("state", "pull", capture=True))
        held = set(app.run("state", "list", f"-state={app_state}", capture=True).split())
        moved = []
        for old, new in ADOPTED.items():
            if not any(address == old or address.startswith(old + ".") for address in held):
                continue
            app.run("state", "mv", f"-state={app_state}", f"-state-out={foundation_state}",
                    old, new)  # fmt: skip
            moved.append(old)
        if not moved:
            print("nothing to adopt: infra/serverful holds none of the foundation's resources")
            return moved
        foundation.run("state", "push", str(foundation_state))
        app.run("state", "push", str(app_state))
        print(f"moved to the foundation's state: {', '.join(moved)}")
        return moved

    def destroy_persistent(self, confirm: str) -> None:
        """Delete the table and the user pool on purpose: protection off, then destroy."""
        if confirm != self.settings.stack_name:
            raise DeployError(
                f"this deletes every user and todo of {self.settings.stack_name}: "
                f"pass --confirm {self.settings.stack_name}"
            )
        self.change("persistent", "apply", "destroy", deletion_protection=False)


def write_outputs(outputs: Mapping[str, Any], outputs_file: Path = OUTPUTS_FILE) -> None:
    outputs_file.parent.mkdir(parents=True, exist_ok=True)
    outputs_file.write_text(json.dumps(recorded_outputs(outputs), indent=2) + "\n")
    print(f"wrote {outputs_file}")


def recorded_outputs(outputs: Mapping[str, Any]) -> dict[str, str]:
    """What .deploy/serverful-outputs.json holds: the web deploy's keys and the operators'."""
    if missing := [key for key in REQUIRED_OUTPUTS if not outputs.get(key)]:
        raise DeployError(f"terraform outputs missing or empty: {', '.join(missing)}")
    keys = [*REQUIRED_OUTPUTS, *(key for key in OPERATIONS_KEYS if outputs.get(key))]
    return {key: str(outputs[key]) for key in keys}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    apply_parser = sub.add_parser("apply", help="apply both roots and write the outputs file")
    apply_parser.add_argument("--artifact", type=Path, default=ROOT / "build/serverful/app.zip")
    sub.add_parser("destroy", help="destroy the EC2 path (the foundation stays)")
    persistent = sub.add_parser("destroy-persistent", help="delete every user and todo")
    persistent.add_argument("--confirm", required=True, metavar="STACK_NAME")
    sub.add_parser("cli-config", help="write the Terraform CLI config (provider mirror)")
    sub.add_parser("adopt", help="once: move the foundation's resources out of the app state")
    args = parser.parse_args(argv)

    if args.command == "cli-config":
        print(write_cli_config())
    elif args.command == "apply":
        outputs = Deployment.from_environment().apply(args.artifact)
        print(f"API: {outputs['api_url']}\nWeb: {outputs['web_url']}")
        print(f"Dashboard: {outputs['dashboard_url']}\nLogs: {outputs['log_group']}")
    elif args.command == "destroy":
        Deployment.from_environment().destroy_compute()
    elif args.command == "adopt":
        deployment = Deployment.from_environment()
        deployment.adopt(TF_WORK / "adopt" / deployment.settings.stack_name)
    else:
        Deployment.from_environment().destroy_persistent(args.confirm)


if __name__ == "__main__":
    main()
