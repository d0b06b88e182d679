"""The Makefile's venv is the Python production runs (CPython 3.13): found by itself,
named with PYTHON=..., and a clear error naming the fix when there is none."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def make(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "--no-print-directory", "-C", str(ROOT), *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_venv_python_found_by_default_is_cpython_3_13() -> None:
    result = make("--eval=print-python: ; @echo $(PYTHON)", "print-python")
    python = result.stdout.strip()
    assert python, result.stderr
    version = subprocess.run(
        [python, "-c", "import sys; print(sys.version.split()[0])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert version.startswith("3.13."), version


def test_another_python_is_refused_with_the_fix(tmp_path: Path) -> None:
    result = make("install", "PYTHON=/nonexistent/python3", f"VENV={tmp_path / 'venv'}")
    assert result.returncode != 0
    assert "CPython 3.13 is needed" in result.stderr
    assert "make install PYTHON=/path/to/python3.13" in result.stderr
    assert not (tmp_path / "venv").exists()
