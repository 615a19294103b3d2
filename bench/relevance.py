#!/usr/bin/env python3
"""Measure search relevance on the judged query set, Swedish chain against Whoosh's stock one.

    .venv/bin/python bench/relevance.py [--archive archive] [--queries tests/relevance/queries.toml]
                                        [--json FILE] [--verbose]

Builds two indexes of the archive in a temporary folder (chain="swedish" and
chain="stock", see indexer/index/schema.py), runs every query of the judged set
against both and prints, side by side:

- nDCG@10, Recall@10 and MRR by query type and overall;
- for every trap query (and every query with `not_top3`), which unrelated
  documents reached the first three hits;
- the queries where the Swedish chain scores below the stock one.

The metric functions are small and pure so tests/relevance/test_relevance.py
can import them. Definitions (k = 10):

- nDCG@k: DCG = sum of (2^grade - 1) / log2(rank + 1) over the first k hits,
  divided by the DCG of the ideal ordering of all judged documents. A relevant
  document has grade 1, one listed in `graded` grade 2.
- Recall@k: relevant documents among the first k hits / min(number relevant, k),
  so a query with more than k relevant documents can still reach 1.
- MRR: 1 / rank of the first relevant hit, 0 when none is in the first k.

Queries without any relevant document (a trap word that occurs nowhere on its
own) are left out of the averages; only the top-3 check applies to them.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(REPO))

DEFAULT_ARCHIVE = REPO / "archive"
DEFAULT_QUERIES = REPO / "tests" / "relevance" / "queries.toml"
CHAINS = ("swedish", "stock")
K = 10
TOP = 3  # a trap's unrelated documents must stay out of the first TOP hits
TYPES = ("head", "modifier", "inflection", "named", "synonym", "phrase", "no_diacritics", "trap")
METRICS = ("ndcg", "recall", "mrr")


# ----------------------------------------------------------------------------- the query set
@dataclass(frozen=True)
class Query:
    text: str
    type: str
    grades: dict[str, int]  # relevant id -> 1 or 2
    not_top3: tuple[str, ...] = ()
    note: str = ""

    @property
    def relevant(self) -> set[str]:
        return set(self.grades)


def load_queries(path: Path = DEFAULT_QUERIES) -> list[Query]:
    """Read the judged query set; raise ValueError on a malformed entry."""
    data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    queries = []
    for i, q in enumerate(data.get("query", []), 1):
        where = f"{path} query #{i} ({q.get('text')!r})"
        if not isinstance(q.get("text"), str) or not q["text"].strip():
            raise ValueError(f"{where}: text is missing")
        if q.get("type") not in TYPES:
            raise ValueError(f"{where}: type must be one of {', '.join(TYPES)}")
        relevant = q.get("relevant", [])
        graded = q.get("graded", {})
        if len(set(relevant)) != len(relevant):
            raise ValueError(f"{where}: an id is listed twice in relevant")
        if not set(graded) <= set(relevant):
            raise ValueError(f"{where}: graded ids must also be in relevant: {sorted(set(graded) - set(relevant))}")
        if any(g not in (1, 2) for g in graded.values()):
            raise ValueError(f"{where}: grades are 1 or 2")
        not_top3 = tuple(q.get("not_top3", ()))
        if set(not_top3) & set(relevant):
            raise ValueError(f"{where}: an id is both relevant and in not_top3")
        grades = {doc: graded.get(doc, 1) for doc in relevant}
        queries.append(Query(q["text"], q["type"], grades, not_top3, q.get("note", "")))
    return queries


# ----------------------------------------------------------------------------- metrics
def dcg(gains: list[float]) -> float:
    """Discounted cumulative gain of gains listed in rank order (rank 1 first)."""
    return sum(g / math.log2(rank + 1) for rank, g in enumerate(gains, 1))


def ndcg_at_k(ranking: list[str], grades: dict[str, int], k: int = K) -> float:
    """nDCG@k with gain 2^grade - 1; 0.0 when nothing is relevant."""
    ideal = dcg(sorted((2 ** g - 1 for g in grades.values()), reverse=True)[:k])
    if ideal == 0:
        return 0.0
    return dcg([2 ** grades.get(doc, 0) - 1 for doc in ranking[:k]]) / ideal


def recall_at_k(ranking: list[str], relevant: set[str], k: int = K) -> float:
    """Share of the relevant documents found in the first k hits, out of at most k."""
    if not relevant:
        return 0.0
    return len(relevant & set(ranking[:k])) / min(len(relevant), k)


def reciprocal_rank(ranking: list[str], relevant: set[str], k: int = K) -> float:
    """1 / rank of the first relevant hit within the first k, else 0."""
    for rank, doc in enumerate(ranking[:k], 1):
        if doc in relevant:
            return 1.0 / rank
    return 0.0


def unrelated_in_top(query: Query, ranking: list[str], n: int = TOP) -> list[str]:
    """The first-n hits that must not be there: any listed in not_top3 and, for a trap, any not relevant."""
    return [doc for doc in ranking[:n]
            if doc in query.not_top3 or (query.type == "trap" and doc not in query.grades)]


def score(query: Query, ranking: list[str], k: int = K) -> dict[str, float] | None:
    """The three metrics for one query, or None when the query has no relevant document."""
    if not query.grades:
        return None
    return {"ndcg": ndcg_at_k(ranking, query.grades, k),
            "recall": recall_at_k(ranking, query.relevant, k),
            "mrr": reciprocal_rank(ranking, query.relevant, k)}


def mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def summarize(queries: list[Query], scores: list[dict[str, float] | None]) -> dict[str, dict[str, float]]:
    """Average each metric by query type and over all scored queries ("all"); "n" counts them."""
    groups: dict[str, list[dict[str, float]]] = {}
    for q, s in zip(queries, scores):
        if s is not None:
            groups.setdefault(q.type, []).append(s)
            groups.setdefault("all", []).append(s)
    order = [t for t in TYPES if t in groups] + ["all"]
    return {t: {"n": len(groups[t]), **{m: mean([s[m] for s in groups[t]]) for m in METRICS}}
            for t in order if t in groups}


# ----------------------------------------------------------------------------- running
def build_index(archive: Path, index_dir: Path, chain: str) -> float:
    """Index `archive` into `index_dir` with the given analysis chain; return the seconds it took."""
    from indexer import IndexSettings, update_index
    started = time.perf_counter()
    report = update_index(IndexSettings(archive=Path(archive), index_dir=Path(index_dir), chain=chain))
    if report.failed:
        raise RuntimeError(f"{chain}: {len(report.failed)} documents failed to index: {report.failed[:3]}")
    return time.perf_counter() - started


def rankings(search_index, queries: list[Query], k: int = K) -> list[list[str]]:
    """The ids of the first k hits for every query, in order."""
    from indexer import SearchRequest
    return [[hit.id for hit in search_index.search(SearchRequest(query=q.text, per_page=k)).hits]
            for q in queries]


@dataclass
class ChainResult:
    chain: str
    seconds: float
    rankings: list[list[str]]
    scores: list[dict[str, float] | None]
    summary: dict[str, dict[str, float]]
    traps: list[list[str]] = field(default_factory=list)  # unrelated top-3 ids per query


def evaluate(archive: Path, queries: list[Query], workdir: Path, chains=CHAINS, k: int = K) -> dict[str, ChainResult]:
    """Build an index per chain under `workdir`, run every query, score it."""
    from indexer import SearchIndex
    results = {}
    for chain in chains:
        index_dir = Path(workdir) / f"index-{chain}"
        seconds = build_index(archive, index_dir, chain)
        ix = SearchIndex(Path(archive), index_dir)
        try:
            ranked = rankings(ix, queries, k)
        finally:
            ix.close()
        scores = [score(q, r, k) for q, r in zip(queries, ranked)]
        results[chain] = ChainResult(chain, seconds, ranked, scores, summarize(queries, scores),
                                     [unrelated_in_top(q, r) for q, r in zip(queries, ranked)])
    return results


def losses(queries: list[Query], a: ChainResult, b: ChainResult, metric: str = "ndcg") -> list[tuple[Query, float, float]]:
    """Queries where chain `a` scores below chain `b` on `metric`."""
    return [(q, sa[metric], sb[metric]) for q, sa, sb in zip(queries, a.scores, b.scores)
            if sa is not None and sb is not None and sa[metric] < sb[metric] - 1e-9]


# ----------------------------------------------------------------------------- report
def _short(doc: str) -> str:
    return doc.split("/", 1)[1] if "/" in doc else doc


def report(queries: list[Query], results: dict[str, ChainResult], verbose: bool = False) -> str:
    sw, st = results["swedish"], results["stock"]
    lines = [f"Judged queries: {len(queries)} ({sum(1 for q in queries if q.grades)} with relevant documents); "
             f"k = {K}. Index build: swedish {sw.seconds:.1f} s, stock {st.seconds:.1f} s.", ""]
    head = f"{'type':<14}{'n':>3}  {'nDCG@10':^15}  {'Recall@10':^15}  {'MRR':^15}"
    lines += [head, f"{'':<17}" + "  ".join(f"{'swedish':>7} {'stock':>7}" for _ in METRICS), "-" * len(head)]
    for t, row in sw.summary.items():
        other = st.summary[t]
        cells = "  ".join(f"{row[m]:7.3f} {other[m]:7.3f}" for m in METRICS)
        if t == "all":
            lines.append("-" * len(head))
        lines.append(f"{t:<14}{row['n']:>3}  {cells}")

    lines += ["", f"Unrelated documents in the first {TOP} hits (trap queries and not_top3 lists):"]
    for q, bad_sw, bad_st in zip(queries, sw.traps, st.traps):
        if q.type != "trap" and not q.not_top3:
            continue
        def verdict(bad):
            return "ok" if not bad else "FAIL " + ", ".join(_short(d) for d in bad)
        lines.append(f"  {q.type:<8} {q.text!r:<20} swedish: {verdict(bad_sw)}")
        lines.append(f"  {'':<8} {'':<20} stock:   {verdict(bad_st)}")

    lost = losses(queries, sw, st)
    lines += ["", f"Queries where swedish scores below stock (nDCG@10): {len(lost)}"]
    for q, a, b in sorted(lost, key=lambda x: x[1] - x[2]):
        lines.append(f"  {q.type:<14} {q.text!r:<45} swedish {a:.3f}  stock {b:.3f}")

    if verbose:
        lines += ["", "Every query (nDCG@10 swedish / stock, then the first hits of each chain):"]
        for i, q in enumerate(queries):
            s1, s2 = sw.scores[i], st.scores[i]
            nd = "-" if s1 is None else f"{s1['ndcg']:.3f} / {s2['ndcg']:.3f}"
            lines.append(f"  [{q.type}] {q.text!r}  {nd}")
            for chain in (sw, st):
                marks = ["**" if q.grades.get(d) == 2 else "*" if d in q.grades else "-" for d in chain.rankings[i][:5]]
                lines.append(f"      {chain.chain:<8} " + "  ".join(f"{m}{_short(d)}" for m, d in zip(marks, chain.rankings[i][:5])))
    return "\n".join(lines)


def to_json(queries: list[Query], results: dict[str, ChainResult]) -> dict:
    return {
        "k": K,
        "queries": len(queries),
        "chains": {c: {"index_seconds": r.seconds, "by_type": r.summary} for c, r in results.items()},
        "per_query": [
            {"text": q.text, "type": q.type,
             **{c: {"scores": r.scores[i], "hits": r.rankings[i], "unrelated_top3": r.traps[i]}
                for c, r in results.items()}}
            for i, q in enumerate(queries)],
        "swedish_below_stock": [q.text for q, _, _ in losses(queries, results["swedish"], results["stock"])],
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--archive", type=Path, default=DEFAULT_ARCHIVE)
    ap.add_argument("--queries", type=Path, default=DEFAULT_QUERIES)
    ap.add_argument("--json", type=Path, help="also write the numbers to this file")
    ap.add_argument("--verbose", "-v", action="store_true", help="list every query's first hits")
    args = ap.parse_args(argv)
    queries = load_queries(args.queries)
    with tempfile.TemporaryDirectory(prefix="arkiv-relevance-") as work:
        results = evaluate(args.archive, queries, Path(work))
    print(report(queries, results, args.verbose))
    if args.json:
        args.json.write_text(json.dumps(to_json(queries, results), ensure_ascii=False, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
