from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
import yaml
from moto import mock_aws

from tests.infra.serverless.support import ROOT, WHEELHOUSE


@pytest.fixture(scope="session")
def package_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`deploy_serverless.py package` of the real app, built offline from the wheelhouse."""
    if not any(WHEELHOUSE.glob("*.whl")):
        pytest.fail(f"no wheels in {WHEELHOUSE}: run `make serverless-wheelhouse` first")
    out = tmp_path_factory.mktemp("serverless")
    env = {**os.environ, "PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(WHEELHOUSE)}
    result = subprocess.run(
        [sys.executable, "-m", "tools.deploy_serverless", "package", "--out", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "deployment.zip:" in result.stdout
    return out / "package"


@pytest.fixture(scope="session")
def sam_template(package_dir: Path) -> dict[str, Any]:
    return dict(yaml.safe_load((package_dir / "sam.yaml").read_text()))


@pytest.fixture(scope="session")
def resources(sam_template: dict[str, Any]) -> dict[str, Any]:
    return dict(sam_template["Resources"])


# In-process moto for the deploy tests, with no real credentials or region in reach.
@pytest.fixture
def aws(tmp_path: Path) -> Iterator[None]:
    env = {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_CONFIG_FILE": str(tmp_path / "no-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-credentials"),
    }
    with mock.patch.dict(os.environ, env), mock_aws():
        for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "STAGE", "STACK_NAME"):
            os.environ.pop(name, None)
        yield
