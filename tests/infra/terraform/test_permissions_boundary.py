"""Every IAM role the Terraform roots can create carries the permissions boundary."""

from __future__ import annotations

import re
from pathlib import Path

from scripts.deploy_serverful import TERRAFORM_DIR

ROLE = re.compile(r'^resource "aws_iam_role" "(\w+)" \{\n(.*?)^\}', re.MULTILINE | re.DOTALL)
MODULE_CALL = re.compile(r'^module "(\w+)" \{\n(.*?)^\}', re.MULTILINE | re.DOTALL)


def configurations() -> list[Path]:
    return [path for path in TERRAFORM_DIR.glob("**/*.tf") if ".terraform" not in path.parts]


def test_every_role_takes_the_boundary_variable() -> None:
    roles = 0
    for path in configurations():
        for name, body in ROLE.findall(path.read_text()):
            roles += 1
            boundary = r"^\s*permissions_boundary\s*=\s*var\.permissions_boundary_arn$"
            assert re.search(boundary, body, re.M), (
                f"{path.relative_to(TERRAFORM_DIR)}: aws_iam_role.{name} has no "
                "permissions_boundary = var.permissions_boundary_arn"
            )
    assert roles >= 2  # the instance role and the flow logs role, at least


def test_every_module_with_roles_is_handed_the_boundary() -> None:
    """A module that declares permissions_boundary_arn gets it from every caller."""
    takes_boundary = {
        path.parent.name
        for path in TERRAFORM_DIR.glob("modules/*/variables.tf")
        if 'variable "permissions_boundary_arn"' in path.read_text()
    }
    assert {"compute", "network"} <= takes_boundary
    for path in configurations():
        if "/examples/" in path.as_posix():
            continue
        for name, body in MODULE_CALL.findall(path.read_text()):
            source = re.search(r'source\s*=\s*"[./]*modules/(\w+)"', body) or re.search(
                r'source\s*=\s*"\.\./(\w+)"', body
            )
            if source and source.group(1) in takes_boundary:
                assert re.search(
                    r"^\s*permissions_boundary_arn\s*=\s*var\.permissions_boundary_arn$", body, re.M
                ), f"{path.relative_to(TERRAFORM_DIR)}: module {name} is not given the boundary"
