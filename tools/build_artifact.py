"""Build the serverful app artifact (`make artifact`): a reproducible zip of the code
(api/'s app.py and api/chalicelib/, serverful/'s modules, side by side at the zip's top
level, as they import one another), requirements-server.lock.txt as
requirements.txt, and its wheels under wheels/, which EC2 installs with
`pip install --require-hashes` and no package index. Sorted entries and fixed timestamps
make the same sources give the same SHA-256, so Terraform rolls the instances only on a
change. The lock is generated from uv.lock (`make lock`, tools/locks.py).
"""

from __future__ import annotations

import argparse
import hashlib
import tempfile
import zipfile
from pathlib import Path

from tools import locks
from tools.wheels import pip

ROOT = Path(__file__).resolve().parent.parent
# Where the code comes from: the Chalice project and the EC2 runtime beside it.
CODE_DIRS = (ROOT / "api", ROOT / "serverful")
# The project's dependencies and the `server` group, each wheel with its hash.
SERVER_LOCK = ROOT / "requirements-server.lock.txt"
# Amazon Linux 2023 has glibc 2.34 and python3.13 (x86_64).
PLATFORMS = ("manylinux_2_34_x86_64", "manylinux2014_x86_64", "linux_x86_64")


def build(output: Path) -> str:
    """Write the zip; returns its SHA-256."""
    locks.check(SERVER_LOCK)
    code = [
        (path.relative_to(source).as_posix(), path)
        for source in CODE_DIRS
        for path in source.rglob("*.py")
        if "__pycache__" not in path.parts
    ]
    with tempfile.TemporaryDirectory() as wheels:
        pip("download", PLATFORMS, "--dest", wheels, lock=SERVER_LOCK)
        entries = sorted(code)
        entries.append(("requirements.txt", SERVER_LOCK))
        entries += [(f"wheels/{wheel.name}", wheel) for wheel in sorted(Path(wheels).glob("*.whl"))]
        output.parent.mkdir(parents=True, exist_ok=True)
        partial = output.with_suffix(".zip.partial")
        with zipfile.ZipFile(partial, "w") as archive:
            for name, path in entries:
                info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
                info.external_attr = 0o644 << 16
                archive.writestr(info, path.read_bytes(), zipfile.ZIP_DEFLATED)
        partial.replace(output)
    return hashlib.sha256(output.read_bytes()).hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=ROOT / "build" / "serverful" / "app.zip")
    args = parser.parse_args()
    digest = build(args.output)
    size_mb = args.output.stat().st_size / 1e6
    print(f"artifact {args.output} ({size_mb:.1f} MB) sha256 {digest}")


if __name__ == "__main__":
    main()
