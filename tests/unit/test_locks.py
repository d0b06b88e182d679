"""The hash-locked files the deployments install from are generated from uv.lock, and
uv.lock from pyproject.toml: a stale one fails here, naming the make target that fixes it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tools import locks
from tools.wheels import DeployError, locked


@pytest.mark.parametrize("name", sorted(locks.EXPORTS))
def test_the_generated_lock_is_what_uv_lock_gives(name: str) -> None:
    locks.check(locks.ROOT / name)  # DeployError: "<name> is stale ...: run `make lock`"


def test_a_hand_edited_lock_is_refused_with_the_fix(tmp_path: Path) -> None:
    lock = tmp_path / "requirements-server.lock.txt"
    text = (locks.ROOT / lock.name).read_text()
    lock.write_text(text.replace("chalice==1.34.0", "chalice==1.33.0", 1))
    with pytest.raises(DeployError, match=r"requirements-server.lock.txt is stale.*make lock"):
        locks.check(lock)


def test_a_uv_lock_out_of_step_with_pyproject_is_refused_with_the_fix(tmp_path: Path) -> None:
    for name in ("pyproject.toml", "uv.lock"):
        shutil.copy(locks.ROOT / name, tmp_path / name)
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('  "PyJWT==2.15.1",\n', "", 1))
    with pytest.raises(DeployError, match=r"(?s)uv.lock. needs to be updated.*make lock"):
        locks.export([], project=tmp_path)


def test_the_layers_are_the_lambda_layers_group_less_what_the_runtime_has() -> None:
    layers = locked(locks.export(locks.LAYERS))
    assert set(layers) == {"aws-lambda-powertools", "typing-extensions"}
    # The layer's Powertools is the one EC2 runs (infra/serverless/merge.yaml names its version).
    server = locked((locks.ROOT / "requirements-server.lock.txt").read_text())
    assert layers["aws-lambda-powertools"] == server["aws-lambda-powertools"]
