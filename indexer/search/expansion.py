"""Widen a plain-words query: synonyms from arkiv.toml and å/ä/ö the typist left out."""
from __future__ import annotations

import re
from typing import Callable

from ..lang import restorations

SYNONYM_BOOST = 0.5
RESTORED_BOOST = 0.3
RESTORE_RATIO = 3


def expand(text: str, synonyms: tuple[tuple[str, ...], ...], known: Callable[[str], int],
           is_word: Callable[[str], bool] = lambda w: False) -> tuple[str, tuple[str, ...]]:
    """Return the query text with alternatives added at a lower weight, and what was added.

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
    for m in re.finditer(r"[^\W\d_]{3,}", text):
        word = m[0].lower()
        if any(s < m.end() and m.start() < e for s, e, _ in spans) or is_word(word):
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
