"""Read infra/ci/pipeline.yaml as data, with its short intrinsic-function tags, and as
CloudFormation would create it for given parameter values."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cfnlint.decode import decode_str

REPO = Path(__file__).resolve().parents[3]
TEMPLATE = REPO / "infra" / "ci" / "pipeline.yaml"


def load_template(path: Path = TEMPLATE) -> dict[str, Any]:
    """A CloudFormation YAML file with its short tags (!Ref, !Sub...) as Fn:: forms."""
    template, errors = decode_str(path.read_text())
    assert not errors, errors
    return dict(json.loads(json.dumps(template)))


_NO_VALUE = object()


def resolve(template: dict[str, Any], **parameters: str) -> dict[str, Any]:
    """The template as CloudFormation would create it with these parameter values
    (defaults for the rest): conditions evaluated, `Fn::If` branches chosen,
    `AWS::NoValue` dropped, resources whose condition is false removed.
    Other intrinsics (Ref, Sub, GetAtt) stay as they are."""
    values = {name: p.get("Default") for name, p in template.get("Parameters", {}).items()}
    values.update(parameters)
    conditions: dict[str, bool] = {}

    def condition(name: str) -> bool:
        if name not in conditions:
            conditions[name] = evaluate(template["Conditions"][name])
        return conditions[name]

    def evaluate(node: Any) -> Any:
        if isinstance(node, dict) and len(node) == 1:
            ((key, arg),) = node.items()
            if key == "Ref" and arg in values:
                return values[arg]
            if key in ("Condition", "Fn::Condition"):
                return condition(arg)
            if key == "Fn::Equals":
                return evaluate(arg[0]) == evaluate(arg[1])
            if key == "Fn::And":
                return all(evaluate(a) for a in arg)
            if key == "Fn::Or":
                return any(evaluate(a) for a in arg)
            if key == "Fn::Not":
                return not evaluate(arg[0])
        return node

    def choose(node: Any) -> Any:
        if isinstance(node, dict):
            if set(node) == {"Fn::If"}:
                name, when_true, when_false = node["Fn::If"]
                return choose(when_true if condition(name) else when_false)
            if node == {"Ref": "AWS::NoValue"}:
                return _NO_VALUE
            chosen = {k: choose(v) for k, v in node.items()}
            return {k: v for k, v in chosen.items() if v is not _NO_VALUE}
        if isinstance(node, list):
            return [c for c in map(choose, node) if c is not _NO_VALUE]
        return node

    resolved = choose({k: v for k, v in template.items() if k != "Conditions"})
    resolved["Resources"] = {
        name: resource
        for name, resource in resolved["Resources"].items()
        if "Condition" not in resource or condition(resource["Condition"])
    }
    return resolved


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def of_type(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {name: r for name, r in template["Resources"].items() if r["Type"] == kind}


def policy_statements(template: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every statement of every identity policy (inline and managed) in the
    template, with where it is: "<Role>/<PolicyName>" or "<ManagedPolicy>"."""
    for name, role in of_type(template, "AWS::IAM::Role").items():
        for policy in role["Properties"].get("Policies", []):
            for statement in policy["PolicyDocument"]["Statement"]:
                yield f"{name}/{policy['PolicyName']}", statement
    for name, policy in of_type(template, "AWS::IAM::ManagedPolicy").items():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            yield name, statement
