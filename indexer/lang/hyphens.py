"""Words hyphenated at a line end, joined again where Swedish knows the joined word."""
from __future__ import annotations

import re

from .dictionary import has_dictionary, lemma

# "miljö-\nmålsuppföljning": a hyphen ending a line, a word starting the next one.
# Whether to join is decided in rejoin_hyphenated().
_HYPHEN_BREAK = re.compile(r"[-\u2010]\n([^\W\d_]+)")
_WORD_TAIL = re.compile(r"[^\W\d_]+\Z")
# Swedish/English words that follow a "suspended" hyphen: "miljö- och hälsoskydd",
# "för- eller nackdel" -- the hyphen is real there and the words stay apart.
_CONJUNCTIONS = frozenset({"och", "eller", "samt", "respektive", "resp", "men", "som", "till",
                           "utan", "and", "or", "nor", "to"})


def _known(word: str) -> bool:
    """Whether Swedish has the joined word (as a word, a form or a compound); yes without a dictionary."""
    # The tables load on this first call: only texts with line-end hyphens pay for them.
    return not has_dictionary() or lemma(word.lower()) is not None


def rejoin_hyphenated(s: str) -> str:
    """Join words hyphenated at a line end: at least two letters before the hyphen, the
    continuation lowercase and not a conjunction, and the joined word one Swedish knows."""
    if "-\n" not in s and "\u2010\n" not in s:
        return s
    out = []
    last = 0
    for m in _HYPHEN_BREAK.finditer(s):
        second = m.group(1)
        if not second[0].islower() or second.lower() in _CONJUNCTIONS:
            continue
        tail = _WORD_TAIL.search(s, max(0, m.start() - 100), m.start())
        if tail is None or len(tail.group()) < 2 or not _known(tail.group() + second):
            continue
        out.append(s[last:m.start()])
        last = m.start(1)
    out.append(s[last:])
    return "".join(out)
