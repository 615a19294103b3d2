"""Find the page where a query matches best and cut an HTML-safe snippet from it."""
from __future__ import annotations

import html
from typing import Callable

SNIPPET_CHARS = 220
SURROUND = 70  # characters of context before the first and after the last marked word of a fragment
FRAGMENTS = 2
FRAGMENT_BETWEEN = " … "


# Analysing a whole 300-page report for every hit would cost more than the search:
# pages are ranked by cheap substring counts, and only a window is analysed.
PREFIX = 5
WINDOW = 1200  # enough for two fragments of SNIPPET_CHARS near the first match


def _prefixes(terms: set[str]) -> list[str]:
    return [t[:PREFIX] for t in terms if t]


def best_page(pages: tuple[str, ...], terms: set[str]) -> int | None:
    """Return the 0-based index of the page where the query's words occur most.

    Counted by the words' first letters, which inflections and compounds keep
    (uppföljning in miljömålsuppföljningen): an estimate, not an analysis.
    """
    if not pages:
        return None
    prefixes = _prefixes(terms)
    if not prefixes or len(pages) == 1:
        return 0
    counts = [sum(page.lower().count(p) for p in prefixes) for page in pages]
    best = max(range(len(pages)), key=lambda i: (counts[i], -i))
    return best


def _window(text: str, terms: set[str]) -> str:
    """The part of a long text around the first place a query word may stand."""
    if len(text) <= WINDOW:
        return text
    low = text.lower()
    found = [p for p in (low.find(x) for x in _prefixes(terms)) if p >= 0]
    start = max(0, min(found) - 300) if found else 0
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < start + 50 else start
    return text[start:start + WINDOW]


def leading_text(text: str, limit: int = SNIPPET_CHARS) -> str:
    """Escape the start of `text`, cut at a word boundary."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return html.escape(text, quote=False)
    cut = text[:limit].rsplit(" ", 1)[0]
    return html.escape(cut, quote=False) + " …"


def snippet(text: str, terms: set[str], find: Callable[[str], list[tuple[int, int]]]) -> str:
    """Return the best fragments of `text` with the words `find` spans marked, or its start if none match."""
    if terms and text:
        text = _window(text, terms)
        spans = find(text)
        if spans:
            out, last_end = "", None
            for start, end, marked in _best_fragments(text, spans):
                if last_end is not None:  # text left out between two fragments is said with " … "
                    out += " " if not text[last_end:start].strip() else FRAGMENT_BETWEEN
                out += _marked(text, start, end, marked)
                last_end = end
            return out
    return leading_text(text)


def _fragments(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int, list[tuple[int, int]]]]:
    """Cut `text` into fragments of at most SNIPPET_CHARS around its runs of marked words.

    A fragment starts up to SURROUND characters before a marked word, takes in the
    marked words that follow within SURROUND of each other while it fits, and ends
    SURROUND after the last; it starts and ends at whole words.
    """
    found, i, last_end = [], 0, 0
    while i < len(spans):
        start = max(last_end, spans[i][0] - SURROUND)  # no fragment repeats the one before it
        j = i + 1
        while j < len(spans) and spans[j][1] - start <= SNIPPET_CHARS and spans[j][0] - spans[j - 1][1] <= SURROUND:
            j += 1
        end = min(len(text), start + SNIPPET_CHARS, spans[j - 1][1] + SURROUND)
        if start > last_end and not text[start - 1].isspace():
            space = text.find(" ", start, spans[i][0])
            start = space + 1 if space >= 0 else spans[i][0]
        if end < len(text) and not text[end].isspace():
            space = text.rfind(" ", spans[j - 1][1], end)
            end = space if space >= 0 else spans[j - 1][1]
        found.append((start, end, spans[i:j]))
        i, last_end = j, end
    return found


def _best_fragments(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int, list[tuple[int, int]]]]:
    """The FRAGMENTS fragments with the most marked words, in the order of the text."""
    ranked = sorted(_fragments(text, spans), key=lambda f: (-len(f[2]), f[0]))[:FRAGMENTS]
    return sorted(ranked, key=lambda f: f[0])


def _marked(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> str:
    """Escape text[start:end] with each span wrapped in <mark>, whitespace runs made one space."""
    out, at = [], start
    for s, e in spans:
        out += [html.escape(text[at:s], quote=False), "<mark>", html.escape(text[s:e], quote=False), "</mark>"]
        at = e
    out.append(html.escape(text[at:end], quote=False))
    return " ".join("".join(out).split())
