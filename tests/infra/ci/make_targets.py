"""Checks that every `make` command a CodeBuild build spec runs names a real target.

The targets come from make's own database (`make -qp`) of a Makefile, so
targets defined in any included mk/*.mk file, and pattern rules, count.
Variables in a target name (`deploy-$ARCHITECTURE-backend`) are expanded over
every value the pipeline allows for them.
"""

from __future__ import annotations

import fnmatch
import itertools
import os
import re
import shlex
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

# Words that may precede a command in a shell line (`if ...; then make x; fi`).
SHELL_KEYWORDS = {"if", "then", "else", "elif", "do", "while", "until", "!", "{", "(", "time"}
CONTROL_OPERATORS = {"&&", "||", ";", "|", "&", ";;", "(", ")"}
# make options that take the next word as their value.
OPTIONS_WITH_VALUE = {"-C", "-f", "--file", "--makefile", "-I", "-o", "-W", "--directory"}
VARIABLE = re.compile(r"\$(?:\{(\w+)\}|(\w+))")
ASSIGNMENT = re.compile(r"^\w+=")


@dataclass(frozen=True)
class MakeDatabase:
    targets: frozenset[str]
    patterns: tuple[str, ...]

    def has(self, target: str) -> bool:
        if target in self.targets:
            return True
        return any(fnmatch.fnmatchcase(target, p.replace("%", "*")) for p in self.patterns)


def make_database(directory: Path) -> MakeDatabase:
    """Targets and pattern rules make knows in `directory`'s Makefile (`make -qpr`)."""
    env = {k: v for k, v in os.environ.items() if k not in {"MAKEFLAGS", "MFLAGS", "MAKELEVEL"}}
    proc = subprocess.run(
        # -r: without make's built-in rules, whose match-anything `%` pattern
        # would accept any name.
        ["make", "-qpr", "--no-print-directory"],
        cwd=directory,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    # -q exits 0/1 (up to date or not); 2 means make itself failed.
    if proc.returncode == 2 or "# Make data base" not in proc.stdout:
        raise RuntimeError(f"make -qpr failed in {directory}:\n{proc.stderr}")
    targets: set[str] = set()
    patterns: list[str] = []
    not_a_target = False
    for line in proc.stdout.splitlines():
        if line == "# Not a target:":
            not_a_target = True
            continue
        match = re.match(r"^([^\s#:=][^:=]*?)::?(?:\s|$)", line)
        if match and not line.startswith("\t"):
            if not not_a_target:
                for name in match.group(1).split():
                    if name == "%":
                        continue  # a catch-all rule proves nothing about a name
                    if "%" in name:
                        patterns.append(name)
                    else:
                        targets.add(name)
            not_a_target = False
    return MakeDatabase(frozenset(targets), tuple(patterns))


def make_invocations(command: str) -> list[list[str]]:
    """The argument lists of every `make` call in a shell command string."""
    calls = []
    for line in command.replace("\\\n", " ").splitlines():
        lexer = shlex.shlex(line, posix=True, punctuation_chars=";&|()")
        lexer.whitespace_split = True
        lexer.commenters = "#"
        words = list(lexer)
        segments: list[list[str]] = [[]]
        for word in words:
            if word in CONTROL_OPERATORS:
                segments.append([])
            else:
                segments[-1].append(word)
        for segment in segments:
            while segment and (segment[0] in SHELL_KEYWORDS or ASSIGNMENT.match(segment[0])):
                segment = segment[1:]
            if segment and segment[0] in {"make", "gmake", "$(MAKE)"}:
                calls.append(segment[1:])
    return calls


def goals(args: list[str]) -> list[str]:
    """The goals (targets) of one make call's arguments."""
    found = []
    words = iter(args)
    for word in words:
        if word in OPTIONS_WITH_VALUE:
            if word in {"-C", "--directory", "-f", "--file", "--makefile"}:
                raise ValueError(f"make {word} points at another Makefile; cannot check: {args}")
            next(words, None)
        elif word.startswith("-") or ASSIGNMENT.match(word):
            continue
        else:
            found.append(word)
    return found


def expand(target: str, variables: dict[str, list[str]]) -> list[str]:
    """Every concrete name a target with shell variables can take."""
    names = [a or b for a, b in VARIABLE.findall(target)]
    unknown = [n for n in names if n not in variables]
    if unknown:
        raise ValueError(f"target {target!r} uses {unknown}; no allowed values known for them")
    if not names:
        return [target]
    unique = list(dict.fromkeys(names))
    results = []
    for combo in itertools.product(*(variables[n] for n in unique)):
        results.append(substitute(target, dict(zip(unique, combo, strict=True))))
    return results


def substitute(text: str, values: dict[str, str]) -> str:
    return VARIABLE.sub(lambda m: values[m.group(1) or m.group(2)], text)


def buildspec_commands(buildspec: dict[str, Any]) -> list[str]:
    """Every command string of a build spec, in phase order."""
    commands: list[str] = []
    for phase in (buildspec.get("phases") or {}).values():
        for key in ("commands", "finally"):
            commands.extend(str(c) for c in (phase or {}).get(key) or [])
    return commands


def missing_targets(
    buildspec_path: Path, database: MakeDatabase, variables: dict[str, list[str]]
) -> tuple[list[str], list[str]]:
    """(targets the build spec runs, those of them make does not know)."""
    spec = yaml.safe_load(buildspec_path.read_text())
    used: list[str] = []
    for command in buildspec_commands(spec):
        for call in make_invocations(command):
            call_goals = goals(call)
            if not call_goals:
                raise ValueError(f"{buildspec_path.name}: `make {' '.join(call)}` names no target")
            for goal in call_goals:
                used.extend(expand(goal, variables))
    return used, [t for t in used if not database.has(t)]
