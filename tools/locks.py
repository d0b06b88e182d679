"""The hash-locked requirement files the deployments install from, generated from uv.lock
(`make lock`): `uv export` of the right dependency groups, every package pinned with the
hashes of its files. `--check` (and every build that installs one) refuses a file that is
not what uv.lock gives today, or a uv.lock out of step with pyproject.toml.
Standard library only: `make lock` runs it before any venv exists.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from tools.wheels import DeployError

ROOT = Path(__file__).resolve().parent.parent
# The pinned uv the Makefile installs (UV overrides, as `make` passes it).
UV = os.environ.get("UV") or str(ROOT / ".venv-uv" / "bin" / "uv")
FIX = "make lock"

# What the Lambda Python runtime already has (boto3 and its dependencies), and
# what the app imports lazily, only where it verifies tokens itself, which it
# never does on Lambda (API Gateway's Cognito authorizer has already done it).
RUNTIME_PROVIDED = frozenset(
    {"boto3", "botocore", "s3transfer", "jmespath", "urllib3", "python-dateutil", "six"}
)
NOT_NEEDED_ON_LAMBDA = frozenset({"pyjwt", "cryptography", "cffi", "pycparser"})


def _no_emit(names: frozenset[str]) -> list[str]:
    return [arg for name in sorted(names) for arg in ("--no-emit-package", name)]


# file name -> (what it is, the `uv export` arguments that give it)
EXPORTS: dict[str, tuple[str, list[str]]] = {
    "requirements-server.lock.txt": (
        "What the EC2 artifact installs (pip --require-hashes): the project's\n"
        "# dependencies and the `server` group",
        ["--no-default-groups", "--group", "server"],
    ),
    "requirements-lambda.txt": (
        "What the Lambda package vendors (pip --require-hashes): the project's\n"
        "# dependencies less what the Lambda runtime provides or the app never imports there",
        ["--no-default-groups", *_no_emit(RUNTIME_PROVIDED | NOT_NEEDED_ON_LAMBDA)],
    ),
}
# Not committed: what `make lambda-runtime` installs where Lambda mounts the layers.
LAYERS = ["--only-group", "lambda-layers", *_no_emit(RUNTIME_PROVIDED)]


def export(args: Sequence[str], project: Path = ROOT) -> str:
    """`uv export` of uv.lock (refused if it is out of step with pyproject.toml)."""
    if not Path(UV).exists():
        raise DeployError(f"{UV} not found: run `make install` (it installs the pinned uv)")
    command = [UV, "export", "--locked", "--quiet", "--format", "requirements-txt",
               "--no-emit-project", "--no-header", *args]  # fmt: skip
    # uv checks uv.lock with this Python (the Makefile's, or the venv's under pytest).
    env = {**os.environ, "UV_PYTHON": os.environ.get("UV_PYTHON") or sys.executable}
    result = subprocess.run(
        command, cwd=project, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode:
        raise DeployError(f"uv export failed ({result.stderr.strip()}): run `{FIX}`")
    return result.stdout


def generated(name: str) -> str:
    """The content `name` must have: a header, then uv's export."""
    purpose, args = EXPORTS[name]
    header = f"# Generated from uv.lock by `{FIX}` (tools/locks.py); do not edit.\n# {purpose}.\n"
    return header + export(args)


def check(path: Path) -> None:
    """Refuse a generated file that is not what uv.lock gives today."""
    if not path.exists() or path.read_text() != generated(path.name):
        raise DeployError(f"{path.name} is stale (not what uv.lock gives): run `{FIX}`")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check the files are current")
    parser.add_argument("--layers", type=Path, help="write the Lambda layers' pins to this file")
    args = parser.parse_args(argv)
    if args.layers:
        args.layers.parent.mkdir(parents=True, exist_ok=True)
        args.layers.write_text(export(LAYERS))
        return
    for name in EXPORTS:
        if args.check:
            check(ROOT / name)
        else:
            (ROOT / name).write_text(generated(name))
            print(f"wrote {name}", file=sys.stderr)


if __name__ == "__main__":
    main()
