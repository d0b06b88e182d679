"""The Lambda deployment package: small, offline-buildable, without what Lambda provides."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest

from scripts import deploy_serverless as ds

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


def test_lambda_requirements_leave_out_runtime_and_lazy_packages() -> None:
    text = (
        "# comment\nboto3==1.0\nBotoCore==1.0\npynamodb==6.1.0  # orm\nPyJWT==2\ncryptography>=1\n"
    )
    assert ds.lambda_requirements(text) == ["pynamodb==6.1.0"]


def test_lambda_requirements_of_the_project_are_only_pure_python_pynamodb() -> None:
    wanted = ds.lambda_requirements((ROOT / "requirements.txt").read_text())
    assert [ds.requirement_name(line) for line in wanted] == ["pynamodb"]


def test_lambda_requirements_refuse_pip_options() -> None:
    with pytest.raises(ds.DeployError, match="unsupported option"):
        ds.lambda_requirements("-e .\n")


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


def test_wire_environment_turns_resource_references_into_fn_sub() -> None:
    template: dict[str, Any] = {
        "Resources": {
            "Fn": {
                "Type": "AWS::Serverless::Function",
                "Properties": {
                    "Environment": {"Variables": {"TABLE_NAME": "${TodoTable}", "MODE": "plain"}}
                },
            },
            "Other": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "${NotWired}"}},
        }
    }
    wired = ds.wire_environment(template)
    variables = wired["Resources"]["Fn"]["Properties"]["Environment"]["Variables"]
    assert variables == {"TABLE_NAME": {"Fn::Sub": "${TodoTable}"}, "MODE": "plain"}
    assert wired["Resources"]["Other"]["Properties"]["BucketName"] == "${NotWired}"
