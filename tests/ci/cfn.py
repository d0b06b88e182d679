"""Read the CI/CD files as data: the CloudFormation template (with its short
intrinsic-function tags), the build specs and the GitHub workflow."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
CI = REPO / "ci"
TEMPLATE = CI / "pipeline.yaml"
WORKFLOW = REPO / ".github" / "workflows" / "ci.yml"
BUILDSPECS = sorted(CI.glob("buildspec-*.yml"))


class _CfnLoader(yaml.SafeLoader):
    """SafeLoader that reads `!Ref x` as {"Ref": x} and `!Sub s` as {"Fn::Sub": s}."""


def _intrinsic(loader: yaml.SafeLoader, tag_suffix: str, node: yaml.Node) -> dict[str, Any]:
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    if tag_suffix == "Ref":
        return {"Ref": value}
    if tag_suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {f"Fn::{tag_suffix}": value}


_CfnLoader.add_multi_constructor("!", _intrinsic)


def load_template(path: Path = TEMPLATE) -> dict[str, Any]:
    return yaml.load(path.read_text(), Loader=_CfnLoader)  # noqa: S506 - SafeLoader subclass


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text())


def load_workflow(path: Path = WORKFLOW) -> dict[str, Any]:
    # BaseLoader: YAML 1.1 would read the `on:` key as the boolean True.
    return yaml.load(path.read_text(), Loader=yaml.BaseLoader)  # noqa: S506


def architectures() -> list[str]:
    """The values the pipeline allows for Architecture (one source for the tests)."""
    return list(load_template()["Parameters"]["Architecture"]["AllowedValues"])
