"""The Lambda deployment package: small, offline-buildable, without what Lambda provides."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from scripts import deploy_serverless as ds
from tests.serverless.support import WHEELHOUSE

ROOT = Path(__file__).resolve().parents[2]


def test_package_is_under_one_megabyte(package_dir: Path) -> None:
    size = (package_dir / "deployment.zip").stat().st_size
    assert size < ds.MAX_PACKAGE_BYTES, f"deployment.zip is {size:,} bytes"


def test_package_has_the_app_and_pynamodb_but_not_what_lambda_provides(package_dir: Path) -> None:
    with zipfile.ZipFile(package_dir / "deployment.zip") as archive:
        names = archive.namelist()
    tops = {name.split("/", 1)[0] for name in names}
    assert {"app.py", "chalicelib", "pynamodb", "chalice"} <= tops
    assert "chalicelib/config.py" in names
    for left_out in ("boto3", "botocore", "jwt", "cryptography", "s3transfer"):
        assert left_out not in tops
    assert not any("__pycache__" in name for name in names)


def _project(tmp_path: Path, requirements: str, lock: str = "") -> Path:
    project = tmp_path / "project"
    (project / ".chalice").mkdir(parents=True)
    (project / "chalicelib").mkdir()
    for name in ("config.json", "policy-prod.json"):
        (project / ".chalice" / name).write_text((ROOT / ".chalice" / name).read_text())
    (project / "app.py").write_text("")
    (project / "requirements.txt").write_text(requirements)
    (project / ds.LOCK_FILE).write_text(lock)
    return project


def test_lambda_pins_leave_out_runtime_and_lazy_packages(tmp_path: Path) -> None:
    text = (
        "# comment\nboto3==1.0\nBotoCore==1.0\npynamodb==6.1.0  # orm\nPyJWT==2\ncryptography==1\n"
    )
    assert ds.lambda_pins(_project(tmp_path, text), checked=False) == {"pynamodb": "6.1.0"}


def test_lambda_pins_of_the_project_are_only_pure_python_pynamodb() -> None:
    assert list(ds.lambda_pins(ROOT)) == ["pynamodb"]


def test_requirements_must_be_pinned(tmp_path: Path) -> None:
    for line in ("-e .", "pynamodb>=6"):
        with pytest.raises(ds.DeployError, match="not pinned"):
            ds.lambda_pins(_project(tmp_path / line, line + "\n"), checked=False)


def test_the_lock_pins_with_hashes_exactly_what_requirements_txt_asks_of_the_package() -> None:
    wanted = ds.lambda_pins(ROOT)
    entries = (ROOT / ds.LOCK_FILE).read_text().split("\n    --hash=")
    assert len(entries) - 1 == len(wanted) > 0
    assert all(entry.startswith("sha256:") for entry in entries[1:])


@pytest.mark.parametrize(
    ("requirements", "extra"),
    [
        ("pynamodb==6.2.0\n", ""),
        ("", ""),
        ("pynamodb==6.1.0\n", "six==1.0 \\\n    --hash=sha256:" + "0" * 64),
    ],
)
def test_a_lock_out_of_step_with_requirements_txt_is_refused(
    tmp_path: Path, requirements: str, extra: str
) -> None:
    project = _project(tmp_path, requirements, (ROOT / ds.LOCK_FILE).read_text() + extra + "\n")
    with pytest.raises(ds.DeployError, match="make lambda-lock"):
        ds.package(project, tmp_path / "out")


def test_a_wheel_that_is_not_the_locked_one_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(WHEELHOUSE))
    locked = (ROOT / ds.LOCK_FILE).read_text()
    tampered = re.sub(r"sha256:[0-9a-f]{64}", "sha256:" + "0" * 64, locked)
    requirements = (ROOT / "requirements.txt").read_text()
    with pytest.raises(ds.DeployError, match="command failed"):
        ds.package(_project(tmp_path, requirements, tampered), tmp_path / "out")


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
