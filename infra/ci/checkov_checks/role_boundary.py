"""CKV_TODO_4: every IAM role the Terraform roots create carries the app's
permissions boundary (run over terraform/ by `make tf-checkov`), so no role the
deploy makes can hold more than the boundary allows."""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck


class RoleHasBoundary(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="IAM role carries the permissions boundary",
            id="CKV_TODO_4",
            categories=[CheckCategories.IAM],
            supported_resources=["aws_iam_role"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        boundary = (conf.get("permissions_boundary") or [None])[0]
        return CheckResult.PASSED if boundary else CheckResult.FAILED


check = RoleHasBoundary()
