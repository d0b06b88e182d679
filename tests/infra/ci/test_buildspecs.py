"""The CodeBuild build specs: they parse, pin their runtimes, cache pip/uv/npm,
report tests, hand the deploy outputs on, and every `make` command they run
names a target the final Makefile (with mk/*.mk) defines."""

from __future__ import annotations

import re
import shutil
import textwrap
from pathlib import Path

import pytest

from tests.infra.ci.cfn import BUILDSPECS, CI, REPO, load_template, load_workflow, load_yaml, resolve
from tests.infra.ci.make_targets import (
    MakeDatabase,
    buildspec_commands,
    goals,
    make_database,
    make_invocations,
    missing_targets,
)

SPEC_NAMES = {"buildspec-test.yml", "buildspec-backend.yml", "buildspec-frontend.yml"}
# The agreed targets the pipeline calls (docs/ci.md); a scratch Makefile with
# exactly these stands in for the final tree in the self-tests below.
PIPELINE_TARGETS = [
    "test",
    "switch",
    "web-build",
    "deploy-web",
]


def architecture_values() -> dict[str, list[str]]:
    allowed = load_template()["Parameters"]["Architecture"]["AllowedValues"]
    return {"ARCHITECTURE": list(allowed)}


def spec(name: str) -> dict:
    return load_yaml(CI / name)


def all_commands(name: str) -> str:
    return "\n".join(buildspec_commands(spec(name)))


def require_make() -> None:
    assert shutil.which("make"), "GNU make is not on PATH: apt-get install make"


# ---------------------------------------------------------------- the real tree


def test_the_three_build_specs_exist_and_parse() -> None:
    assert {p.name for p in BUILDSPECS} == SPEC_NAMES
    for path in BUILDSPECS:
        data = load_yaml(path)
        assert str(data["version"]) == "0.2", path.name
        assert data["phases"]["build"]["commands"], f"{path.name} has no build commands"


@pytest.mark.parametrize("name", sorted(SPEC_NAMES))
def test_every_make_target_a_build_spec_runs_exists_in_the_makefile(name: str) -> None:
    require_make()
    database = make_database(REPO)
    used, missing = missing_targets(CI / name, database, architecture_values())
    assert used, f"{name} runs no make target: every pipeline step must be a make target"
    assert not missing, f"{name} runs make targets that Makefile + mk/*.mk do not define: {missing}"


@pytest.mark.parametrize("name", sorted(SPEC_NAMES))
def test_build_steps_are_make_targets_only(name: str) -> None:
    # The build phase is what a laptop reproduces: nothing but make there.
    for command in spec(name)["phases"]["build"]["commands"]:
        calls = make_invocations(command)
        assert len(calls) == 1, f"{name}: build command is not one make call: {command!r}"


@pytest.mark.parametrize("name", sorted(SPEC_NAMES))
def test_pip_uv_and_npm_caches_are_kept_between_builds(name: str) -> None:
    data = spec(name)
    variables = data["env"]["variables"]
    paths = data["cache"]["paths"]
    assert f"{variables['PIP_CACHE_DIR']}/**/*" in paths
    assert f"{variables['UV_CACHE_DIR']}/**/*" in paths
    assert f"{variables['npm_config_cache']}/**/*" in paths


def test_the_test_stage_publishes_the_pytest_junit_file_as_a_report() -> None:
    data = spec("buildspec-test.yml")
    junit = re.search(r'PYTEST_ARGS="--junitxml=([^"\s]+)"', all_commands("buildspec-test.yml"))
    assert junit, "make test must pass --junitxml through PYTEST_ARGS"
    (report,) = data["reports"].values()
    assert report["file-format"] == "JUNITXML"
    assert Path(junit.group(1)) == Path(report["base-directory"]) / report["files"][0]


def test_backend_outputs_leave_as_the_artifact_the_frontend_reads() -> None:
    artifact_files = spec("buildspec-backend.yml")["artifacts"]["files"]
    for arch in architecture_values()["ARCHITECTURE"]:
        produced = f".deploy/{arch}-outputs.json"
        assert any(Path(produced).match(pattern) for pattern in artifact_files), produced
    # The pipeline names the backend's output artifact; CodeBuild exposes a
    # secondary input as $CODEBUILD_SRC_DIR_<artifact name>.
    stages = resolve(load_template())["Resources"]["Pipeline"]["Properties"]["Stages"]
    (backend,) = next(s for s in stages if s["Name"] == "Deploy")["Actions"]
    (output,) = backend["OutputArtifacts"]
    pre_build = "\n".join(spec("buildspec-frontend.yml")["phases"]["pre_build"]["commands"])
    expected = f'"$CODEBUILD_SRC_DIR_{output["Name"]}/.deploy/$ARCHITECTURE-outputs.json"'
    assert expected in pre_build


def test_every_script_a_build_spec_runs_exists() -> None:
    for path in BUILDSPECS:
        scripts = re.findall(r"\bci/[\w.-]+\.sh\b", "\n".join(buildspec_commands(load_yaml(path))))
        for script in scripts:
            assert (REPO / script).is_file(), f"{path.name} runs {script}, which does not exist"


def test_tool_versions_are_one_value_everywhere() -> None:
    # Each build spec and the GitHub workflow install the same Python, Node
    # and Terraform, so a release is built with what CI tested.
    workflow = load_workflow()["env"]
    for name in SPEC_NAMES:
        data = spec(name)
        runtimes = data["phases"]["install"]["runtime-versions"]
        assert str(runtimes["python"]) == workflow["PYTHON_VERSION"], name
        assert str(runtimes["nodejs"]) == workflow["NODE_VERSION"], name
        terraform = data["env"]["variables"].get("TERRAFORM_VERSION")
        assert terraform in (None, workflow["TERRAFORM_VERSION"]), name


# ---------------------------------------------------------------- the checker itself


def write_scratch_makefile(directory: Path, targets: list[str]) -> None:
    rules = "\n".join(f"{t}:\n\t@echo {t}" for t in targets)
    (directory / "mk").mkdir()
    # Like the real tree: area targets live in an included mk/*.mk file.
    (directory / "Makefile").write_text(
        f".PHONY: help\nhelp:\n\t@echo help\n-include $(wildcard mk/*.mk)\n{rules}\n"
    )


def test_checker_passes_the_real_build_specs_against_a_makefile_with_the_agreed_targets(
    tmp_path: Path,
) -> None:
    require_make()
    write_scratch_makefile(tmp_path, PIPELINE_TARGETS)
    database = make_database(tmp_path)
    for path in BUILDSPECS:
        _, missing = missing_targets(path, database, architecture_values())
        assert missing == [], path.name


def test_checker_fails_when_a_build_spec_names_a_missing_target(tmp_path: Path) -> None:
    require_make()
    # Everything except the switch the Deploy stage runs.
    write_scratch_makefile(tmp_path, [t for t in PIPELINE_TARGETS if t != "switch"])
    database = make_database(tmp_path)
    used, missing = missing_targets(CI / "buildspec-backend.yml", database, architecture_values())
    assert used == ["switch"]
    assert missing == ["switch"]


def test_checker_sees_targets_from_included_files_and_pattern_rules(tmp_path: Path) -> None:
    require_make()
    write_scratch_makefile(tmp_path, ["test"])
    (tmp_path / "mk" / "deploy.mk").write_text(
        "deploy-%-backend:\n\t@echo $*\ndeploy-web:\n\t@echo web\n"
    )
    database = make_database(tmp_path)
    assert database.has("deploy-web")
    assert database.has("deploy-serverful-backend")
    assert not database.has("deploy-serverful")
    assert not database.has("no-such-target")


def test_checker_does_not_count_make_builtin_rules_or_variables(tmp_path: Path) -> None:
    require_make()
    (tmp_path / "Makefile").write_text("NAME := value\nOTHER = a:b\nreal:\n\t@true\n")
    database = make_database(tmp_path)
    assert database.targets >= {"real"}
    assert not database.has("NAME")
    assert not database.has("OTHER")
    assert not database.has("anything.o")


def test_checker_reads_make_calls_inside_shell_lines() -> None:
    line = textwrap.dedent(
        """\
        if [ "$X" = y ]; then
          FOO=1 make -j2 first VAR="a b" && make --no-print-directory second
        fi
        echo make not-a-call  # make also-not
        """
    )
    assert [goals(c) for c in make_invocations(line)] == [["first"], ["second"]]


def test_checker_refuses_make_calls_it_cannot_check(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="another Makefile"):
        goals(["-C", "elsewhere", "test"])
    spec_file = tmp_path / "buildspec-x.yml"
    spec_file.write_text(
        "version: 0.2\nphases:\n  build:\n    commands:\n      - make deploy-$UNKNOWN\n"
    )
    with pytest.raises(ValueError, match="UNKNOWN"):
        missing_targets(spec_file, scratch_database(tmp_path), architecture_values())


def scratch_database(directory: Path) -> MakeDatabase:
    write_scratch_makefile(directory, PIPELINE_TARGETS)
    return make_database(directory)


def test_make_database_fails_loudly_on_a_broken_makefile(tmp_path: Path) -> None:
    require_make()
    (tmp_path / "Makefile").write_text("include does-not-exist.mk\n")
    with pytest.raises(RuntimeError, match="make -qpr failed"):
        make_database(tmp_path)
