"""The whole Terraform root applies and destroys against a local moto server."""

from __future__ import annotations

from pathlib import Path

import pytest

from scripts.deploy_serverful import TERRAFORM_DIR, WEB_DEPLOY_KEYS
from scripts.rehearse_serverful import rehearse

pytestmark = pytest.mark.integration


def test_rehearsal_applies_checks_and_destroys_the_stack(artifact: Path, tmp_path: Path) -> None:
    # rehearse() raises with the list of problems if any check fails: outputs set, the
    # table's schema and PITR, an internal ALB, ELB health checks, IMDSv2, the uploaded
    # artifact, the JWT issuer; after destroy the table and pool remain, the rest is gone.
    report = rehearse(artifact, tmp_path)

    assert report["resources"] > 60
    assert set(WEB_DEPLOY_KEYS) <= set(report["outputs"])
    assert (tmp_path / "serverful-outputs.json").exists()
    # The pre-destroy state (with the retained resources) is kept beside the state,
    # and nothing is left in the source tree.
    assert (tmp_path / "todo-rehearsal.before-destroy.tfstate.backup").exists()
    assert not list(TERRAFORM_DIR.glob("*.tfstate*"))
    assert not (TERRAFORM_DIR / "backend_override.tf").exists()
