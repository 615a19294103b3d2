"""Find the page where a query matches best and cut an HTML-safe snippet from it."""
from __future__ import annotations

import html

from whoosh import highlight

SNIPPET_CHARS = 220


class MarkFormatter(highlight.Formatter):
    """Escape the document's text; wrap matched words in <mark> and nothing else."""

    between = " … "

    def _text(self, text: str) -> str:
        return html.escape(text, quote=False)

    def format_token(self, text, token, replace=False):
        return "<mark>" + self._text(highlight.get_text(text, token, replace)) + "</mark>"


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
    if not prefixes:
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


def snippet(text: str, terms: set[str], analyzer) -> str:
    """Return the best fragments of `text` with `terms` marked, or its start if none match."""
    if terms and text:
        text = _window(text, terms)
        fragmenter = highlight.ContextFragmenter(maxchars=SNIPPET_CHARS, surround=70)
        marked = highlight.highlight(text, frozenset(terms), analyzer, fragmenter, MarkFormatter(),
                                     top=2, minscore=1)
        if marked:
            return " ".join(marked.split())
    return leading_text(text)
