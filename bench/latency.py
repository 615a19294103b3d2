#!/usr/bin/env python3
"""Single-client search latency of two checkouts on one index, side by side in one run.

    python bench/latency.py --archive DIR --index DIR --baseline CHECKOUT [--rounds 2] [--seed 1]

Each round runs this checkout and the baseline (e.g. `git worktree add /tmp/base <commit>`)
in turn, each in a fresh subprocess that imports its own `indexer` through PYTHONPATH and
opens the same index. Both ask the same never-asked queries, one at a time: two-word topics
drawn from bench/run.py's words; the same narrowed to a group, a year or both (the archive's
own folders); words the archive does not hold (fairtrade, a word of no language, topic words
misspelt by two swapped letters, alone and beside a real word), for which the spelling
suggestion is looked for and searched; and questions ("vad gäller för X?", "hur arbetar
regeringen med X?"). Prints p50, p95 and max per kind and checkout, how many answers ran
out of the time budget, and this checkout's p95 over the baseline's. The index must be one
both checkouts read (the same SCHEMA_VERSION); bench/run.py builds the 44k one.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))

from run import QUERIES, pct  # noqa: E402

CHILD = r"""
import json, sys, time
from pathlib import Path
from indexer import SearchIndex, SearchRequest
archive, index_dir, queries = sys.argv[1], sys.argv[2], json.loads(sys.stdin.read())
ix = SearchIndex(Path(archive), Path(index_dir))
ix.warm()  # open the index and load what a server loads at start: not part of any figure
out = {}
def request(q):
    if isinstance(q, str):
        return SearchRequest(query=q)
    return SearchRequest(query=q["q"], groups=tuple(q.get("groups", ())), years=tuple(q.get("years", ())))
for kind, texts in queries.items():
    times, partial = [], 0
    for q in texts:
        t = time.perf_counter()
        partial += ix.search(request(q)).partial
        times.append(time.perf_counter() - t)
    out[kind] = {"times": times, "partial": partial}
print(json.dumps(out))
"""


def _misspelt(word: str, rng: random.Random) -> str:
    """The word with two neighbouring inner letters swapped, as a quick typist writes it."""
    if len(word) < 4:
        return word + word[-1]
    i = rng.randrange(1, len(word) - 2)
    return word[:i] + word[i + 1] + word[i] + word[i + 2:]


def queries(seed: int, archive: Path) -> dict[str, list]:
    """Never-asked queries: two-word topics, the same with filters, words the archive lacks, and questions."""
    words = [q["q"] for q in QUERIES if q["q"] and " " not in q["q"] and "?" not in q["q"] and '"' not in q["q"]]
    rng = random.Random(seed)
    groups = sorted(p.name for p in archive.iterdir() if p.is_dir() and not p.name.startswith("."))
    years = [str(y) for y in range(2015, 2025)]
    filters = [{"groups": [g]} for g in rng.sample(groups, min(3, len(groups)))] + [
        {"years": [y]} for y in rng.sample(years, 3)] + [{"groups": [rng.choice(groups)], "years": [rng.choice(years)]}]
    return {
        "two words": [" ".join(rng.sample(words, 2)) for _ in range(60)],
        # Facets and snippets for a narrowed search: the filters a reader clicks.
        "filtered": [dict(f, q=" ".join(rng.sample(words, 2))) for f in filters for _ in range(6)],
        # A word the archive does not hold: the suggestion is looked for, and searched when it finds.
        "absent": ["fairtrade", "fairtrade kommun", "xqzvwk", "xqzvwk klimat"]
                  + [_misspelt(w, rng) for w in rng.sample(words, 16)]
                  + [f"{_misspelt(a, rng)} {b}" for a, b in (rng.sample(words, 2) for _ in range(20))],
        "questions": [f"vad gäller för {w}?" for w in rng.sample(words, 20)]
                     + [f"hur arbetar regeringen med {w}?" for w in rng.sample(words, 20)],
    }


def run(tree: Path, archive: Path, index_dir: Path, asked: dict) -> dict:
    env = dict(os.environ, PYTHONPATH=str(tree))
    done = subprocess.run([sys.executable, "-c", CHILD, str(archive), str(index_dir)], input=json.dumps(asked),
                          capture_output=True, text=True, env=env, cwd=tree, check=True)
    return json.loads(done.stdout)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--archive", type=Path, required=True)
    ap.add_argument("--index", type=Path, required=True)
    ap.add_argument("--baseline", type=Path, required=True, help="another checkout of this repository")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    asked = queries(args.seed, args.archive)
    times: dict[str, dict[str, list[float]]] = {"this": {}, "baseline": {}}
    partial: dict[str, dict[str, int]] = {"this": {}, "baseline": {}}
    for _ in range(args.rounds):
        for name, tree in (("this", REPO), ("baseline", args.baseline.resolve())):
            for kind, got in run(tree, args.archive, args.index, asked).items():
                times[name].setdefault(kind, []).extend(got["times"])
                partial[name][kind] = partial[name].get(kind, 0) + got["partial"]
    print(f"{'kind':<10} {'checkout':<9} {'n':>4} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} {'partial':>7}")
    for kind in asked:
        for name in ("this", "baseline"):
            t = times[name][kind]
            print(f"{kind:<10} {name:<9} {len(t):>4} {pct(t, 50) * 1000:>7.0f} {pct(t, 95) * 1000:>7.0f} "
                  f"{max(t) * 1000:>7.0f} {partial[name][kind]:>7}")
        ratio = pct(times["this"][kind], 95) / pct(times["baseline"][kind], 95)
        print(f"{kind:<10} p95 this / baseline: {ratio:.2f}")


if __name__ == "__main__":
    main()
