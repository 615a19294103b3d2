"""Plain words as people type them: each word ranks, enough of the content words are required.

A query without operators is a question or a topic.  Each of its words (with
the alternatives expansion added) becomes a clause.  Function words (vad, hur,
får, kring — indexer.lang.is_function_word) and words many documents hold
(COMMON_RATIO) never keep a document out; of the other words a document must
hold `needed(n)`.  Every clause adds to the score (BM25F), a topic's words that
stand next to each other in a document as in the query add more, and the sum
is scaled by the share of the content words the document holds (`coordination`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from whoosh import query as wq

from ..lang import compound_parts, is_function_word
from .query import parse

# A word in more than this share of the documents ranks them but keeps none out
# (kommun in a municipal archive, regeringen on regeringen.se); only asked of archives of
# MIN_DOCS_FOR_RATIO or more.  Measured on bench/questions.py: 0.5 -> 0.1 raised MRR@10
# from 0.575 to 0.584, and a question then ranks the documents holding its rarer words,
# not a third of the archive (on 44k pages: 21,000 -> 1,900 for "hur arbetar regeringen med avfall?").
COMMON_RATIO = 0.1
MIN_DOCS_FOR_RATIO = 20
FUNCTION_BOOST = 0.5  # a function word ranks at half a content word's weight
PARTS_BOOST = 0.3  # a typed compound's parts, for texts that say it in other words
PAIR_BOOST = 0.5  # two query words side by side in a document
# A document holding half the content words scores half (Lucene's classic coordination).
COORD_POWER = 1.0
PAIR_SLOP = 2
MAX_PAIRS = 8
_CHUNK = re.compile(r'"[^"]*"|\(|\)|[^\s()"]+')
_FIRST_WORD = re.compile(r"\w+")
_WORDS = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class Clause:
    word: str  # the word as typed (its first word, for a synonym group)
    query: wq.Query
    plain: bool  # a single typed word, not an expansion group
    extra: bool = False  # added to rank (a compound's parts), never counted as a word of the query


def chunks(text: str) -> list[str]:
    """Split expanded query text at its top-level spaces: a parenthesised group stays one chunk."""
    found: list[str] = []
    depth, start = 0, None
    for m in _CHUNK.finditer(text):
        if start is None:
            start = m.start()
        if m[0] == "(":
            depth += 1
        elif m[0] == ")":
            depth = max(0, depth - 1)
        if depth == 0 and not text.startswith("^", m.end()):
            found.append(text[start:m.end()])
            start = None
    if start is not None:
        found.append(text[start:])
    return found


def clauses(parser, expanded_text: str) -> list[Clause]:
    """One clause per searchable chunk of the expanded text; stop words make none.

    Function words rank at FUNCTION_BOOST; a typed compound's parts are added,
    at PARTS_BOOST, for texts that say it in other words (samhällsutmaning:
    utmaningar för samhället).
    """
    found, extra = [], []
    for chunk in chunks(expanded_text):
        q = parse(parser, chunk)
        first = _FIRST_WORD.search(chunk)
        if q is None or not first:
            continue
        plain = not chunk.startswith(("(", '"'))
        if is_function_word(first[0]):
            q = q.with_boost(FUNCTION_BOOST)
        found.append(Clause(first[0], q, plain=plain))
        for part in compound_parts(first[0].lower()) if plain else ():
            pq = parse(parser, part)
            if pq is not None:
                extra.append(Clause(part, pq.with_boost(PARTS_BOOST), plain=False, extra=True))
    return found + extra


def is_question(typed: str) -> bool:
    """Say whether a query is asked rather than named: a question mark, or a question or function word."""
    return "?" in typed or any(is_function_word(w) for w in _WORDS.findall(typed))


def needed(n: int, question: bool) -> int:
    """How many of n content words a document must hold.

    A question's answer seldom repeats all its words (bench/questions.py: one
    of them is enough to compete, the ranking does the rest); a topic of one or
    two words is meant as typed (Fairtrade City), and two of a longer one.
    """
    if question:
        return min(n, 1)
    return min(n, 2)


def document_frequency(reader, q: wq.Query) -> int:
    """How many documents hold a clause's most frequent word, in its most frequent field: no postings read."""
    return max((reader.doc_frequency(f, t) for f, t in q.iter_all_terms()), default=0)


def gating(found: list[Clause], sizes: list[int], live: int) -> list[bool]:
    """Which clauses keep documents out: content words, not function words or words many documents hold."""
    common = live >= MIN_DOCS_FOR_RATIO
    gate = [not c.extra and not is_function_word(c.word) and not (common and size > COMMON_RATIO * live)
            for c, size in zip(found, sizes)]
    return gate if any(gate) else [size > 0 and not c.extra for c, size in zip(found, sizes)]


def enough_words(arrays: list[np.ndarray], gate: list[bool], question: bool) -> tuple[np.ndarray, np.ndarray]:
    """The documents holding needed(n) of the gating clauses (or, if none does, any), and the share each holds."""
    chosen = [a for a, g in zip(arrays, gate) if g and len(a)]
    if not chosen:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    n = sum(gate)
    found, counts = np.unique(np.concatenate(chosen), return_counts=True)
    enough = counts >= needed(n, question)
    if not enough.any():  # nothing holds enough of them: every document holding one competes
        enough[:] = True
    return found[enough], counts[enough] / n


def coordination(share: np.ndarray) -> np.ndarray:
    """The factor a document's score is multiplied by for holding this share of the query's content words."""
    return share ** COORD_POWER


def ranking_query(parser, found: list[Clause], proximity: bool = True) -> wq.Query:
    """Every clause scores; with `proximity`, adjacent typed words found side by side score more."""
    q = found[0].query if len(found) == 1 else wq.Or([c.query for c in found])
    if not proximity:
        return q
    pairs = []
    typed = [c for c in found if not c.extra]
    for a, b in zip(typed, typed[1:]):
        if a.plain and b.plain and len(pairs) < MAX_PAIRS:
            phrase = parse(parser, f'"{a.word} {b.word}"~{PAIR_SLOP}')
            if phrase is not None:
                pairs.append(phrase)
    if pairs:
        q = wq.AndMaybe(q, wq.Or(pairs).with_boost(PAIR_BOOST))
    return q
