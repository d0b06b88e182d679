"""Shared by the serverless tests (fixtures are in conftest.py)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import boto3

ROOT = Path(__file__).resolve().parents[3]
WHEELHOUSE = Path(os.environ.get("WHEELHOUSE", ROOT / "build" / "wheelhouse")).resolve()
REGION = "eu-west-1"  # not us-east-1, so bucket creation needs its LocationConstraint


def props(resources: dict[str, Any], logical_id: str) -> dict[str, Any]:
    return dict(resources[logical_id]["Properties"])


class S3CallRecorder:
    """A boto3.Session factory whose S3 clients record each call's operation and
    parameters, to check what a script asks of a bucket."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def __call__(self, **kwargs: Any) -> boto3.Session:
        session = boto3.Session(**kwargs)
        session.events.register("provide-client-params.s3.*", self._record)
        return session

    def _record(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        self.calls.append((model.name, dict(params)))

    def without_expected_owner(self) -> list[str]:
        return [name for name, params in self.calls if "ExpectedBucketOwner" not in params]
