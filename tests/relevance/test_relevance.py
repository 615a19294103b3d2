"""Relevance on the judged query set: the Swedish chain against Whoosh's stock Swedish chain.

The query set is tests/relevance/queries.toml; the metrics and the runner are
bench/relevance.py (run it by hand for the full table). Both indexes of the
sample archive are built once for this module.
"""
from __future__ import annotations

import math
from pathlib import Path

import pytest

from bench_modules import load_bench

REPO = Path(__file__).resolve().parents[2]
ARCHIVE = REPO / "archive"

rel = load_bench("relevance")
QUERIES = rel.load_queries(rel.DEFAULT_QUERIES)
CHECKED_TOP3 = [q for q in QUERIES if q.type == "trap" or q.not_top3]

# Query types where the Swedish chain may trail the stock one, and by how much (mean nDCG@10).
# no_diacritics: the å/ä/ö restoration (indexer/expansion.py) runs the same for both chains,
# so the chain has nothing of its own to add there; the one difference today is a BM25
# near-tie in "manskliga rattigheter" (nyhetsbrev-hosten-2023.md scores 13.25 against
# uppfoljning-avtalsuppfoljning.docx's 13.05 under the Swedish chain, the other way round
# under the stock one), which moves the type's mean by 0.011.
ALLOWED_SHORTFALL = {"no_diacritics": 0.02}


# ----------------------------------------------------------------------------- the query set itself
def test_query_set_is_large_and_covers_every_type():
    assert len(QUERIES) >= 60
    counts = {t: sum(1 for q in QUERIES if q.type == t) for t in rel.TYPES}
    assert all(n >= 8 for n in counts.values()), counts
    texts = [q.text for q in QUERIES]
    assert len(set(texts)) == len(texts), "a query is listed twice"


def test_every_judged_id_is_a_document_of_the_sample_archive():
    missing = sorted({doc for q in QUERIES for doc in (*q.grades, *q.not_top3)
                      if not (ARCHIVE / doc).is_file()})
    assert not missing


def test_every_query_but_a_word_found_nowhere_has_relevant_documents():
    assert all(q.grades for q in QUERIES if q.type != "trap")


# ----------------------------------------------------------------------------- the metrics
def test_metrics_on_known_rankings():
    grades = {"a": 2, "b": 1}
    assert rel.ndcg_at_k(["a", "b", "x"], grades) == pytest.approx(1.0)
    swapped = (1 + 3 / math.log2(3)) / (3 + 1 / math.log2(3))
    assert rel.ndcg_at_k(["b", "a"], grades) == pytest.approx(swapped)
    assert rel.ndcg_at_k(["x"], grades) == 0.0
    assert rel.recall_at_k(["x", "b"], {"a", "b"}) == 0.5
    assert rel.recall_at_k(list("abcdefghij"), set("abcdefghijkl")) == 1.0  # capped at k
    assert rel.reciprocal_rank(["x", "y", "b"], {"a", "b"}) == pytest.approx(1 / 3)
    assert rel.reciprocal_rank(["x"], {"a"}) == 0.0


def test_unrelated_in_top_three():
    trap = rel.Query("träd", "trap", {"a": 1})
    assert rel.unrelated_in_top(trap, ["a", "x", "y", "z"]) == ["x", "y"]
    named = rel.Query("Naturvårdsverket", "named", {"a": 1}, not_top3=("n",))
    assert rel.unrelated_in_top(named, ["x", "n", "a", "n"]) == ["n"]


# ----------------------------------------------------------------------------- both chains on the sample archive
@pytest.fixture(scope="module")
def results(tmp_path_factory):
    return rel.evaluate(ARCHIVE, QUERIES, tmp_path_factory.mktemp("relevance"))


def test_swedish_chain_is_ahead_overall(results):
    sw, st = results["swedish"].summary["all"], results["stock"].summary["all"]
    assert sw["ndcg"] >= st["ndcg"], rel.report(QUERIES, results)


@pytest.mark.parametrize("qtype", rel.TYPES)
def test_swedish_chain_is_not_behind_on_any_query_type(results, qtype):
    sw, st = results["swedish"].summary[qtype], results["stock"].summary[qtype]
    allowed = ALLOWED_SHORTFALL.get(qtype, 0.0)
    assert sw["ndcg"] >= st["ndcg"] - allowed - 1e-9, (
        f"{qtype}: swedish nDCG@10 {sw['ndcg']:.3f} < stock {st['ndcg']:.3f}\n" + rel.report(QUERIES, results))


@pytest.mark.parametrize("query", CHECKED_TOP3, ids=[f"{q.type}-{q.text}" for q in CHECKED_TOP3])
def test_no_unrelated_document_in_the_first_three_hits(results, query):
    i = QUERIES.index(query)
    ranking = results["swedish"].rankings[i]
    assert rel.unrelated_in_top(query, ranking) == [], f"{query.text!r}: first hits {ranking[:3]}"
