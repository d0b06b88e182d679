"""Lint gate for the CI/CD definitions (run by `make ci-lint`, part of `make test`).

- cfn-lint and checkov on infra/ci/pipeline.yaml. checkov evaluates the template's
  conditions with the parameter defaults, so it scans one copy per allowed
  `Architecture` value: the serverful-only resources get scanned too.
- zizmor (offline) on .github/workflows/*.yml.

Accepted findings are listed in infra/ci/lint-skips.yaml, each with its reason. Any
other finding fails, and so does a listed skip that no longer matches a
finding (a stale skip would hide the next real problem).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = REPO / "infra" / "ci" / "pipeline.yaml"
WORKFLOWS = REPO / ".github" / "workflows"
SKIPS = REPO / "infra" / "ci" / "lint-skips.yaml"
TOOLS = ("cfn-lint", "checkov", "zizmor")
# This project's own checkov checks (CKV_TODO_*), run with checkov's built-in ones.
CHECKOV_CHECKS = REPO / "infra" / "ci" / "checkov_checks"


@dataclass(frozen=True)
class Finding:
    tool: str
    id: str
    resource: str
    message: str = ""

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.tool, self.id, self.resource)


@dataclass(frozen=True)
class Skip:
    tool: str
    id: str
    resource: str
    reason: str

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.tool, self.id, self.resource)


def load_skips(path: Path = SKIPS) -> list[Skip]:
    """Read the skip file; every entry needs an id, a resource and a reason."""
    data = yaml.safe_load(path.read_text()) or {}
    unknown = set(data) - set(TOOLS)
    if unknown:
        raise ValueError(f"{path}: unknown tool sections {sorted(unknown)}; expected {TOOLS}")
    skips = []
    for tool in TOOLS:
        for entry in data.get(tool) or []:
            missing = [k for k in ("id", "resource", "reason") if not str(entry.get(k, "")).strip()]
            if missing:
                raise ValueError(f"{path}: {tool} entry {entry!r} lacks {', '.join(missing)}")
            skips.append(
                Skip(tool, entry["id"], entry["resource"], " ".join(entry["reason"].split()))
            )
    return skips


def compare(findings: Iterable[Finding], skips: Iterable[Skip]) -> tuple[list[Finding], list[Skip]]:
    """Split into findings no skip accepts, and skips that match no finding."""
    findings = list(findings)
    skips = list(skips)
    skipped = {s.key for s in skips}
    found = {f.key for f in findings}
    unexpected = [f for f in findings if f.key not in skipped]
    stale = [s for s in skips if s.key not in found]
    return unexpected, stale


def architecture_values(template_text: str) -> list[str]:
    """The Architecture parameter's AllowedValues (the template is the one source)."""
    block = re.search(
        r"^  Architecture:\n(?:    .*\n)*?    AllowedValues: \[([^\]]*)\]", template_text, re.M
    )
    if not block:
        raise ValueError(
            "infra/ci/pipeline.yaml: Architecture parameter with AllowedValues not found"
        )
    return [v.strip() for v in block.group(1).split(",")]


def with_architecture_default(template_text: str, value: str) -> str:
    """The template with Parameters.Architecture.Default set to `value`."""
    pattern = re.compile(r"(^  Architecture:\n(?:    .*\n)*?    Default: )(\S+)", re.M)
    rendered, count = pattern.subn(lambda m: m.group(1) + value, template_text, count=1)
    if count != 1:
        raise ValueError("infra/ci/pipeline.yaml: Architecture parameter has no Default to vary")
    return rendered


def run(cmd: list[str]) -> subprocess.CompletedProcess[str]:
    # BC_SKIP_MAPPING: checkov would otherwise fetch guideline links from its
    # vendor's API; the result must not depend on the network.
    env = {**os.environ, "BC_SKIP_MAPPING": "TRUE"}
    return subprocess.run(cmd, capture_output=True, text=True, check=False, env=env)  # noqa: S603


def cfn_lint_findings(cfn_lint: str, template: Path) -> list[Finding]:
    proc = run([cfn_lint, "--format", "json", str(template)])
    if proc.returncode != 0 and not proc.stdout.strip():
        raise RuntimeError(f"cfn-lint failed to run:\n{proc.stderr}")
    findings = []
    for match in json.loads(proc.stdout or "[]"):
        path = match.get("Location", {}).get("Path") or []
        resource = str(path[1]) if len(path) > 1 and path[0] == "Resources" else "template"
        findings.append(
            Finding("cfn-lint", match["Rule"]["Id"], resource, match.get("Message", ""))
        )
    return findings


def checkov_findings(checkov: str, template_text: str) -> list[Finding]:
    findings: set[Finding] = set()
    for value in architecture_values(template_text):
        with tempfile.TemporaryDirectory() as tmp:
            rendered = Path(tmp) / f"pipeline-{value}.yaml"
            rendered.write_text(with_architecture_default(template_text, value))
            proc = run(
                [checkov, "-f", str(rendered), "--framework", "cloudformation",
                 "--external-checks-dir", str(CHECKOV_CHECKS),
                 "--quiet", "--skip-download", "--output", "json"]
            )  # fmt: skip
        if proc.returncode not in (0, 1) or not proc.stdout.strip():
            raise RuntimeError(f"checkov failed to run ({proc.returncode}):\n{proc.stderr}")
        reports: Any = json.loads(proc.stdout)
        for report in reports if isinstance(reports, list) else [reports]:
            for check in report.get("results", {}).get("failed_checks", []):
                findings.add(
                    Finding("checkov", check["check_id"], check["resource"], check["check_name"])
                )
    return sorted(findings, key=lambda f: f.key)


def zizmor_findings(zizmor: str, workflows: list[Path]) -> list[Finding]:
    proc = run([zizmor, "--offline", "--format", "json", *map(str, workflows)])
    if proc.returncode != 0 and not proc.stdout.strip():
        raise RuntimeError(f"zizmor failed to run ({proc.returncode}):\n{proc.stderr}")
    findings = []
    for finding in json.loads(proc.stdout or "[]"):
        local = finding["locations"][0]["symbolic"]["key"]["Local"]
        path = Path(local.get("verbatim_path") or local["given_path"]).resolve()
        where = path.relative_to(REPO).as_posix() if path.is_relative_to(REPO) else str(path)
        findings.append(Finding("zizmor", finding["ident"], where, finding.get("desc", "")))
    return findings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    bin_dir = Path(sys.executable).parent
    parser.add_argument("--cfn-lint", default=str(bin_dir / "cfn-lint"))
    parser.add_argument("--zizmor", default=str(bin_dir / "zizmor"))
    parser.add_argument("--checkov", required=True, help="checkov executable (own venv)")
    args = parser.parse_args(argv)

    for name, exe in (
        ("cfn-lint", args.cfn_lint),
        ("zizmor", args.zizmor),
        ("checkov", args.checkov),
    ):
        if not Path(exe).is_file():
            print(
                f"{name} not found at {exe}: run `make install` and `make checkov-install`",
                file=sys.stderr,
            )
            return 2

    template_text = TEMPLATE.read_text()
    workflows = sorted(WORKFLOWS.glob("*.yml")) + sorted(WORKFLOWS.glob("*.yaml"))
    findings = [
        *cfn_lint_findings(args.cfn_lint, TEMPLATE),
        *checkov_findings(args.checkov, template_text),
        *zizmor_findings(args.zizmor, workflows),
    ]
    skips = load_skips()
    unexpected, stale = compare(findings, skips)

    for skip in skips:
        if skip not in stale:
            print(f"accepted {skip.tool} {skip.id} on {skip.resource}: {skip.reason}")
    for finding in unexpected:
        print(f"FINDING {finding.tool} {finding.id} on {finding.resource}: {finding.message}")
    for skip in stale:
        print(f"STALE SKIP {skip.tool} {skip.id} on {skip.resource}: no such finding any more")
    if unexpected or stale:
        print(f"ci-lint: {len(unexpected)} finding(s), {len(stale)} stale skip(s) in {SKIPS.name}")
        return 1
    scanned = ", ".join(p.relative_to(REPO).as_posix() for p in [TEMPLATE, *workflows])
    print(f"ci-lint: cfn-lint, checkov and zizmor clean on {scanned}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
