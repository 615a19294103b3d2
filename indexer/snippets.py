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


def best_page(pages: tuple[str, ...], terms: set[str], analyzer) -> int | None:
    """Return the 0-based index of the page with most query-term occurrences."""
    if not pages:
        return None
    if not terms:
        return 0
    best, best_count = 0, 0
    for i, page in enumerate(pages):
        count = sum(1 for t in analyzer(page, removestops=False) if t.text in terms)
        if count > best_count:
            best, best_count = i, count
    return best


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
        fragmenter = highlight.ContextFragmenter(maxchars=SNIPPET_CHARS, surround=70)
        marked = highlight.highlight(text, frozenset(terms), analyzer, fragmenter, MarkFormatter(),
                                     top=2, minscore=1)
        if marked:
            return " ".join(marked.split())
    return leading_text(text)
