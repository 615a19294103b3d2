"""A document's text for reading: pages as written (Markdown rendered, then sanitised),
speaker notes apart, and the words the search matched marked."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

from markupsafe import Markup, escape

from indexer import Document

from .formatting import highlight, paragraphs

Spans = Callable[[str], list[tuple[int, int]]]

# markdown-it is not linear on every input: 200,000 characters of "[ " took 8 s here, while
# 100,000 characters of ordinary text take 0.1 s. So a document's Markdown is rendered up
# to MAX_MARKDOWN characters in all (a long set of minutes is 30,000), and a page with more
# than MAX_BRACKETS link openers is not rendered; what is over is shown as its plain text.
MAX_MARKDOWN = 100_000
MAX_BRACKETS = 1_000
_BRACKET = re.compile(r"(?<!\\)\[")
MAX_NESTING = 20  # markdown-it's guard: deeper quotes and lists are shown as text
FIRST_MATCH = "forsta-traffen"

# What the sanitiser lets through: what the Markdown renderer writes, nothing else.  The
# file comes from outside, so even a renderer bug cannot bring in a script, a style or a
# frame; links go to http(s) and mail only, and never carry the reader's referrer.
ALLOWED_TAGS = {"h3", "h4", "h5", "h6", "p", "br", "hr", "ul", "ol", "li", "blockquote", "pre", "code",
                "em", "strong", "s", "a", "table", "thead", "tbody", "tr", "th", "td", "mark"}
ALLOWED_ATTRIBUTES = {"a": {"href"}, "ol": {"start"}, "mark": {"id", "tabindex"}}
URL_SCHEMES = {"http", "https", "mailto"}


@dataclass
class Page:
    number: int
    html: Markup
    notes: Markup | None  # the slide's speaker notes, None when it has none
    matches: bool


class _Marker:
    """Marks matched words in each text it is given; the first match of the document gets an id."""

    def __init__(self, spans: Spans):
        self.spans = spans
        self.first_done = False
        self.found = False

    def __call__(self, text: str) -> str:
        found = self.spans(text)
        if not found:
            return str(escape(text))
        self.found = True
        html = str(highlight(text, found))
        if not self.first_done:
            self.first_done = True
            html = html.replace("<mark>", f'<mark id="{FIRST_MATCH}" tabindex="-1">', 1)
        return html


@lru_cache(maxsize=1)
def _markdown():
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "maxNesting": MAX_NESTING})
    # Images would load from wherever the file points (a tracking pixel): their syntax stays text.
    md.enable(["table", "strikethrough"]).disable("image")

    def text(self, tokens, idx, options, env):
        return env["mark"](tokens[idx].content)

    def code_inline(self, tokens, idx, options, env):
        return f"<code>{env['mark'](tokens[idx].content)}</code>"

    def code_block(self, tokens, idx, options, env):
        return f"<pre><code>{env['mark'](tokens[idx].content)}</code></pre>\n"

    md.add_render_rule("text", text)
    md.add_render_rule("code_inline", code_inline)
    md.add_render_rule("code_block", code_block)
    md.add_render_rule("fence", code_block)
    return md


def _renumber_headings(tokens, first_level: int) -> None:
    """The levels a page uses, in order, become first_level, first_level + 1, … (at most h6):
    the page's own headings sit under the document's, and none is skipped."""
    used = sorted({int(t.tag[1]) for t in tokens if t.type == "heading_open"})
    level = {n: min(first_level + i, 6) for i, n in enumerate(used)}
    for t in tokens:
        if t.type in ("heading_open", "heading_close"):
            t.tag = f"h{level[int(t.tag[1])]}"


def render_markdown(source: str, mark: Callable[[str], str], first_level: int = 3) -> Markup:
    """Markdown from a file as safe HTML: rendered, words marked, then sanitised."""
    import nh3

    md = _markdown()
    tokens = md.parse(source, {})
    _renumber_headings(tokens, first_level)
    html = md.renderer.render(tokens, md.options, {"mark": mark})
    return Markup(nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES,
                            link_rel="noopener noreferrer nofollow", strip_comments=True))


def _scrolling_tables(html: str, first: int) -> tuple[str, int]:
    """Wrap each table in a box that scrolls sideways (a phone is narrower than most tables),
    focusable and named "Tabell N" so a keyboard can scroll it too; returns the next N."""
    n = first

    def wrap(_m: re.Match[str]) -> str:
        nonlocal n
        n += 1
        return f'<div class="table-scroll" tabindex="0" role="region" aria-label="Tabell {n - 1}"><table>'

    # The sanitised HTML writes <table> with no attributes: only the renderer's tables match.
    html = re.sub(r"<table>", wrap, html)
    return html.replace("</table>", "</table></div>"), n


def _plain(text: str, doc_format: str, mark: Callable[[str], str]) -> Markup:
    return Markup("").join(Markup("<p>{}</p>").format(Markup(mark(p))) for p in paragraphs(text, doc_format))


def document_pages(doc: Document, spans: Spans) -> list[Page]:
    """Each page of `doc` as HTML to read, with what `spans` finds marked."""
    marker = _Marker(spans)
    first_level = 3 if len(doc.pages) <= 1 else 4  # under "Text", or under "Sida N"
    pages = []
    budget = MAX_MARKDOWN
    tables = 1
    for i, text in enumerate(doc.pages):
        marker.found = False
        layout = doc.layout[i] if i < len(doc.layout) else ""
        if layout and len(layout) <= budget and len(_BRACKET.findall(layout, 0, len(layout))) <= MAX_BRACKETS:
            budget -= len(layout)
            shown, tables = _scrolling_tables(str(render_markdown(layout, marker, first_level)), tables)
            html = Markup(shown)
        else:
            html = _plain(text, doc.format, marker)
        note = doc.notes[i] if i < len(doc.notes) else ""
        notes = _plain(note, "pptx", marker) if note else None
        pages.append(Page(number=i + 1, html=html, notes=notes, matches=marker.found))
    return pages
