"""Widen a plain-words query: synonyms from arkiv.toml, word families, and å/ä/ö the typist left out."""
from __future__ import annotations

import re
from typing import Callable

from ..lang import lemma, particle_verb_noun, restorations, word_family

SYNONYM_BOOST = 0.5
RESTORED_BOOST = 0.3
FAMILY_BOOST = 0.6  # beslutades also finds beslut, below the verb's own forms
_WORD = re.compile(r"[^\W\d_]{2,}")
RESTORE_RATIO = 3


def expand(text: str, synonyms: tuple[tuple[str, ...], ...], known: Callable[[str], int],
           is_word: Callable[[str], bool] = lambda w: False,
           holds: Callable[[str], bool] = lambda base: False) -> tuple[str, tuple[str, ...]]:
    """Return the query text with alternatives added at a lower weight, and what was added.

    A word also finds its word family across parts of speech (besluta and
    beslut, "följa upp" and uppföljning; indexer.lang.word_family), when the
    index holds the other form (`holds` is asked with a base form).
    Only the configuration's words and the index's own vocabulary are added,
    always quoted, so nothing the user typed becomes query syntax. `known`
    says in how many documents the index has a word; `is_word` whether
    Swedish has it (lag is a word of its own, not låg typed without the ring).
    A typed spelling the index holds is still widened when the restored one is
    far more common (uppfoljning quoted from a file name, uppföljning in text).
    """
    spans: list[tuple[int, int, str]] = []
    added: list[str] = []
    for group in synonyms:
        for term in group:
            m = re.search(rf"(?<!\w){re.escape(term)}(?!\w)", text, re.I)
            if m and not any(s < m.end() and m.start() < e for s, e, _ in spans):
                others = [o for o in group if o.lower() != term.lower()]
                alt = " OR ".join(_quote(o) for o in others)
                spans.append((m.start(), m.end(), f"({_quote(m[0])} OR ({alt})^{SYNONYM_BOOST})"))
                added.extend(others)
                break

    def taken(start: int, end: int) -> bool:
        return any(s < end and start < e for s, e, _ in spans)

    words = list(_WORD.finditer(text))
    for m, after in zip(words, words[1:] + [None]):
        base = lemma(m[0].lower())
        if base is None or taken(m.start(), m.end()):
            continue
        noun = particle_verb_noun(base, after[0]) if after is not None and \
            text[m.end():after.start()].isspace() else None
        if noun and holds(noun) and not taken(after.start(), after.end()):
            spans.append((m.start(), after.end(), f"({m[0]} {after[0]} OR ({_quote(noun)})^{FAMILY_BOOST})"))
            added.append(noun)
            continue
        family = [f for f in word_family(base) if holds(f)]
        if family:
            alt = " OR ".join(_quote(f) for f in family)
            spans.append((m.start(), m.end(), f"({_quote(m[0])} OR ({alt})^{FAMILY_BOOST})"))
            added.extend(family)
    for m in re.finditer(r"[^\W\d_]{3,}", text):
        word = m[0].lower()
        if taken(m.start(), m.end()) or is_word(word):
            continue
        typed = known(word)
        variants = [v for v in restorations(word, known) if known(v) >= RESTORE_RATIO * typed]
        if variants:
            alt = " OR ".join(_quote(v) for v in variants)
            spans.append((m.start(), m.end(), f"({_quote(m[0])} OR ({alt})^{RESTORED_BOOST})"))
            added.extend(variants)
    for start, end, replacement in sorted(spans, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text, tuple(added)


def _quote(term: str) -> str:
    return '"' + term.replace('"', " ") + '"'
