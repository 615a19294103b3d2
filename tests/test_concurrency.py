"""One SearchIndex shared by many threads answers exactly as it does one question at a time."""
from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest

from indexer import SearchIndex, SearchRequest

THREADS = 8
# Wildcards, phrases, operators, facets, filters, sorting and paging: each reads postings,
# stored fields and term lists through the same reader, the way the web app's threads do.
QUERIES = [
    SearchRequest(query=q, **kw) for q, kw in [
        ("an* *an* kommun", {}), ("ae* *en* kommun", {}), ("*a* s* natur*", {}), ("k?mmun*", {}),
        ("miljö*", {"sort": "newest"}), ("*ning", {"per_page": 5, "page": 2}), ("upp*", {"groups": ("naturvard",)}),
        ('"grön infrastruktur"', {}), ('"invasiva arter"', {"types": ("minutes",)}), ("landskapsplanering", {}),
        ("Fairtrade City", {}), ("agenda 2030 OCH uppföljning", {}), ("parkslide -lupin", {}),
        ("titel:protokoll", {}), ("vad beslutades om grön infrastruktur", {}), ("hallbar upphandling", {}),
        ("våtmarker", {"years": ("2021", "2022", "2023")}), ("", {"themes": ("Invasiva arter",)}),
        ("", {"date_from": date(2018, 1, 1), "date_to": date(2021, 12, 31), "sort": "oldest"}),
        ("naturvård", {"per_page": 3, "page": 3}), ("strategi*", {"sort": "oldest"}), ("kommun* OR region*", {}),
        ("klimatanpassning", {}), ("a* b* c* d* e*", {}), ("uppfoljning", {}), ("skog*", {"per_page": 1}),
        # Typos: the first few, from eight threads at once, race to read the spellings.
        ("prakslide", {}), ("kommnuen", {}), ("invsaiva arter", {}), ("upphandlnig", {"exact": True}),
    ]
]


def answers(ix: SearchIndex) -> dict[SearchRequest, dict]:
    return {req: ix.search(req).to_json() for req in QUERIES}


@pytest.fixture(scope="module")
def sequential(sample_copy) -> dict[SearchRequest, dict]:
    return answers(SearchIndex(*sample_copy, time_budget=None))


@pytest.mark.parametrize("round_", range(3))
def test_threads_get_the_answers_one_at_a_time_gets(sample_copy, sequential, round_):
    # Fresh: no answer remembered, every search reads the index.  No time budget: on a
    # loaded machine a search could run out of it, and a partial answer differs rightly.
    ix = SearchIndex(*sample_copy, time_budget=None)
    start = threading.Barrier(THREADS)
    # Each thread asks every query, each in its own order, so that different searches
    # read the same files at the same moment.
    orders = [QUERIES[3 * i:] + QUERIES[:3 * i] for i in range(THREADS)]

    def ask(order):
        start.wait()
        return [(req, ix.search(req).to_json()) for req in order]

    with ThreadPoolExecutor(THREADS) as pool:
        got = [pair for batch in pool.map(ask, orders) for pair in batch]
    assert len(got) == THREADS * len(QUERIES)
    wrong = [req for req, answer in got if answer != sequential[req]]
    assert not wrong, f"{len(wrong)} of {len(got)} answers differ, e.g. {wrong[0]}"


def test_documents_and_similar_under_threads(sample_copy):
    ix = SearchIndex(*sample_copy)
    ids = [d.id for d in ix.documents()][:12]
    alone = {i: (ix.document(i).pages, [d.id for d in ix.similar(i)]) for i in ids}
    fresh = SearchIndex(*sample_copy)

    def look(i):
        return i, (fresh.document(i).pages, [d.id for d in fresh.similar(i)])

    with ThreadPoolExecutor(THREADS) as pool:
        together = dict(pool.map(look, ids * 4))
    assert together == alone


def test_at_most_max_searchers_are_open_at_once(sample_copy, monkeypatch):
    import indexer.search.searcher as searcher_module

    ix = SearchIndex(*sample_copy, time_budget=None)
    opened = []
    real = searcher_module._Snapshot._open_searcher

    def counting(self):
        opened.append(self)
        time.sleep(0.05)  # opening takes a while: every thread asks before any gives one back
        return real(self)

    monkeypatch.setattr(searcher_module._Snapshot, "_open_searcher", counting)
    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(ix.search, QUERIES))
    # The first searcher comes with the snapshot; at most MAX_SEARCHERS - 1 more are opened.
    assert len(opened) <= searcher_module.MAX_SEARCHERS - 1



def test_segments_are_separate_files_and_a_searcher_reads_no_file_later(tmp_path):
    # Compound segments were copied into memory by every searcher (257 MB each on 44k
    # pages); separate files share the page cache.  Whoosh opens a column at first use,
    # so a searcher opens them all at once: a merge may delete the files meanwhile.
    from tiny import TinyArchive

    t = TinyArchive(tmp_path)
    for n in range(12):
        t.write(f"naturvard/2020-01-{n + 1:02d}/dok.txt", f"Dokument {n}\nLupin och parkslide {n}.\n")
    t.index()
    ix = t.open()
    snap = ix._current()
    segments = snap._ix._segments()
    assert segments and not any(s.is_compound() for s in segments)
    searcher = snap.lend()
    try:
        folder = t.index_dir / "whoosh"
        for segment in segments:
            for name in segment.list_files(snap._ix.storage):
                if name.endswith(".col"):
                    (folder / name).unlink()  # what a merge's clean-up does to a segment no longer current
        hits = searcher.search(__import__("whoosh.query", fromlist=["Term"]).Term("content", "lupin"), limit=5)
        assert len(list(hits)) == 5 and all(h.score > 0 and h["id"] for h in hits)
    finally:
        snap.give_back(searcher)
