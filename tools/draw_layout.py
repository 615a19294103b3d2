#!/usr/bin/env python3
"""Draw README's Layout section from layout.toml; `--check` says whether README is up to date.

tests/test_architecture.py enforces the table and runs the check, so the README
cannot drift from the imports the code is allowed to make.
"""
from __future__ import annotations

import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LAYOUT = REPO / "layout.toml"
README = REPO / "README.md"
START = "<!-- layout: drawn from layout.toml by tools/draw_layout.py; edit the table there -->"
END = "<!-- layout: end -->"


def load(path: Path = LAYOUT) -> dict:
    with open(path, "rb") as f:
        return tomllib.load(f)


def _short(name: str) -> str:
    return name.removeprefix("indexer.") if name != "indexer" else "indexer (root)"


def draw(layout: dict) -> str:
    """Return the Markdown of the Layout section: one row per part, with what it may import."""
    libraries: dict[str, list[str]] = {}
    for library, parts in layout.get("libraries", {}).items():
        for name in parts:
            libraries.setdefault(name, []).append(library)
    rows = ["| part | what it holds | may import |", "|---|---|---|"]
    for part in layout["part"]:
        uses = ", ".join(_short(u) for u in part["uses"]) or "nothing of ours"
        if part["name"] in libraries:
            uses += "; " + ", ".join(libraries[part["name"]])
        rows.append(f"| `{part['path']}` | {part['summary']} | {uses} |")
    return "\n".join([START, *rows, END])


def rewritten(readme: str, section: str) -> str:
    start, end = readme.find(START), readme.find(END)
    if start < 0 or end < start:
        raise SystemExit(f"README.md has no Layout markers ({START} … {END})")
    return readme[:start] + section + readme[end + len(END):]


def main(argv: list[str]) -> int:
    readme = README.read_text(encoding="utf-8")
    new = rewritten(readme, draw(load()))
    if "--check" in argv:
        if new != readme:
            print("README.md's Layout section is not what layout.toml says: run python tools/draw_layout.py",
                  file=sys.stderr)
            return 1
        return 0
    if new != readme:
        README.write_text(new, encoding="utf-8")
        print("README.md: Layout section redrawn")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
