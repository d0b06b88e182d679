"""The CloudWatch embedded metric format (EMF) specification as a check.

The JSON schema holds what a schema can say (structure, types, sizes, units);
`emf_problems` adds the cross-references the specification requires of the root
node: every dimension and metric a directive names is a member of the document,
dimension values are strings, metric values are numbers or arrays of numbers.
Source: CloudWatch's "Specification: Embedded metric format".
"""

from __future__ import annotations

from typing import Any

import jsonschema

NAME = {"type": "string", "minLength": 1, "maxLength": 1024}
UNITS = [
    "Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes",
    "Gigabytes", "Terabytes", "Bits", "Kilobits", "Megabits", "Gigabits", "Terabits",
    "Percent", "Count", "Bytes/Second", "Kilobytes/Second", "Megabytes/Second",
    "Gigabytes/Second", "Terabytes/Second", "Bits/Second", "Kilobits/Second",
    "Megabits/Second", "Gigabits/Second", "Terabits/Second", "Count/Second", "None",
]  # fmt: skip

EMF_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["_aws"],
    "properties": {
        "_aws": {
            "type": "object",
            "required": ["Timestamp", "CloudWatchMetrics"],
            "properties": {
                "Timestamp": {"type": "integer", "minimum": 0},
                "LogGroupName": {"type": "string"},
                "CloudWatchMetrics": {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                        "type": "object",
                        "required": ["Namespace", "Dimensions", "Metrics"],
                        "additionalProperties": False,
                        "properties": {
                            "Namespace": NAME,
                            "Dimensions": {
                                "type": "array",
                                "items": {
                                    "type": "array",
                                    "maxItems": 30,
                                    "items": {"type": "string", "minLength": 1, "maxLength": 250},
                                },
                            },
                            "Metrics": {
                                "type": "array",
                                "minItems": 1,
                                "maxItems": 100,
                                "items": {
                                    "type": "object",
                                    "required": ["Name"],
                                    "additionalProperties": False,
                                    "properties": {
                                        "Name": {
                                            "type": "string",
                                            "minLength": 1,
                                            "maxLength": 1024,
                                        },
                                        "Unit": {"enum": UNITS},
                                        "StorageResolution": {"enum": [1, 60]},
                                    },
                                },
                            },
                        },
                    },
                },
            },
        }
    },
}

MAX_VALUES_PER_METRIC = 100


def emf_problems(document: dict[str, Any]) -> list[str]:
    """Everything in `document` that breaks the specification (empty: valid)."""
    validator = jsonschema.Draft202012Validator(EMF_SCHEMA)
    problems = [error.message for error in validator.iter_errors(document)]
    if problems:
        return problems
    for directive in document["_aws"]["CloudWatchMetrics"]:
        for dimension_set in directive["Dimensions"]:
            for name in dimension_set:
                value = document.get(name)
                if not isinstance(value, str) or not 1 <= len(value) <= 1024:
                    problems.append(f"dimension {name!r} must be a root string, not {value!r}")
        for metric in directive["Metrics"]:
            value = document.get(metric["Name"])
            values = value if isinstance(value, list) else [value]
            numeric = all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)
            if value is None or not numeric or len(values) > MAX_VALUES_PER_METRIC:
                problems.append(f"metric {metric['Name']!r} needs a numeric value, not {value!r}")
    return problems


def is_emf(line: dict[str, Any]) -> bool:
    return "_aws" in line
