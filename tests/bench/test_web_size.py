"""`make bench-web`: every chunk printed, and a first page over the budget fails."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from bench import web_size


def build(dist: Path, sizes: dict[str, int]) -> None:
    """A Vite build whose chunks hold `sizes` bytes of incompressible data."""
    (dist / ".vite").mkdir(parents=True)
    (dist / "assets").mkdir()
    for name, size in sizes.items():
        (dist / "assets" / f"{name}.js").write_bytes(os.urandom(size))
    manifest = {
        "index.html": {
            "file": "assets/index.js",
            "name": "index",
            "isEntry": True,
            "imports": ["_shared.js"],
            "dynamicImports": ["src/auth/AuthScreens.tsx", "src/todos/TodoApp.tsx"],
        },
        "_shared.js": {"file": "assets/shared.js", "name": "shared"},
        "src/auth/AuthScreens.tsx": {"file": "assets/AuthScreens.js", "name": "AuthScreens"},
        "src/todos/TodoApp.tsx": {"file": "assets/TodoApp.js", "name": "TodoApp"},
    }
    (dist / ".vite" / "manifest.json").write_text(json.dumps(manifest))


def test_prints_every_chunk_and_passes_within_the_budget(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    build(tmp_path, {"index": 60_000, "shared": 20_000, "AuthScreens": 5_000, "TodoApp": 15_000})
    assert web_size.main(tmp_path) == 0
    out = capsys.readouterr().out
    for chunk in ("index", "shared", "AuthScreens", "TodoApp"):
        assert f"assets/{chunk}.js" in out
    assert "within the 100 KB budget" in out


def test_fails_when_one_first_page_is_over_the_budget(tmp_path: Path) -> None:
    # The sign-in page stays small; the signed-in page loads 105 KB.
    build(tmp_path, {"index": 60_000, "shared": 20_000, "AuthScreens": 5_000, "TodoApp": 27_000})
    assert web_size.main(tmp_path) == 1
