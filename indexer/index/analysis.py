"""The Swedish analysis chains: the one place that decides what a word is.

Whoosh pickles analyzers into the index, so the filters here hold no tables:
they call `indexer.lang`, which loads the dictionary once per process.
Their import path (indexer.index.analysis.*) is pickled into every index: moving
them means a schema version bump (see schema.py).
"""
from __future__ import annotations

import re
from functools import lru_cache

from whoosh.analysis import Filter, LanguageAnalyzer, LowercaseFilter, RegexTokenizer, StopFilter
from whoosh.lang import stemmer_for_language
from whoosh.lang.stopwords import stoplists

from ..lang import base_needles, compound_parts, lemma

# Whoosh's StopFilter(lang="sv") adds its English stop list too ("IT", "may"
# vanish); passing the Swedish list alone keeps them.
SWEDISH_STOPWORDS = frozenset(stoplists["sv"])
WORD = r"\w+(?:[.']\w+)*"
_stem = stemmer_for_language("sv")


@lru_cache(maxsize=300_000)
def base_form(word: str) -> str:
    """The dictionary's base form of a lowercased word; Snowball's stem when it knows none.

    Known words are not stemmed as well: that would join words the dictionary
    keeps apart (träd, a tree, and träda, to step).
    """
    return lemma(word) or _stem(word)


class LemmaFilter(Filter):
    """Replace each word by its base form: strategin -> strategi, nätverkets -> nätverk."""

    def __call__(self, tokens):
        for t in tokens:
            if not t.stopped:
                t.text = base_form(t.text)
            yield t


class CompoundPartsFilter(Filter):
    """When indexing, emit a compound's parts instead of the word; when querying, the word.

    A query word then meets the compounds it is a part of:
    uppföljning finds miljömålsuppföljningen.
    """

    def __call__(self, tokens):
        for t in tokens:
            if t.mode == "query":
                yield t
                continue
            if t.stopped:
                continue
            for part in compound_parts(t.text):
                t.text = part
                yield t


class WordAndPartsFilter(Filter):
    """Emit each word and then its compound parts at the same place in the text.

    Used to find and mark a query's terms in a text: a hit on "uppföljning"
    marks "miljömålsuppföljningen".
    """

    def __call__(self, tokens):
        for t in tokens:
            yield t
            if not t.stopped:
                word = t.text
                for part in compound_parts(word):
                    t.text = part
                    yield t
                t.text = word


def _words():
    return (RegexTokenizer(WORD) | LowercaseFilter()
            | StopFilter(stoplist=SWEDISH_STOPWORDS, minsize=1))


def swedish_analyzer():
    """Whole words: tokenize, lowercase, drop Swedish stop words, reduce to the base form.

    å, ä and ö stay distinct letters (får/far, för/for).
    """
    return _words() | LemmaFilter()


def compound_parts_analyzer():
    """Compound parts in their base forms, for a second, lower-weight field."""
    return _words() | CompoundPartsFilter() | LemmaFilter()


def highlight_analyzer():
    """Whole words and their parts, as indexed: what finds a query's terms in a page."""
    return _words() | WordAndPartsFilter() | LemmaFilter()


def term_finder(terms: frozenset[str]):
    """Return a function giving the (start, end) spans in a text of the words highlight_analyzer() reduces to `terms`.

    A word counts when it, or one of its compound parts, reduces to a term: the
    same words the chain marks, found without running it token by token.
    """
    kept = set().union(*map(base_needles, terms))
    # Only a word holding one of a term's needles can reduce to it: the others need no
    # dictionary lookup, which for a word not seen before costs more than the whole scan.
    needles = None if "" in kept or not kept else re.compile("|".join(map(re.escape, sorted(kept))))

    def spans(text: str) -> list[tuple[int, int]]:
        low = text.lower()
        if len(low) == len(text):
            words = ((m.span(), m.group()) for m in _WORD.finditer(low))
        else:  # a letter whose lower case is longer (İ): the spans must be the text's
            words = ((m.span(), m.group().lower()) for m in _WORD.finditer(text))
        return [span for span, w in words
                if (needles is None or needles.search(w)) and not terms.isdisjoint(_forms(w))]
    return spans


@lru_cache(maxsize=300_000)
def _forms(low: str) -> tuple[str, ...]:
    """A lowercased word's base form, then its compound parts' (a stop word stays as it is)."""
    if low in SWEDISH_STOPWORDS:
        return (low,)
    return (base_form(low), *(base_form(p) for p in compound_parts(low)))


_WORD = re.compile(WORD)


def stock_analyzer():
    """Whoosh's own Swedish chain, kept to measure ours against (see bench/relevance.py)."""
    return LanguageAnalyzer("sv")


def word_analyzer():
    """Lowercased whole words, unstemmed: what spelling suggestions are drawn from."""
    return RegexTokenizer(r"[^\W\d_]{3,}") | LowercaseFilter()
