"""Measure the start-up costs of two checkouts side by side in one run.

Three figures, each taken in fresh subprocesses of the same interpreter that import
one checkout through PYTHONPATH, alternating the checkouts (new, baseline, new, ...):
worker boot (an ExtractionPool with one worker, from `run()` until the first result
for a tiny text file arrives, and how many modules that worker then has loaded);
`arkiv --help` wall time; and one changed file until searchable (an unknown word
appended to one document of a copy of the sample archive, then `arkiv index` and
`arkiv search WORD --json`, which must find it). Prints the median and min of each.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import string
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CLI = "import sys; from webapp.cli import main; sys.exit(main(sys.argv[1:]))"
# The venv's editable install maps `indexer` to the tree it was installed from, through a
# finder at the END of sys.meta_path, so PYTHONPATH wins; this check proves it at exit.
VERIFY = ("import atexit, json, sys\n"
          "atexit.register(lambda: sys.stderr.write('\\nBENCH-MODULES ' + json.dumps(sorted(\n"
          "    m.__file__ for n, m in list(sys.modules.items())\n"
          "    if n.partition('.')[0] in ('indexer', 'webapp') and getattr(m, '__file__', None))) + '\\n'))\n"
          ) + CLI
# Workers import a target by module and name, so the probe must be a real module file.
PROBE = '''\
import importlib, inspect, json, sys, time

def pool_module():
    try:  # the new layout first
        return importlib.import_module("indexer.extract.pool")
    except ModuleNotFoundError as e:
        if e.name not in ("indexer.extract.pool", "indexer.extract"):
            raise
        return importlib.import_module("indexer.pool")

def probe(path, max_bytes, on_pages):
    """Read the file with the pool's own default target, then report on this worker."""
    default = inspect.signature(pool_module().ExtractionPool).parameters["target"].default
    result = default(path, max_bytes, on_pages)
    if isinstance(result, tuple):
        return ("probe-failed", repr(result))
    files = sorted(m.__file__ for n, m in list(sys.modules.items())
                   if n.partition(".")[0] == "indexer" and getattr(m, "__file__", None))
    return ("ok-probe", json.dumps({"modules": len(sys.modules), "files": files}))

def boot(tiny):
    pool = pool_module()
    with pool.ExtractionPool(1, pool.PoolLimits(), target=probe) as p:
        start = time.perf_counter()
        _i, (status, detail) = next(iter(p.run([tiny])))
        seconds = time.perf_counter() - start
    if status != "ok-probe":
        sys.exit(f"probe: {status}: {detail}")
    print(json.dumps({"seconds": seconds, "pool": pool.__file__, **json.loads(detail)}))
'''


class Tree:
    """One checkout and the environment its subprocesses run in."""

    def __init__(self, root: Path, work: Path, cache: Path):
        self.root, self.work = root, work
        self.env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONDONTWRITEBYTECODE")}
        # Bytecode goes to a cache of our own: the checkouts stay untouched, and both
        # start with compiled .pyc files (after the warm-up) as an installed copy would.
        self.env.update(PYTHONPATH=str(root), PYTHONPYCACHEPREFIX=str(cache))

    def run(self, code: str, *args: str, probe_dir: Path | None = None) -> tuple[float, str, str]:
        env = dict(self.env)
        if probe_dir:
            env["PYTHONPATH"] += os.pathsep + str(probe_dir)
        start = time.perf_counter()
        # cwd outside both checkouts: `-c` puts the cwd first on sys.path.
        proc = subprocess.run([sys.executable, "-c", code, *args], cwd=self.work, env=env,
                              capture_output=True, text=True)
        seconds = time.perf_counter() - start
        if proc.returncode != 0:
            sys.exit(f"{self.root}: {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr}")
        return seconds, proc.stdout, proc.stderr

    def check_files(self, files: list[str], what: str) -> None:
        stray = [f for f in files if not f.startswith(str(self.root) + os.sep)]
        if stray or not files:
            sys.exit(f"{what} of {self.root} imported {len(stray)} modules from elsewhere, e.g. {stray[:3]}"
                     if stray else f"{what} of {self.root} imported no indexer module at all")

    def cli(self, *args: str, verify: bool = False) -> tuple[float, str]:
        seconds, out, err = self.run(VERIFY if verify else CLI, *args)
        if verify:
            files = json.loads(err.rpartition("BENCH-MODULES ")[2])
            self.check_files(files, f"arkiv {args[0]}")
            print(f"  {self.root}: arkiv {args[0]} imports {next(f for f in files if f.endswith('indexer/__init__.py'))}")
        return seconds, out


def worker_boot(tree: Tree, probe_dir: Path, tiny: Path, first: bool) -> dict:
    _s, out, _e = tree.run("import _startup_probe as p, sys; p.boot(sys.argv[1])", str(tiny), probe_dir=probe_dir)
    data = json.loads(out)
    tree.check_files(data["files"] + [data["pool"]], "the worker")
    if first:
        print(f"  {tree.root}: the pool is {data['pool']}")
    return data


class Searchable:
    """A copy of the sample archive, indexed once, in which one document keeps changing."""

    def __init__(self, tree: Tree, work: Path):
        self.tree, self.archive, self.index = tree, work / "archive", work / "index"
        shutil.copytree(tree.root / "archive", self.archive)
        self.doc = sorted(p for p in self.archive.rglob("*") if p.suffix in (".md", ".txt"))[0]
        tree.cli("index", "--archive", str(self.archive), "--index", str(self.index), verify=True)

    def once(self) -> tuple[float, float]:
        word = "zqx" + "".join(random.choices(string.ascii_lowercase, k=10))  # letters only: one token
        with self.doc.open("a", encoding="utf-8") as f:
            f.write(f"\n\n{word}\n")
        where = ("--archive", str(self.archive), "--index", str(self.index))
        indexing, out = self.tree.cli("index", *where, "--json")
        if json.loads(out)["updated"] != 1:
            sys.exit(f"{self.tree.root}: index did not see the change to {self.doc}:\n{out}")
        searching, out = self.tree.cli("search", word, *where, "--json")
        if json.loads(out)["total"] < 1:
            sys.exit(f"{self.tree.root}: '{word}' appended to {self.doc} is not found after indexing")
        return indexing, indexing + searching


def measure(trees: list[Tree], repeat: int, once) -> list[list]:
    """once(tree, first) for each tree, alternating; the first round is an untimed warm-up.

    The warm-up also fills the bytecode caches, and is where imports are verified."""
    for tree in trees:
        once(tree, True)
    samples: list[list] = [[] for _ in trees]
    for _ in range(repeat):
        for tree, got in zip(trees, samples):
            got.append(once(tree, False))
    return samples


def cell(values: list[float], ms: bool) -> str:
    if not ms:
        return f"{min(values):.0f}" if min(values) == max(values) else f"{min(values):.0f}–{max(values):.0f}"
    return f"{statistics.median(values) * 1000:.0f} ms (min {min(values) * 1000:.0f})"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--new", type=Path, default=REPO, help="checkout to measure (default: %(default)s)")
    ap.add_argument("--baseline", type=Path, help="checkout to compare with (default: none, only --new)")
    ap.add_argument("--repeat", type=int, default=5, help="timed runs per checkout and figure (default: 5)")
    args = ap.parse_args()
    roots = [args.new.resolve()] + ([args.baseline.resolve()] if args.baseline else [])

    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        tmp = Path(tmp)
        probe_dir, cwd = tmp / "probe", tmp / "cwd"
        probe_dir.mkdir(), cwd.mkdir()
        (probe_dir / "_startup_probe.py").write_text(PROBE)
        tiny = tmp / "tiny.txt"
        tiny.write_text("Ett litet protokoll från nätverksmötet.\n", encoding="utf-8")
        # One bytecode cache per checkout: the same path in two trees would share .pyc files.
        trees = [Tree(root, cwd, tmp / f"pycache{i}") for i, root in enumerate(roots)]

        print(f"python {sys.version.split()[0]} ({sys.executable}), {args.repeat} timed runs each")
        rows: list[tuple[str, list[list[float]], bool]] = []
        boots = measure(trees, args.repeat, lambda t, first: worker_boot(t, probe_dir, tiny, first))
        rows.append(("worker boot (run → first result)", [[b["seconds"] for b in s] for s in boots], True))
        rows.append(("modules loaded in the worker", [[b["modules"] for b in s] for s in boots], False))
        rows.append(("  of them indexer's own", [[len(b["files"]) for b in s] for s in boots], False))
        helps = measure(trees, args.repeat, lambda t, first: t.cli("--help", verify=first)[0])
        rows.append(("arkiv --help", helps, True))
        copies = {t.root: Searchable(t, Path(tempfile.mkdtemp(dir=tmp))) for t in trees}
        first = copies[trees[0].root]
        print(f"  changed document: {first.doc.relative_to(first.archive)}")
        changes = measure(trees, args.repeat, lambda t, _first: copies[t.root].once())
        rows.append(("changed file: arkiv index", [[c[0] for c in s] for s in changes], True))
        rows.append(("changed file: index + search", [[c[1] for c in s] for s in changes], True))

    head = ["figure", "new"] + (["baseline", "new/baseline"] if len(trees) > 1 else [])
    table = [head]
    for name, samples, ms in rows:
        line = [name] + [cell(s, ms) for s in samples]
        if len(samples) > 1:
            line.append(f"{statistics.median(samples[0]) / statistics.median(samples[1]):.2f}")
        table.append(line)
    widths = [max(len(r[i]) for r in table) for i in range(len(head))]
    for r in [table[0], ["-" * w for w in widths]] + table[1:]:
        print(" | ".join(c.ljust(w) for c, w in zip(r, widths)))
    print(f"new: {trees[0].root}" + (f"   baseline: {trees[1].root}" if len(trees) > 1 else ""))


if __name__ == "__main__":
    main()
