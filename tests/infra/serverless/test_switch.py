"""tools/switch.py: the switch's order of steps, what a failed check stops, and what
KEEP_PREVIOUS keeps. The steps here record what they are asked; against AWS they are
the deploy scripts' (rehearsed on moto by tests/terraform and the local rehearsal)."""

from __future__ import annotations

import pytest

from tools.switch import Origin, Steps, switch
from tools.wheels import DeployError

FRONT_DOOR = "https://d111.cloudfront.net"
ORIGINS = {
    "serverless": Origin("serverless", "rest.execute-api.eu-west-1.amazonaws.com", "/api"),
    "serverful": Origin("serverful", "http.execute-api.eu-west-1.amazonaws.com", ""),
}


def quiet(line: str) -> None:
    """The switch's progress lines, unprinted."""


class Recorder:
    """Steps that log each call; `not_ready` names URLs whose /ready fails."""

    def __init__(self, not_ready: tuple[str, ...] = ()) -> None:
        self.calls: list[str] = []
        self.not_ready = not_ready

    def steps(self) -> Steps:
        return Steps(
            deploy=self.deploy, check_ready=self.check, point=self.point, remove=self.remove
        )

    def deploy(self, architecture: str) -> Origin:
        self.calls.append(f"deploy {architecture}")
        return ORIGINS[architecture]

    def check(self, url: str) -> None:
        self.calls.append(f"ready {url}")
        if url in self.not_ready:
            raise DeployError(f"{url}/ready did not answer 200")

    def point(self, origin: Origin) -> None:
        self.calls.append(f"point {origin.architecture}")

    def remove(self, architecture: str) -> None:
        self.calls.append(f"remove {architecture}")


def test_switch_deploys_checks_directly_points_confirms_then_removes_the_previous() -> None:
    recorder = Recorder()
    now = switch(recorder.steps(), "serverful", ORIGINS["serverless"], FRONT_DOOR, say=quiet)
    assert now == ORIGINS["serverful"]
    assert recorder.calls == [
        "deploy serverful",
        "ready https://http.execute-api.eu-west-1.amazonaws.com",
        "point serverful",
        f"ready {FRONT_DOOR}",
        "remove serverless",
    ]


def test_keep_previous_leaves_the_other_compute_running() -> None:
    recorder = Recorder()
    switch(recorder.steps(), "serverless", ORIGINS["serverful"], FRONT_DOOR, True, say=quiet)
    assert recorder.calls[-1] == f"ready {FRONT_DOOR}"
    assert not any(call.startswith("remove") for call in recorder.calls)


def test_a_fresh_foundation_or_the_same_architecture_removes_nothing() -> None:
    for current in (None, ORIGINS["serverless"]):
        recorder = Recorder()
        switch(recorder.steps(), "serverless", current, FRONT_DOOR, say=quiet)
        assert recorder.calls[-2:] == ["point serverless", f"ready {FRONT_DOOR}"]


def test_a_target_not_ready_directly_never_reaches_the_front_door() -> None:
    recorder = Recorder(not_ready=(ORIGINS["serverless"].url,))
    with pytest.raises(DeployError, match="did not answer 200"):
        switch(recorder.steps(), "serverless", ORIGINS["serverful"], FRONT_DOOR, say=quiet)
    assert recorder.calls == ["deploy serverless", f"ready {ORIGINS['serverless'].url}"]


def test_a_front_door_that_does_not_answer_is_pointed_back_and_nothing_is_removed() -> None:
    recorder = Recorder(not_ready=(FRONT_DOOR,))
    with pytest.raises(DeployError):
        switch(recorder.steps(), "serverless", ORIGINS["serverful"], FRONT_DOOR, say=quiet)
    assert recorder.calls[-3:] == ["point serverless", f"ready {FRONT_DOOR}", "point serverful"]
    assert not any(call.startswith("remove") for call in recorder.calls)


def test_an_unknown_architecture_is_refused_before_any_step() -> None:
    recorder = Recorder()
    with pytest.raises(DeployError, match="serverless or serverful"):
        switch(recorder.steps(), "kubernetes", None, FRONT_DOOR, say=quiet)
    assert recorder.calls == []


def test_origin_is_the_foundations_backend_variable_both_ways() -> None:
    origin = ORIGINS["serverless"]
    assert Origin.from_backend(origin.as_backend()) == origin
    assert Origin.from_backend(None) is None
    assert origin.url == "https://rest.execute-api.eu-west-1.amazonaws.com/api"
