"""å, ä and ö: folded away as file names write them, and put back where a keyboard lacked them."""
from __future__ import annotations

import itertools
import re
import unicodedata
from typing import Callable


def fold(text: str) -> str:
    """Lowercase and spell å/ä/ö as a/a/o, the way people write file names."""
    return text.lower().translate(str.maketrans("åäöé", "aaoe"))


def ascii_slug(text: str, max_len: int = 40) -> str:
    """`Borås stadshus` -> `boras-stadshus`: a name as a folder name writes it."""
    text = text.lower().translate(str.maketrans("åäöéü", "aaoeu"))
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:max_len]


# What a keyboard without å/ä/ö makes of them.
_RESTORE = {"a": ("a", "å", "ä"), "o": ("o", "ö")}
MAX_VARIANTS = 64


def restorations(word: str, known: Callable[[str], int]) -> list[str]:
    """Return spellings of `word` with å/ä/ö put back that the index knows (hallbar -> hållbar).

    `known` gives how many documents hold a word.
    """
    low = word.lower()
    slots = [i for i, ch in enumerate(low) if ch in _RESTORE]
    if not slots or len(slots) > 5:
        return []
    found = []
    choices = [_RESTORE[low[i]] for i in slots]
    for n, combo in enumerate(itertools.product(*choices)):
        if n > MAX_VARIANTS:
            break
        chars = list(low)
        for i, ch in zip(slots, combo):
            chars[i] = ch
        candidate = "".join(chars)
        if candidate != low and known(candidate):
            found.append(candidate)
    return found
