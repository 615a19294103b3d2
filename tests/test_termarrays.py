"""Plain-word queries scored from per-term arrays rank exactly as Whoosh's matchers rank them."""
from __future__ import annotations

import numpy as np
import pytest
from whoosh import query as wq

from indexer import SearchRequest
from indexer.search import searcher as searching
from indexer.search.plain import coordination, document_frequency, enough_words, gating, is_question
from indexer.search.query import normalize_query
from indexer.search.termarrays import Scorer, TermArrays, Unsupported, top

QUERIES = [
    "invasiva arter", "grön infrastruktur", "Fairtrade City", "landskapsplanering", "klimat 2030 i västra götaland",
    "vad beslutades om grön infrastruktur?", "hur arbetar kommunerna med upphandling?", "uppföljning miljömål",
    "hallbar upphandling", "miljömålsuppföljning", "våtmarker och dagvatten", "agenda 2030 globala målen",
    '"grön infrastruktur" kommun', "naturvård skog", "parkslide lupin jättebalsamin", "fairtrade", "strategi",
    "nätverkets möte i lerum", "ekosystemtjänster i planeringen", "cirkulär ekonomi och avfall",
]


def rank_both(ix, text: str, stop: int = 10):
    """The top `stop` (docnum, score) by Whoosh's matchers and by the arrays, for one plain query."""
    with ix._borrow() as (snap, s):
        question = is_question(text)
        q, _, words = ix._prepare(normalize_query(text), s.reader(), question)
        assert q is not None and words, text
        live = snap.table.live
        gate = gating(words, [document_frequency(s.reader(), c.query) for c in words], int(live.sum()))
        budget = searching._Budget(None)
        empty = np.zeros(0, dtype=np.int64)

        def kept_and_coord(arrays):
            matched, shares = enough_words(arrays, gate, question)
            coord = np.ones(s.doc_count_all())
            coord[matched] = coordination(shares)
            return snap.table.filter_and_count(matched, SearchRequest(query=text))[0], coord

        kept, coord = kept_and_coord([searching._docnums(s, c.query, budget) if g else empty
                                      for c, g in zip(words, gate)])
        whoosh = ix._ranked(s, q, kept, 0, stop, budget, coord)
        scorer = Scorer(TermArrays(), s, searching.BM25_B, searching.BM25_K1)
        kept2, coord2 = kept_and_coord([np.flatnonzero(scorer.score(c.query).mask & live) if g else empty
                                        for c, g in zip(words, gate)])
        arrays, cut = top(scorer, scorer.score(q), kept2, stop, coord2)
    assert not cut
    assert np.array_equal(np.sort(kept), np.sort(kept2)), text
    return whoosh, arrays


def same_ranking(whoosh, arrays, text):
    assert [d for d, _ in arrays] == [d for d, _ in whoosh], text
    assert np.allclose([s for _, s in arrays], [s for _, s in whoosh], rtol=1e-9, atol=0), text


@pytest.mark.parametrize("text", QUERIES)
def test_sample_archive_ranks_the_same(sample_index, text):
    whoosh, arrays = rank_both(sample_index, text)
    same_ranking(whoosh, arrays, text)


OPERATOR_QUERIES = ["upp*", "parkslide -lupin", "agenda 2030 OCH uppföljning", "kommun* OR region*", "titel:protokoll",
                    "miljö* -klimat", '"invasiva arter" OR parkslide', "(skog OR mark) OCH vatten", "an* *an* kommun"]


@pytest.mark.parametrize("text", OPERATOR_QUERIES)
def test_queries_with_operators_rank_the_same(sample_index, text):
    with sample_index._borrow() as (snap, s):
        q, _, words = sample_index._prepare(normalize_query(text), s.reader())
        assert q is not None and not words
        budget = searching._Budget(None)
        kept = snap.table.filter_and_count(searching._docnums(s, q, budget), SearchRequest(query=text))[0]
        whoosh = sample_index._ranked(s, q, kept, 0, 10, budget, None)
        scorer = Scorer(TermArrays(), s, searching.BM25_B, searching.BM25_K1)
        scored = scorer.score(q)
        kept2 = snap.table.filter_and_count(np.flatnonzero(scored.mask & snap.table.live), SearchRequest(query=text))[0]
        arrays, _ = top(scorer, scored, kept2, 10, None)
    assert np.array_equal(np.sort(kept), np.sort(kept2))
    same_ranking(whoosh, arrays, text)


def _doc(words: str, n: int = 1) -> str:
    return (words + ". ") * n


def test_word_order_phrases_segments_and_deleted_documents(tiny):
    # The pair "grön infrastruktur" side by side must lift the documents that say it
    # above those that only hold both words often: the phrase check decides the order.
    for i in range(6):
        tiny.write(f"naturvard/2024-0{i + 1}-10/apart{i}.txt",
                   _doc("grön mark och ny infrastruktur för vatten", 3 + i) + _doc("skog", i))
    tiny.write("naturvard/2024-08-10/together.txt", _doc("grön infrastruktur i kommunen"))
    tiny.index()
    # A second commit makes a second segment; removing a file leaves a deleted document.
    tiny.write("miljostrategi/2025-01-10/later.txt", _doc("grön infrastruktur och infrastruktur grön", 2))
    tiny.write("miljostrategi/2025-02-10/gone.txt", _doc("grön infrastruktur gone", 4))
    tiny.index()
    (tiny.root / "miljostrategi/2025-02-10/gone.txt").unlink()
    tiny.index()
    ix = tiny.open()
    with ix._borrow() as (_snap, s):
        assert len(list(s.reader().leaf_readers())) >= 2 or s.reader().has_deletions()
    for text in ("grön infrastruktur", "grön infrastruktur i kommunen", "ny infrastruktur för vatten", "skog grön"):
        whoosh, arrays = rank_both(ix, text)
        same_ranking(whoosh, arrays, text)
    whoosh, _ = rank_both(ix, "grön infrastruktur")
    ids = [ix.search(SearchRequest(query="grön infrastruktur")).hits[i].id for i in range(2)]
    assert any("together" in i or "later" in i for i in ids)
    assert not any("gone" in h.id for h in ix.search(SearchRequest(query="grön infrastruktur", per_page=50)).hits)


def test_a_query_the_arrays_cannot_score_is_left_to_whoosh(sample_index, monkeypatch):
    with sample_index._borrow() as (snap, s):
        scorer = Scorer(snap.arrays, s, searching.BM25_B, searching.BM25_K1)
        with pytest.raises(Unsupported):
            scorer.score(wq.Prefix("content", "miljö"))
    req = SearchRequest(query="invasiva arter", per_page=20)
    expected = sample_index.search(req).to_json()

    def refuse(self, q):
        raise Unsupported("test")
    monkeypatch.setattr(Scorer, "score", refuse)
    sample_index._current().answers.clear()
    got = sample_index.search(req).to_json()
    assert [h["id"] for h in got["hits"]] == [h["id"] for h in expected["hits"]]
    assert got["total"] == expected["total"]


def test_term_arrays_stay_within_their_bytes(sample_index):
    arrays = TermArrays(max_bytes=4096)
    with sample_index._borrow() as (_snap, s):
        reader = s.reader()
        terms = [t for t in reader.lexicon("content")][:200]
        for t in terms:
            docs, weights = arrays.postings(s, "content", t)
            assert len(docs) == len(weights) == reader.doc_frequency("content", t)
    assert arrays._bytes <= 4096
    assert sum(d.nbytes + w.nbytes for d, w in arrays._terms.values()) == arrays._bytes


def test_a_term_whose_documents_were_all_removed(tiny):
    tiny.write("naturvard/2024-01-10/a.txt", "Upphandling av tjänster. " * 3)
    tiny.write("naturvard/2024-02-10/b.txt", "Parkslide och lupin.")
    tiny.index()
    (tiny.root / "naturvard/2024-01-10/a.txt").unlink()
    tiny.index()
    ix = tiny.open()
    assert ix.search(SearchRequest(query="upphandling")).total == 0
    assert ix.search(SearchRequest(query="upphandling parkslide")).total == 1
    with ix._borrow() as (snap, s):
        docs, _ = snap.arrays.postings(s, "content", "upphandling".encode())
        assert not snap.table.live[docs].any()
