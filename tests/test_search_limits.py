"""Every search has a bounded cost: wildcards, ranges, spelling suggestions, time, remembered answers."""
from __future__ import annotations

import pytest
from whoosh import query as wq

import indexer.search.searcher as searcher_module
import indexer.search.termarrays as termarrays
from indexer import BadRequest, SearchRequest
from indexer.search.query import MAX_WILDCARD_TERMS, MAX_WILDCARDS, bound_expansions, normalize_query
from tiny import TinyArchive


@pytest.fixture(scope="module")
def many_words(tmp_path_factory) -> TinyArchive:
    """An archive with 150 words that start alike (lupin001…), the later ones in more documents."""
    t = TinyArchive(tmp_path_factory.mktemp("limits"))
    for n in range(30):
        words = " ".join(f"lupin{i:03d}" for i in range(150) if i >= 150 - 5 * (n + 1))
        t.write(f"naturvard/ovrigt/dok{n:02d}.txt", f"Om lupiner och parkslide. {words}")
    t.index()
    return t


@pytest.mark.parametrize("typed, searched", [
    ("*", ""),
    ("?*", ""),
    ("*an* kommun", "kommun"),
    ("an* *an* kommun", "an* kommun"),
    ("a* b* c*", ""),
    ("kommun* region* stad* natur*", "kommun* region* stad* natur"),
    ("-upp* titel:strat*", "-upp* titel:strat*"),
    ("titel:* lupin", "lupin"),
    ("KOM?UN*", "kom?un*"),
    ("K?MMUN*", ""),
    ('"grön infrastruktur"', '"grön infrastruktur"'),
])
def test_wildcards_are_bounded_before_parsing(typed, searched):
    assert normalize_query(typed) == searched
    assert sum("*" in w or "?" in w for w in normalize_query(typed).split()) <= MAX_WILDCARDS


def test_a_wildcard_stands_for_its_most_frequent_words_only(many_words):
    ix = many_words.open()
    with ix._borrow() as (_snap, searcher):
        reader = searcher.reader()
        for q in (wq.Prefix("content", "lupin"), wq.Wildcard("content", "lup?n*"),
                  wq.TermRange("content", "a", "ö")):
            bounded = bound_expansions(wq.Or([q, wq.Term("content", "parkslide")]), reader)
            terms = [t for f, t in bounded.iter_all_terms() if f == "content" and t not in ("parkslide", b"parkslide")]
            assert 0 < len(terms) <= MAX_WILDCARD_TERMS, q
        prefix = bound_expansions(wq.Prefix("content", "lupin"), reader)
        kept = {t.decode() if isinstance(t, bytes) else t for _, t in prefix.iter_all_terms()}
        assert "lupin149" in kept and "lupin000" not in kept  # the most frequent, not the first


def test_wildcard_and_range_searches_still_find(many_words):
    ix = many_words.open()
    assert ix.search(SearchRequest(query="lupin14*")).total == 30
    assert ix.search(SearchRequest(query="*")).total == 30  # no query: browsing
    assert ix.search(SearchRequest(query="[a TO ö]")).total == 30


def test_no_suggestion_is_looked_for_in_a_word_no_language_has(many_words, monkeypatch):
    from indexer.search.spelling import Spellings

    calls = []
    real = Spellings.near

    def counting(self, reader, word, *args, **kwargs):
        calls.append(word)
        return real(self, reader, word, *args, **kwargs)

    monkeypatch.setattr(Spellings, "near", counting)
    ix = many_words.open()
    assert ix.search(SearchRequest(query="a" * 500)).suggestion is None
    assert calls == []
    ix.search(SearchRequest(query=" ".join(f"okänt{c}ord" for c in "abcdefghij")))
    assert len(calls) == searcher_module.MAX_SUGGEST_WORDS
    assert ix.search(SearchRequest(query="parksilde", exact=True)).suggestion == "parkslide"


def test_a_search_past_its_time_budget_answers_partly_and_says_so(many_words, monkeypatch):
    monkeypatch.setattr(searcher_module, "BUDGET_CHECK_EVERY", 1)
    monkeypatch.setattr(termarrays, "BUDGET_FREE_TERMS", 0)
    spent = searcher_module.SearchIndex(many_words.root, many_words.index_dir, time_budget=0.0)
    result = spent.search(SearchRequest(query="lupin*"))
    assert result.partial and result.to_json()["partial"] is True
    assert result.total < 30
    again = spent.search(SearchRequest(query="lupin*"))
    assert again is not result  # a partial answer is not remembered
    full = searcher_module.SearchIndex(many_words.root, many_words.index_dir).search(SearchRequest(query="lupin*"))
    assert not full.partial and "partial" not in full.to_json() and full.total == 30


def test_remembered_answers_are_bounded_in_bytes(many_words, monkeypatch):
    monkeypatch.setattr(searcher_module, "REMEMBERED_BYTES", 20_000)
    ix = many_words.open()
    for n in range(60):
        ix.search(SearchRequest(query=f"lupin{n:03d}", per_page=20))
    snap = ix._current()
    assert 0 < snap.answers_bytes <= 20_000
    assert len(snap.answers) < 60


@pytest.mark.parametrize("year", ["２０２３", "²⁰²³", "٢٠٢٣"])
def test_a_year_in_other_digits_is_a_bad_request(many_words, year):
    with pytest.raises(BadRequest):
        many_words.open().search(SearchRequest(years=(year,)))


def test_a_first_search_that_pays_for_loading_still_finds_its_words(many_words, monkeypatch):
    # A budget spent before any term is scored (loading the dictionary, a busy machine)
    # must not turn into "nothing found": the query's first terms are always scored.
    spent = searcher_module.SearchIndex(many_words.root, many_words.index_dir, time_budget=0.0)
    result = spent.search(SearchRequest(query="lupin001"))
    assert result.total >= 1
