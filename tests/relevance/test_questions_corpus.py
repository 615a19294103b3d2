"""Real questions find their answers: regeringen.se's own questions (bench/questions.py), when the corpus is here.

The full table is `python bench/questions.py`; this runs the same pairs, the
answers alone, and holds the search to what it measured there: ahead of stock
Whoosh with OR grouping.
"""
from __future__ import annotations

import pytest

from bench_modules import load_bench

bench = load_bench("questions")
pytestmark = pytest.mark.skipif(not bench.CORPUS.is_file(),
                                reason=f"{bench.CORPUS} is absent (a fresh clone has no ../shared/corpus)")


@pytest.fixture(scope="module")
def measured(tmp_path_factory):
    pairs, _pages = bench.read_corpus(bench.CORPUS)
    work = tmp_path_factory.mktemp("questions")
    bench.write_archive(work / "archive", pairs, [])
    ours, ix = bench.arkiv_search(work / "archive", work / "index")
    try:
        ids = [f"svar/2024-01-01/{p.doc_name}" for p in pairs]
        stock = bench.stock_search(ix, work / "stock-or", "or")
        rankings = {"arkiv": [ours(p.question) for p in pairs], "stock-or": [stock(p.question) for p in pairs]}
    finally:
        ix.close()
    return pairs, bench.measure(rankings, pairs, ids)


def test_the_pairs_are_real_questions_with_answers_that_do_not_hold_them(measured):
    pairs, _ = measured
    assert len(pairs) >= 300 and len({p.page for p in pairs}) >= 140
    assert all(p.question.endswith("?") and p.question not in p.answer for p in pairs)
    assert {p.kind for p in pairs} == {"heading", "bold"}


def test_questions_rank_their_answers_ahead_of_stock_or(measured):
    _, table = measured
    ours, stock = table["arkiv"], table["stock-or"]
    assert ours["all"]["mrr"] > stock["all"]["mrr"]
    assert ours["kind:heading"]["mrr"] > stock["kind:heading"]["mrr"] + 0.01
    assert ours["all"]["recall"] >= stock["all"]["recall"]
