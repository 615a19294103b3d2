"""The imports follow layout.toml: allowed arrows only, through each part's package, and no cycles."""
from __future__ import annotations

import ast
import importlib.util
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("indexer", "webapp")


def _tool():
    spec = importlib.util.spec_from_file_location("draw_layout", REPO / "tools" / "draw_layout.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


draw_layout = _tool()


@dataclass(frozen=True)
class Import:
    source: str  # the importing module
    target: str  # the module imported (a package when a name is taken from its __init__)
    names: tuple[str, ...]  # the names taken, for `from target import names`
    line: int
    external: str | None = None  # the top-level name of a library, for absolute imports of one


def module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def read_modules(root: Path = REPO) -> dict[str, str]:
    """Every module of our packages: name -> source."""
    return {module_name(p, root): p.read_text(encoding="utf-8")
            for package in PACKAGES for p in sorted((root / package).rglob("*.py"))}


def imports(modules: dict[str, str], packages: set[str]) -> list[Import]:
    """Every import in every module, at any depth (a lazy import in a function counts too)."""
    found = []
    for name, source in modules.items():
        here = name if name in packages else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    found.append(Import(name, alias.name, (), node.lineno, alias.name.split(".")[0]))
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = ".".join(here.split(".")[:len(here.split(".")) - node.level + 1])
                    base = f"{base}.{node.module}" if node.module else base
                    external = None
                else:
                    base, external = node.module, node.module.split(".")[0]
                for alias in node.names:
                    sub = f"{base}.{alias.name}"
                    target = sub if sub in modules else base
                    found.append(Import(name, target, () if target == sub else (alias.name,), node.lineno,
                                        external))
    return found


def part_of(module: str, layout: dict) -> dict | None:
    """The part a module belongs to: a single module exactly, a package by the longest prefix."""
    best = None
    for part in layout["part"]:
        single = part["path"].endswith(".py")
        if module == part["name"] or (not single and module.startswith(part["name"] + ".")):
            if best is None or len(part["name"]) > len(best["name"]):
                best = part
    return best


def cycles(modules: set[str], edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), and self-imports."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1 or v in edges.get(v, ()):
                found.append(sorted(component))

    for v in sorted(modules):
        if v not in index:
            visit(v)
    return found


def violations(modules: dict[str, str], layout: dict, public: set[str]) -> list[str]:
    """Everything the imports do that layout.toml does not allow, as lines to read."""
    packages = {m for m in modules if any(other.startswith(m + ".") for other in modules)}
    problems = []
    for name in sorted(modules):
        if part_of(name, layout) is None:
            problems.append(f"{name}: in no part of layout.toml")
    edges: dict[str, set[str]] = {}
    found = imports(modules, packages)
    for imp in found:
        source = part_of(imp.source, layout)
        if source is None:
            continue
        if imp.external and imp.external not in PACKAGES:
            allowed = layout.get("libraries", {}).get(imp.external)
            if allowed is not None and source["name"] not in allowed:
                problems.append(f"{imp.source}:{imp.line}: imports {imp.external}, which only "
                                f"{', '.join(allowed)} may")
            continue
        if imp.target not in modules:
            problems.append(f"{imp.source}:{imp.line}: imports {imp.target}, which is not a module of ours")
            continue
        edges.setdefault(imp.source, set()).add(imp.target)
        target = part_of(imp.target, layout)
        if target is None or target is source:
            continue
        if target["name"] not in source["uses"]:
            problems.append(f"{imp.source}:{imp.line}: imports {imp.target}, but {source['name']} may not "
                            f"use {target['name']} (layout.toml)")
        elif imp.target != target["name"]:
            problems.append(f"{imp.source}:{imp.line}: imports {imp.target}: reach {target['name']} through "
                            "its package, not a module inside it")
        elif target["name"] == "indexer":
            hidden = [n for n in imp.names if n not in public]
            if hidden:
                problems.append(f"{imp.source}:{imp.line}: {', '.join(hidden)} not in indexer.__all__")
    for component in cycles(set(modules), edges):
        problems.append("import cycle: " + " -> ".join(component))
    return problems


@pytest.fixture(scope="module")
def layout():
    return draw_layout.load()


@pytest.fixture(scope="module")
def public():
    import indexer

    return set(indexer.__all__)


def test_the_code_follows_the_layout(layout, public):
    assert violations(read_modules(), layout, public) == []


def test_every_part_in_the_layout_exists(layout):
    for part in layout["part"]:
        assert (REPO / part["path"]).exists(), part["path"]
        assert {*part["uses"]} <= {p["name"] for p in layout["part"]}, part["name"]


def test_readme_layout_is_drawn_from_the_table():
    assert draw_layout.main(["--check"]) == 0


def test_root_names_resolve_and_nothing_heavy_loads_with_the_root():
    import subprocess

    code = ("import sys, indexer; before = set(sys.modules)\n"
            "import indexer.extract\n"
            "print(sorted(m for m in set(sys.modules) - before if m.split('.')[0] in "
            "('whoosh', 'numpy', 'flask', 'argparse', 'indexer') and not m.startswith(('indexer.extract', "
            "'indexer.lang', 'indexer.models', 'indexer.errors'))))\n"
            "[getattr(indexer, n) for n in indexer.__all__]\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"}).stdout
    assert out.strip() == "[]"  # an extraction worker loads no search engine, numpy or CLI


def test_the_command_line_loads_no_flask():
    import subprocess

    code = ("import sys, webapp.cli; print(sorted({m.split('.')[0] for m in sys.modules} & "
            "{'flask', 'numpy', 'gunicorn', 'waitress'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"}).stdout
    assert out.strip() == "[]"  # every `arkiv` command starts through webapp.cli


# -- the checker itself finds what it is for ------------------------------------------------
def _with(extra: dict[str, str]) -> dict[str, str]:
    return {**read_modules(), **extra}


@pytest.mark.parametrize("module, source, expected", [
    pytest.param("indexer.index.bad", "from ..search import SearchIndex\n", "may not use indexer.search",
                 id="index-uses-search"),
    pytest.param("indexer.lang.bad", "from ..models import Document\n", "may not use indexer.models",
                 id="lang-is-a-leaf"),
    pytest.param("indexer.changes.bad", "def f():\n    from ..cli import main\n", "may not use indexer.cli",
                 id="lazy-import-of-cli"),
    pytest.param("indexer.changes.bad", "from ..index.store import TextCache\n", "through its package",
                 id="private-module"),
    pytest.param("indexer.extract.bad", "import whoosh\n", "only indexer.index, indexer.search may",
                 id="whoosh-outside-index-and-search"),
    pytest.param("indexer.index.bad", "from flask import Flask\n", "only webapp may", id="flask-in-indexer"),
    pytest.param("webapp.bad", "from indexer.search import SearchIndex\n", "may not use indexer.search",
                 id="webapp-past-the-public-api"),
    pytest.param("webapp.bad", "from indexer import TextCache\n", "not in indexer.__all__",
                 id="webapp-private-name"),
    pytest.param("indexer.index.bad", "from . import update\n", "import cycle", id="no-cycle-by-accident"),
    pytest.param("indexer.bad", "", "in no part of layout.toml", id="unplaced-module"),
])
def test_a_forbidden_import_is_found(layout, public, module, source, expected):
    modules = _with({module: source})
    if expected == "import cycle":  # make the cycle: the package imports the new module, which imports back
        modules["indexer.index.update"] += "\nfrom . import bad\n"
        modules[module] = "from . import update\n"
    found = violations(modules, layout, public)
    assert any(expected in line for line in found), found


def test_a_cycle_between_packages_is_found(layout, public):
    modules = _with({"webapp.views": read_modules()["webapp.views"] + "\nfrom .app import create_app\n"})
    assert any(line.startswith("import cycle") and "webapp.views" in line
               for line in violations(modules, layout, public))
