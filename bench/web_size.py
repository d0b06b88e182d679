"""Gzipped size of the JS and CSS the web app's first page loads (`make bench-web`).

Reads the Vite manifest of the production build (web/dist) and follows static
imports from index.html. The first page is one of two screens, each a lazy chunk
fetched right after start-up: sign-in for a visitor, the todo list for a signed-in
user; both are counted. Rarely used screens (sign-up, password reset, the
session-expired dialog) share the sign-in chunk or load only when opened.
Prints every chunk; fails when either first page loads more than the budget:
at most 100 KB of gzipped JS.
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

DIST = Path(__file__).resolve().parent.parent / "web" / "dist"
BUDGET_JS_KB = 100.0
# Chunk names (the source file's stem) of the screens one of which every first page shows.
FIRST_SCREENS = {
    "signed out (sign-in screen)": "AuthScreens",
    "signed in (todo list)": "TodoApp",
}


def gzipped_kb(path: Path) -> float:
    return len(gzip.compress(path.read_bytes(), compresslevel=9)) / 1024


def closure(manifest: dict[str, dict], key: str, seen: set[str]) -> set[str]:
    """The chunk `key` and everything it imports statically."""
    if key in seen or key not in manifest:
        return seen
    seen.add(key)
    for imported in manifest[key].get("imports", []):
        closure(manifest, imported, seen)
    return seen


def files_of(manifest: dict[str, dict], keys: set[str]) -> tuple[set[str], set[str]]:
    js = {manifest[k]["file"] for k in keys}
    css = {c for k in keys for c in manifest[k].get("css", [])}
    return js, css


def main(dist: Path = DIST) -> int:
    manifest_path = dist / ".vite" / "manifest.json"
    if not manifest_path.exists():
        print(f"No build at {dist}: run `make web-build` first.", file=sys.stderr)
        return 2
    manifest = json.loads(manifest_path.read_text())
    entry = next(k for k, v in manifest.items() if v.get("isEntry"))
    entry_keys = closure(manifest, entry, set())
    entry_js, entry_css = files_of(manifest, entry_keys)

    def total(files: set[str]) -> float:
        return sum(gzipped_kb(dist / f) for f in files)

    print("every chunk (gzip):")
    for file in sorted(
        {c["file"] for c in manifest.values()}
        | {f for c in manifest.values() for f in c.get("css", [])}
    ):
        print(f"  {file:48} {gzipped_kb(dist / file):6.1f} KB")

    print(f"entry (index.html): JS {total(entry_js):6.1f} KB gz, CSS {total(entry_css):5.1f} KB gz")
    worst = 0.0
    lazy_keys = manifest[entry].get("dynamicImports", [])
    by_name = {manifest[k]["name"]: k for k in lazy_keys}
    for label, name in FIRST_SCREENS.items():
        if name not in by_name:
            print(
                f"No lazy chunk named {name} in the build: update FIRST_SCREENS.", file=sys.stderr
            )
            return 2
        keys = closure(manifest, by_name[name], set()) | entry_keys
        js, css = files_of(manifest, keys)
        js_kb = total(js)
        worst = max(worst, js_kb)
        print(f"first page, {label}: JS {js_kb:6.1f} KB gz, CSS {total(css):5.1f} KB gz")
    on_demand = {k for chunk in manifest.values() for k in chunk.get("dynamicImports", [])}
    lazy = sorted(
        (manifest[k]["file"], gzipped_kb(dist / manifest[k]["file"]))
        for k in on_demand
        if manifest[k]["name"] not in FIRST_SCREENS.values()
    )
    for file, kb in lazy:
        print(f"loaded on demand: {file} {kb:.1f} KB gz")
    verdict = "within" if worst <= BUDGET_JS_KB else "OVER"
    print(f"budget: first-load JS {worst:.1f} KB gz, {verdict} the {BUDGET_JS_KB:.0f} KB budget")
    return 0 if worst <= BUDGET_JS_KB else 1


if __name__ == "__main__":
    sys.exit(main())
