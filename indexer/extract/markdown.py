"""Markdown (.md) read as what it says: plain text to search, the source kept for reading."""
from __future__ import annotations

from functools import lru_cache

MARKDOWN_SUFFIXES = (".md", ".markdown")
# markdown-it's own guard against deep nesting (> > > …, - - - …): deeper is read as text.
MAX_NESTING = 20


@lru_cache(maxsize=1)
def parser():
    """CommonMark with tables and strike-through, raw HTML read as text, no images fetched."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "maxNesting": MAX_NESTING})
    return md.enable(["table", "strikethrough"])


def _inline_text(children) -> str:
    out = []
    for t in children or ():
        if t.type in ("text", "code_inline"):
            out.append(t.content)
        elif t.type in ("softbreak", "hardbreak"):
            out.append("\n")
        elif t.type == "image":
            out.append(_inline_text(t.children))  # its alt text
    return "".join(out)


def plain_text(source: str) -> tuple[str, str | None]:
    """(the text without its Markdown syntax, the first heading): one block a paragraph,
    a table row's cells joined by " | " as in Word tables."""
    blocks: list[str] = []
    heading = None
    row: list[str] | None = None
    in_heading = False
    for t in parser().parse(source):
        if t.type == "heading_open":
            in_heading = True
        elif t.type == "heading_close":
            in_heading = False
        elif t.type == "tr_open":
            row = []
        elif t.type == "tr_close":
            if row is not None and any(row):
                blocks.append(" | ".join(c for c in row if c))
            row = None
        elif t.type == "inline":
            text = _inline_text(t.children).strip()
            if row is not None:
                row.append(" ".join(text.split()))
            elif text:
                blocks.append(text)
                if in_heading and heading is None:
                    heading = " ".join(text.split())
        elif t.type in ("fence", "code_block", "html_block") and t.content.strip():
            blocks.append(t.content.strip("\n"))
    return "\n\n".join(blocks), heading
