"""Wheels for another machine, locked by hash: what the Lambda package
(deploy_serverless.py) and the EC2 artifact (build_artifact.py) share. The locks are
generated from uv.lock (tools/locks.py): one `name==version [; marker]` entry per
package, with the hashes of its files.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

# What production runs: Lambda's python3.13 and Amazon Linux 2023's python3.13.
PYTHON_VERSION = "3.13"


class DeployError(SystemExit):
    """A build or deployment step failed; the message says what to do (exit status 1)."""


def run(cmd: Sequence[str], cwd: Path | None = None, env: Mapping[str, str] | None = None) -> None:
    if subprocess.run(cmd, cwd=cwd, env=env, check=False).returncode:
        raise DeployError(f"command failed: {' '.join(cmd)}")


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pip(command: str, platforms: Sequence[str], *args: str, lock: Path | None = None) -> None:
    """`pip download|install` of wheels for CPython PYTHON_VERSION on `platforms`, not this
    machine: with `lock`, exactly its wheels, each checked against its hash. Honours PIP_NO_INDEX
    and PIP_FIND_LINKS, so it can run offline from a wheelhouse."""
    platform_args = [arg for platform in platforms for arg in ("--platform", platform)]
    if lock:
        args = ("--no-deps", "--require-hashes", "-r", str(lock), *args)
    version = ("--implementation", "cp", "--python-version", PYTHON_VERSION)
    run([sys.executable, "-m", "pip", command, "--quiet", "--only-binary=:all:", *version,
         *platform_args, *args])  # fmt: skip


def locked(text: str, python_version: str = PYTHON_VERSION) -> dict[str, str]:
    """name -> version of every entry of a lock (`uv export` with hashes) that applies to
    CPython `python_version` on Linux: the wheels `pip(..., lock=)` fetches."""
    from packaging.markers import default_environment
    from packaging.requirements import Requirement

    # This machine's (Linux, CPython) at the target's Python version.
    environment = {key: str(value) for key, value in default_environment().items()}
    environment.update(python_version=python_version, python_full_version=f"{python_version}.0")
    found: dict[str, str] = {}
    for line in text.splitlines():
        if line and not line.startswith(("#", " ")):
            requirement = Requirement(line.rstrip(" \\"))
            if not requirement.marker or requirement.marker.evaluate(environment):
                found[normalize(requirement.name)] = str(requirement.specifier).removeprefix("==")
    return found
