"""The Lambda deployment package: small, offline-buildable, without what Lambda provides."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

from tests.infra.serverless.support import ROOT, WHEELHOUSE
from tools import deploy_serverless as ds


def test_package_is_under_one_megabyte(package_dir: Path) -> None:
    size = (package_dir / "deployment.zip").stat().st_size
    assert size < ds.MAX_PACKAGE_BYTES, f"deployment.zip is {size:,} bytes"


def test_package_has_the_app_and_pynamodb_but_not_what_lambda_provides(package_dir: Path) -> None:
    with zipfile.ZipFile(package_dir / "deployment.zip") as archive:
        names = archive.namelist()
    tops = {name.split("/", 1)[0] for name in names}
    assert {"app.py", "chalicelib", "pynamodb", "chalice"} <= tops
    assert "chalicelib/config.py" in names
    # Powertools comes from AWS's layer (test_monitoring.py), the rest with the runtime.
    for left_out in ("boto3", "botocore", "jwt", "cryptography", "s3transfer",
                     "aws_lambda_powertools"):  # fmt: skip
        assert left_out not in tops
    assert not any("__pycache__" in name for name in names)


def _project(tmp_path: Path, lock: str) -> Path:
    project = tmp_path / "project"
    (project / "api" / ".chalice").mkdir(parents=True)
    (project / "api" / "chalicelib").mkdir()
    for name in ("config.json", "policy-prod.json"):
        (project / "api" / ".chalice" / name).write_text(
            (ROOT / "api" / ".chalice" / name).read_text()
        )
    (project / "api" / "app.py").write_text("")
    (project / ds.LOCK_FILE).write_text(lock)
    return project


def test_a_lock_that_is_not_what_uv_lock_gives_is_refused(tmp_path: Path) -> None:
    # A hand-edited pin; the other ways a lock goes stale: tests/unit/test_locks.py.
    lock = (ROOT / ds.LOCK_FILE).read_text()
    assert "pynamodb==6.1.0" in lock
    project = _project(tmp_path, lock.replace("pynamodb==6.1.0", "pynamodb==6.2.0", 1))
    with pytest.raises(ds.DeployError, match=r"stale.*make lock"):
        ds.package(project, tmp_path / "out")
    assert not (tmp_path / "out" / "package").exists()


def test_a_wheel_that_is_not_the_locked_one_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wheelhouse = tmp_path / "wheelhouse"
    shutil.copytree(WHEELHOUSE, wheelhouse)
    for wheel in wheelhouse.glob("pynamodb-*.whl"):
        wheel.write_bytes(wheel.read_bytes() + b"\0")  # same name, one more byte
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(wheelhouse))
    project = _project(tmp_path, (ROOT / ds.LOCK_FILE).read_text())
    with pytest.raises(ds.DeployError, match="command failed"):
        ds.package(project, tmp_path / "out")


def _fake_dist(vendor: Path, name: str, requires: list[str]) -> None:
    dist = vendor / f"{name}-1.0.dist-info"
    dist.mkdir(parents=True)
    lines = [f"Name: {name}", "Version: 1.0", *(f"Requires-Dist: {r}" for r in requires)]
    (dist / "METADATA").write_text("\n".join(lines) + "\n")


def test_missing_dependencies_flags_what_neither_vendor_nor_lambda_has(tmp_path: Path) -> None:
    _fake_dist(tmp_path, "pynamodb", ["botocore>=1.12", 'blinker<2,>=1.3; extra == "signals"'])
    assert ds.missing_dependencies(tmp_path) == []
    _fake_dist(tmp_path, "newlib", ["attrs>=20", "pynamodb"])
    assert ds.missing_dependencies(tmp_path) == ["newlib needs attrs>=20"]
