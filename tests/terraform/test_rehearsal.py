"""Both Terraform roots apply and destroy against a local moto server."""

from __future__ import annotations

from pathlib import Path

import pytest

from scripts.deploy_serverful import TERRAFORM_DIR, WEB_DEPLOY_KEYS
from scripts.rehearse_serverful import rehearse

pytestmark = pytest.mark.integration


def test_rehearsal_applies_checks_and_destroys_both_roots(artifact: Path, tmp_path: Path) -> None:
    # rehearse() raises with the list of problems if any check fails: outputs set, the
    # table's schema, PITR and deletion protection, an internal ALB under a web ACL, ELB
    # health checks, IMDSv2, the pinned AMI, the boundary on every role, the uploaded
    # artifact, the JWT issuer; after the app's destroy the table and pool remain and the
    # persistent state is unchanged; after destroy-persistent they are gone too.
    report = rehearse(artifact, tmp_path)

    assert report["resources"]["app"] > 60
    assert report["resources"]["persistent"] >= 3  # table, pool, client (+ data sources)
    assert set(WEB_DEPLOY_KEYS) <= set(report["outputs"])
    assert (tmp_path / "serverful-outputs.json").exists()
    # No state taken apart beforehand (Terraform's own *.tfstate.backup is fine), no
    # placeholder artifact, nothing left in the source tree.
    assert not list(tmp_path.glob("*before-destroy*")) and not list(tmp_path.glob("*placeholder*"))
    assert not list(TERRAFORM_DIR.glob("**/*.tfstate*"))
    assert not list(TERRAFORM_DIR.glob("*/backend_override.tf"))
