"""Snippets: the best fragments of a page, every query word marked, nothing repeated, all escaped."""
from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.index import term_finder
from indexer.search.snippets import FRAGMENT_BETWEEN, SNIPPET_CHARS, snippet

WORDS = ["lupin", "parkslide", "kommunen", "och", "<b>", "a&b", "invasiva", "arter", "uppföljningen", "mål"]


def plain(html_text: str) -> str:
    return html_text.replace("<mark>", "").replace("</mark>", "")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(WORDS), min_size=1, max_size=400), st.sets(st.sampled_from(["lupin", "art"])))
def test_fragments_are_short_whole_escaped_and_never_repeat(words, terms):
    text = " ".join(words)
    out = snippet(text, set(terms), term_finder(frozenset(terms)))
    assert "<b>" not in out.replace("<mark>", "").replace("</mark>", "")
    marked = re.findall(r"<mark>(.*?)</mark>", out)
    assert all(m in ("lupin", "arter") for m in marked)
    pieces = plain(out).split(FRAGMENT_BETWEEN)
    assert len(pieces) <= 2
    for piece in pieces:
        assert len(piece) <= SNIPPET_CHARS + 60  # the escaped &lt; and &amp; make it longer
    if len(pieces) == 2:
        assert pieces[0] != pieces[1] or words.count(words[0]) == len(words)
    if not marked:
        assert not (set(terms) & {"lupin"} and "lupin" in words) and not ("art" in terms and "arter" in words)


def test_the_two_best_fragments_in_text_order_and_the_words_between_said_with_an_ellipsis():
    filler = " ".join(["text"] * 60)
    text = f"Lupin i början. {filler} Parkslide och lupin och parkslide tillsammans. {filler} slut."
    terms = {"lupin", "parkslide"}
    out = snippet(text, terms, term_finder(frozenset(terms)))
    first, second = out.split(FRAGMENT_BETWEEN)
    assert first.startswith("<mark>Lupin</mark>")
    assert "<mark>Parkslide</mark> och <mark>lupin</mark> och <mark>parkslide</mark>" in second
    assert "slut" not in out


def test_no_match_gives_the_start_of_the_text():
    out = snippet("Ett möte om skog. " * 40, {"lupin"}, term_finder(frozenset({"lupin"})))
    assert out.startswith("Ett möte om skog.") and "<mark>" not in out and out.endswith("…")
