"""The EC2 artifact installs exactly the hash-locked wheels, and nothing else."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tools import build_artifact
from tools.deploy_serverful import ROOT
from tools.wheels import locked

INSTALL_SCRIPT = ROOT / "infra" / "modules" / "compute" / "templates" / "install_app.sh"


def test_a_stale_lock_is_refused_with_the_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lock = tmp_path / build_artifact.SERVER_LOCK.name
    lock.write_text(build_artifact.SERVER_LOCK.read_text().replace("chalice==", "chalice==0.", 1))
    monkeypatch.setattr(build_artifact, "SERVER_LOCK", lock)
    with pytest.raises(SystemExit, match=r"requirements-server.lock.txt is stale.*make lock"):
        build_artifact.build(tmp_path / "app.zip")
    assert not (tmp_path / "app.zip").exists()


def test_artifact_carries_the_lock_as_its_requirements(artifact: Path) -> None:
    with zipfile.ZipFile(artifact) as archive:
        requirements = archive.read("requirements.txt").decode()
        wheels = [n for n in archive.namelist() if n.startswith("wheels/")]
    assert requirements == build_artifact.SERVER_LOCK.read_text()
    assert len(wheels) == len(locked(requirements))


@pytest.mark.integration
def test_install_refuses_a_wheel_that_differs_from_the_lock(artifact: Path, tmp_path: Path) -> None:
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(artifact) as source, zipfile.ZipFile(tampered, "w") as target:
        wheels = [n for n in source.namelist() if n.startswith("wheels/")]
        victim = min(wheels, key=lambda name: source.getinfo(name).file_size)
        for name in source.namelist():
            data = source.read(name)
            # Same name, one more byte: a swapped or corrupted wheel.
            target.writestr(name, data + b"\0" if name == victim else data)
    result = subprocess.run(
        ["bash", str(INSTALL_SCRIPT), str(tampered), str(tmp_path / "opt-todo"), sys.executable],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode != 0
    assert "hash" in (result.stdout + result.stderr).lower()
