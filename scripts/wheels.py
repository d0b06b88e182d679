"""Wheels for another machine, locked by hash: what the Lambda package
(deploy_serverless.py) and the EC2 artifact (build_artifact.py) share. A lock has one
`name==version \\ --hash=sha256:<the wheel's digest>` entry per wheel.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
import tempfile
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


def pins(path: Path) -> dict[str, str]:
    """name -> version of every line of a requirements file (and the files it -r's),
    each of which must pin one package with ==."""
    found: dict[str, str] = {}
    for raw in path.read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if line.startswith("-r "):
            found.update(pins(path.parent / line[3:].strip()))
        elif line:
            match = re.fullmatch(r"([A-Za-z0-9_.-]+)(\[[^\]]*\])?==([^\s;]+)", line)
            if not match:
                raise DeployError(f"{path.name}: {line!r} is not pinned with ==")
            found[normalize(match[1])] = match[3]
    return found


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


def locked(text: str) -> dict[str, str]:
    """name -> version of every entry of a lock file."""
    entry = r"^([A-Za-z0-9_.-]+)==(\S+) \\\n\s+--hash=sha256:[0-9a-f]{64}$"
    return {normalize(name): version for name, version in re.findall(entry, text, re.M)}


def write_lock(
    lock: Path, header: str, wanted: Mapping[str, str], platforms: Sequence[str], *pip_args: str
) -> None:
    """Download `wanted` (name -> version) for `platforms` and lock every wheel pip fetched."""
    with tempfile.TemporaryDirectory() as scratch:
        if pinned := [f"{name}=={version}" for name, version in sorted(wanted.items())]:
            pip("download", platforms, *pip_args, "--dest", scratch, *pinned)
        entries = []
        for wheel in sorted(Path(scratch).glob("*.whl"), key=lambda w: w.name.lower()):
            name, version = wheel.name.split("-")[:2]
            digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
            entries.append(f"{name}=={version} \\\n    --hash=sha256:{digest}\n")
    lock.write_text(header + "".join(entries))
    print(f"wrote {lock.name}: {len(entries)} wheels")


def check_lock(lock: Path, wanted: Mapping[str, str], fix: str, exact: bool = False) -> None:
    """The lock must pin every wanted package at its version (and, if exact, only those)."""
    have = locked(lock.read_text() if lock.exists() else "")
    stale = [f"{name}=={version}" for name, version in wanted.items() if have.get(name) != version]
    stale += [f"{name} (not required)" for name in have.keys() - wanted.keys() if exact]
    if stale:
        raise DeployError(
            f"{lock.name} is out of date ({', '.join(stale)}): run `{fix}` and review its diff"
        )
