"""`make switch ARCHITECTURE=serverless|serverful [KEEP_PREVIOUS=1]`: move the running
product to the other architecture with nobody noticing (docs/foundation.md).

Both architectures run on one foundation (table, user pool, front door), so a switch
only moves the front door's API paths from one compute path to the other:

1. deploy the target compute onto the foundation;
2. check `/ready` on it directly (its own gateway URL);
3. point the front door (CloudFront) at it;
4. confirm `/ready` through the front door;
5. remove the previous compute, unless KEEP_PREVIOUS=1 (an instant switch back).

A failed check stops the switch before anything users reach changes (step 2) or points
the front door back (step 4); the previous compute is removed only after step 4.
`switch()` takes each step as a callable, so the local rehearsal runs the same order
against its stand-ins.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3

from tools import deploy_serverless
from tools.deploy_serverful import ROOT, Deployment, write_outputs
from tools.ready import wait_until_ready
from tools.wheels import DeployError

ARCHITECTURES = ("serverless", "serverful")


@dataclass(frozen=True)
class Origin:
    """Where the front door sends the API's paths: one compute path's gateway."""

    architecture: str
    domain_name: str
    origin_path: str

    @property
    def url(self) -> str:
        """The gateway's own URL: what step 2 checks directly."""
        return f"https://{self.domain_name}{self.origin_path}"

    def as_backend(self) -> dict[str, str]:
        """The foundation's `backend` variable."""
        return {
            "architecture": self.architecture,
            "domain_name": self.domain_name,
            "origin_path": self.origin_path,
        }

    @classmethod
    def from_backend(cls, backend: Mapping[str, str] | None) -> Origin | None:
        return None if not backend else cls(**backend)


@dataclass(frozen=True)
class Steps:
    """The switch's steps, each a callable (the real ones: `aws_steps`)."""

    deploy: Callable[[str], Origin]  # deploy that architecture's compute; its origin
    check_ready: Callable[[str], None]  # GET <url>/ready answers 200, else raises
    point: Callable[[Origin], None]  # the front door's API paths go to this origin
    remove: Callable[[str], None]  # remove that architecture's compute


def switch(
    steps: Steps,
    target: str,
    current: Origin | None,
    front_door_url: str,
    keep_previous: bool = False,
    say: Callable[[str], None] = print,
) -> Origin:
    """Run the five steps in order; returns the origin the front door now routes to."""
    if target not in ARCHITECTURES:
        raise DeployError(f"ARCHITECTURE must be serverless or serverful, not {target!r}")
    say(f"switch: 1/5 deploy the {target} compute onto the foundation")
    origin = steps.deploy(target)
    say(f"switch: 2/5 check {origin.url}/ready directly")
    steps.check_ready(origin.url)
    say(f"switch: 3/5 point the front door at {origin.url}")
    steps.point(origin)
    say(f"switch: 4/5 confirm {front_door_url}/ready through the front door")
    try:
        steps.check_ready(front_door_url)
    except DeployError:
        if current is not None and current != origin:
            say(f"switch: the front door does not answer: pointing it back at {current.url}")
            steps.point(current)
        raise
    previous = current.architecture if current else None
    if previous is None or previous == target:
        say("switch: 5/5 no previous compute to remove")
    elif keep_previous:
        say(f"switch: 5/5 kept the {previous} compute (KEEP_PREVIOUS): switching back is instant")
    else:
        say(f"switch: 5/5 remove the {previous} compute")
        steps.remove(previous)
    say(f"switch: done, {front_door_url} serves the {target} compute")
    return origin


def ready_or_fail(url: str) -> None:
    if not wait_until_ready(url):
        raise DeployError(f"{url}/ready did not answer 200")


def aws_steps(
    foundation: Deployment,
    serverless_args: argparse.Namespace,
    artifact: Path,
    session: Any,
    run_sam: deploy_serverless.Runner = deploy_serverless.run,
) -> Steps:
    """The steps against AWS: the foundation and the EC2 path with Terraform, the
    serverless path with `sam` (tools/deploy_serverful.py, tools/deploy_serverless.py)."""

    def deploy(architecture: str) -> Origin:
        if architecture == "serverless":
            deploy_serverless.preflight(session, serverless_args)
            outputs = deploy_serverless.deploy_compute(
                session, serverless_args, run_sam, foundation.apply_foundation()
            )
            return Origin(**deploy_serverless.api_origin(outputs))
        foundation.apply_foundation()
        compute = foundation.apply_compute(artifact)
        write_outputs(compute)
        return Origin(**compute["api_origin"])

    def remove(architecture: str) -> None:
        if architecture == "serverless":
            deploy_serverless.destroy(session, serverless_args, run_sam, foundation)
        else:
            foundation.destroy_compute()

    def point(origin: Origin) -> None:
        foundation.apply_foundation(origin.as_backend())

    return Steps(deploy=deploy, check_ready=ready_or_fail, point=point, remove=remove)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("architecture", choices=ARCHITECTURES)
    parser.add_argument("--keep-previous", action="store_true", help="keep the other compute")
    parser.add_argument("--artifact", type=Path, default=ROOT / "build/serverful/app.zip")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "serverless")
    args = parser.parse_args(argv)

    foundation = Deployment.from_environment()
    stage = os.environ.get("STAGE") or "prod"
    serverless_args = argparse.Namespace(
        out=args.out,
        stage=stage,
        stack=deploy_serverless.stack_name(stage, os.environ.get("STACK_NAME")),
        sam=os.environ.get("SAM") or str(ROOT / ".venv-sam/bin/sam"),
        artifact_bucket=os.environ.get("ARTIFACT_BUCKET"),
        parameter=[],
        outputs=ROOT / ".deploy" / "serverless-outputs.json",
    )
    session = boto3.Session(region_name=foundation.settings.region)
    state = foundation.outputs("persistent")
    if not state.get("web_url"):
        raise DeployError(
            "no foundation yet: deploy one architecture first "
            "(make deploy-serverless or make deploy-serverful)"
        )
    switch(
        aws_steps(foundation, serverless_args, args.artifact, session),
        args.architecture,
        Origin.from_backend(state.get("backend")),
        state["web_url"],
        keep_previous=args.keep_previous,
    )


if __name__ == "__main__":
    main()
