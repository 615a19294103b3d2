"""Agenda items and decisions found in real minutes annotated by hand (bench/minutes.py), when the corpus is here.

The floors are what bench/minutes.py measured (items P 1.00 R 0.90, decisions
P 0.90 R 0.94 on 21 documents), less a little, and well above the naive
baseline of the same run.
"""
from __future__ import annotations

import json

import pytest

from bench_modules import load_bench

bench = load_bench("minutes")
pytestmark = pytest.mark.skipif(not bench.CORPUS.is_dir(),
                                reason=f"{bench.CORPUS} is absent (a fresh clone has no ../shared/corpus)")


@pytest.fixture(scope="module")
def measured():
    return bench.measure()


def test_at_least_twenty_documents_are_annotated_and_all_are_in_the_corpus():
    docs = json.loads(bench.ANNOTATIONS.read_text(encoding="utf-8"))["documents"]
    assert len(docs) >= 20
    assert all((bench.CORPUS / d["path"]).is_file() for d in docs)


def test_items_are_found_as_measured(measured):
    items = measured["arkiv"].items
    assert items.precision >= 0.95 and items.recall >= 0.85
    assert measured["arkiv"].numbers_right >= 0.9 * measured["arkiv"].numbers_seen
    assert items.precision > measured["baseline"].items.precision + 0.4


def test_decisions_are_found_as_measured(measured):
    decisions = measured["arkiv"].decisions
    assert decisions.precision >= 0.85 and decisions.recall >= 0.9
    assert decisions.precision > measured["baseline"].decisions.precision + 0.4
    assert decisions.recall > measured["baseline"].decisions.recall


def test_scoring_counts_what_it_should():
    s, numbers, matched = bench.score_items([("1", "Val av justerare"), ("2", "Ekonomi – budget"), ("9", "Extra")],
                                            [("1", "Val av justerare"), ("3", "Ekonomi - budget"), ("4", "Övrigt")])
    assert (s.right, s.found, s.wanted, s.recalled, numbers, matched) == (2, 3, 3, 2, 1, 2)
    d = bench.score_decisions(["Attsats bifalles", "Attsats bifalles", "Något annat"], ["bifalles", "bifalles", "avslås"])
    assert (d.right, d.found, d.recalled, d.wanted) == (2, 3, 2, 3)
