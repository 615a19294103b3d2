"""Documents as they were written: the Markdown the extractors keep for reading (Word
headings, lists and tables; slides and their notes apart; Markdown files), the plain text
that is searched beside it, and the rendering that turns a file's Markdown into safe HTML."""
from __future__ import annotations

import io
import json
import re
import time

import docx
import pytest
from builders import pptx_bytes
from hypothesis import given, settings, strategies as st
from markupsafe import escape

from indexer import SearchRequest
from indexer.extract import EXTRACTOR_VERSION, extract, normalize_text
from indexer.extract.normalize import normalize_markup
from indexer.extract._util import markdown_line
from indexer.extract.markdown import parser
from indexer.index.store import TextCache
from indexer.models import Document, Extraction
from webapp import reading


def _docx(build) -> bytes:
    d = docx.Document()
    build(d)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _text_of(html: str) -> str:
    from html import unescape

    return unescape(re.sub(r"<[^>]+>", "", html)).strip()


# -- Markdown written for text from a document ------------------------------------------------
@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=80))
def test_markdown_line_shows_exactly_the_text(text):
    """Whatever a paragraph holds (#, 1., <b>, |, *, &amp;), its Markdown reads back as it."""
    expected = " ".join(normalize_markup(normalize_text(text)).split())
    html = parser().render(normalize_markup(markdown_line(text)))  # as build() leaves it
    assert _text_of(html) == expected
    assert "<" not in re.sub(r"</?p>", "", html.strip()).replace("&lt;", "")


# -- Word --------------------------------------------------------------------------------------
def test_docx_headings_lists_and_tables_are_kept_and_the_plain_text_is_unchanged(tmp_path):
    def build(d):
        d.add_heading("Minnesanteckningar", level=1)
        d.add_paragraph("Mötet öppnades.")
        d.add_heading("1. Beslut", level=2)
        d.add_paragraph("Gruppen beslutade:", style="Normal")
        d.add_paragraph("att samla klimatlöftena", style="List Bullet")
        d.add_paragraph("med en underpunkt", style="List Bullet 2")
        d.add_paragraph("att ses i höst", style="List Bullet")
        d.add_paragraph("Första steget", style="List Number")
        d.add_paragraph("Andra steget", style="List Number")
        d.add_paragraph("# inte en rubrik, 1. inte en lista, <script>alert(1)</script> | *fet*")
        t = d.add_table(rows=2, cols=3)
        for r, row in enumerate([["Kommun", "Löften", "Not"], ["Borås", "12", "a | b"]]):
            for c, value in enumerate(row):
                t.cell(r, c).text = value

    path = tmp_path / "protokoll.docx"
    path.write_bytes(_docx(build))
    x = extract(path)
    md = x.layout[0]
    assert md.startswith("# Minnesanteckningar\n\nMötet öppnades.\n\n")
    assert "\n\n## 1\\. Beslut\n\n" in md
    assert "- att samla klimatlöftena\n    - med en underpunkt\n- att ses i höst" in md
    assert "1\\. Första steget" not in md and "1. Första steget\n1. Andra steget" in md
    assert "\\# inte en rubrik, 1. inte en lista, \\<script\\>alert(1)\\</script\\> \\| \\*fet\\*" in md
    assert "| Kommun | Löften | Not |\n| --- | --- | --- |\n| Borås | 12 | a \\| b |" in md
    # What is searched stays plain: one line a paragraph, cells joined by " | ", no Markdown.
    assert x.pages[0].split("\n")[:3] == ["Minnesanteckningar", "Mötet öppnades.", "1. Beslut"]
    assert "Kommun | Löften | Not" in x.pages[0] and "---" not in x.pages[0] and "#" not in x.pages[0].replace("# inte", "")

    html = reading.render_markdown(md, lambda t: str(escape(t)))
    assert "<h3>Minnesanteckningar</h3>" in html and "<h4>1. Beslut</h4>" in html
    assert re.search(r"<ul>\s*<li>att samla klimatlöftena\s*<ul>\s*<li>med en underpunkt</li>", html)
    assert re.search(r"<ol>\s*<li>Första steget</li>\s*<li>Andra steget</li>\s*</ol>", html)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script" not in html
    assert "<th>Kommun</th>" in html and "<td>a | b</td>" in html


def test_docx_list_deeper_than_its_start_is_not_code(tmp_path):
    """A list that starts at level 2 (copied from elsewhere) is a list, not an indented code block."""
    path = tmp_path / "a.docx"
    path.write_bytes(_docx(lambda d: (d.add_paragraph("Text."), d.add_paragraph("punkt", style="List Bullet 3"))))
    md = extract(path).layout[0]
    assert md == "Text.\n\n- punkt"
    assert "<pre>" not in reading.render_markdown(md, str)


# -- PowerPoint --------------------------------------------------------------------------------
def test_pptx_notes_are_kept_apart_from_the_slide(tmp_path):
    path = tmp_path / "bilder.pptx"
    path.write_bytes(pptx_bytes([("Nyckelbiotoper", "Höga naturvärden\nInte ett formellt skydd", "Tacka för inbjudan."),
                                 ("Utan anteckningar", "Text", None)]))
    x = extract(path)
    assert x.layout[0] == "## Nyckelbiotoper\n\n- Höga naturvärden\n- Inte ett formellt skydd"
    assert x.notes == ("Tacka för inbjudan.", "")
    assert "Tacka för inbjudan." in x.pages[0]  # the notes are still searched, on their slide
    assert "Tacka" not in x.layout[0]


# -- Markdown files ----------------------------------------------------------------------------
SOURCE = """# Verksamhetsplan

Gäller för **året**.

## Mål

- Fyra möten
- Uppföljning

| Kvartal | Tema |
|---|---|
| 1 | Miljömål |
"""


def test_markdown_file_is_searched_as_text_and_read_as_written(tmp_path):
    path = tmp_path / "plan.md"
    path.write_text(SOURCE, encoding="utf-8")
    x = extract(path)
    assert x.layout == (SOURCE.strip("\n"),)
    assert x.pages[0] == "Verksamhetsplan\n\nGäller för året.\n\nMål\n\nFyra möten\n\nUppföljning\n\nKvartal | Tema\n\n1 | Miljömål"
    assert x.heading == "Verksamhetsplan"
    # The same bytes as .txt are plain text: shown and searched as they are.
    same = tmp_path / "plan.txt"
    same.write_text(SOURCE, encoding="utf-8")
    assert extract(same).pages[0].startswith("# Verksamhetsplan") and extract(same).layout == ()


def test_markdown_snippets_have_no_markdown(tiny):
    tiny.write("naturvard/ovrigt/plan.md", SOURCE.replace("Miljömål", "Miljömål och parkslide"))
    tiny.index()
    hits = tiny.open().search(SearchRequest(query="parkslide")).hits
    assert len(hits) == 1 and "<mark>parkslide</mark>" in hits[0].snippet
    assert "#" not in hits[0].snippet and "---" not in hits[0].snippet and "**" not in hits[0].snippet


# -- the text cache ----------------------------------------------------------------------------
def test_cache_keeps_layout_and_notes_and_old_entries_are_read_again(tmp_path):
    cache = TextCache(tmp_path, EXTRACTOR_VERSION)
    x = Extraction(format="pptx", pages=("Titel\n\nAnteckning",), layout=("## Titel",), notes=("Anteckning",))
    cache.put("ab" * 32, x)
    assert cache.get("ab" * 32) == x
    # An entry written before the layout existed would show Markdown files as source: it is not used.
    old = cache._path("cd" * 32)
    old.parent.mkdir(parents=True, exist_ok=True)
    old.write_text(json.dumps({"v": 3, "format": "text", "pages": ["# Rubrik"]}), encoding="utf-8")
    assert cache.get("cd" * 32) is None


def test_an_older_text_cache_is_read_again_when_indexing(tiny):
    tiny.write("naturvard/ovrigt/plan.md", SOURCE)
    tiny.index()
    texts = list((tiny.index_dir / "texts").rglob("*.json"))
    assert len(texts) == 1
    data = json.loads(texts[0].read_text(encoding="utf-8"))
    data.update(v=EXTRACTOR_VERSION - 1, pages=["# Verksamhetsplan (gammal)"])
    data.pop("layout")
    texts[0].write_text(json.dumps(data), encoding="utf-8")
    tiny.index(rebuild=True)
    doc = tiny.open().document("naturvard/ovrigt/plan.md")
    assert doc.layout and doc.pages[0].startswith("Verksamhetsplan\n")


# -- rendering a file's Markdown: hostile input ------------------------------------------------
HOSTILE = {
    "script": ("<script>alert(1)</script>", "&lt;script&gt;"),
    "raw html": ('<img src=x onerror="alert(1)"> <iframe src="//evil"></iframe>', "&lt;img"),
    "javascript link": ("[klicka](javascript:alert(1))", "[klicka](javascript:alert(1))"),
    "javascript link, mixed case and entity": ("[a](JaVaScRiPt&#58;alert(1)) [b](java\tscript:x)", "[a]"),
    "data link": ("[a](data:text/html;base64,PHNjcmlwdD4=)", "[a]"),
    "autolink": ("<javascript:alert(1)>", "&lt;javascript:alert(1)&gt;"),
    "reference link": ("[a][x]\n\n[x]: javascript:alert(1)", "[a][x]"),
    "image": ("![spårning](https://evil.example/pixel.png)", "spårning</a>"),  # a link, never loaded
    "html entity script": ("&lt;script&gt;", "<p>&lt;script&gt;</p>"),
}


@pytest.mark.parametrize("source, shown", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_markdown_is_shown_not_run(source, shown):
    html = str(reading.render_markdown(source, lambda t: str(escape(t))))
    assert shown in html
    assert not re.search(r"<(script|img|iframe|style|object|embed)", html, re.I)
    assert "javascript:" not in " ".join(re.findall(r'href="([^"]*)"', html)).lower()
    assert "data:" not in " ".join(re.findall(r'href="([^"]*)"', html)).lower()
    assert " on" not in "".join(re.findall(r"<[^>]+>", html))  # no event handler attributes


def test_links_that_stay_are_safe():
    html = str(reading.render_markdown("[Naturvårdsverket](https://www.naturvardsverket.se)", str))
    assert '<a href="https://www.naturvardsverket.se" rel="noopener noreferrer nofollow">' in html


HUGE = {
    "deep quotes": ">" * 50_000 + " djupt",
    "deep lists": "".join("    " * i + "- nivå\n" for i in range(200)),
    "stars": "*" * 90_000,
    "emphasis": "*a **" * 18_000,
    "brackets": "[" * 45_000 + "]" * 45_000,
    "links": "[a](" * 22_000,
    "angles": "<" * 90_000,
    "backticks": "`" * 90_000,
    "wide table": "|a" * 20_000 + "\n" + "|-" * 20_000,
}


@pytest.mark.parametrize("source", HUGE.values(), ids=HUGE.keys())
def test_huge_or_deep_markdown_costs_little(source):
    """Each bomb is at most MAX_MARKDOWN long; rendered or shown plain, its page costs well under a second."""
    assert len(source) <= reading.MAX_MARKDOWN
    doc = _doc(pages=(source,), layout=(source,))
    start = time.perf_counter()
    html = str(reading.document_pages(doc, lambda t: [])[0].html)
    assert time.perf_counter() - start < 5  # measured: at most 1.4 s with the machine at load 6
    assert html.count("<blockquote>") <= reading.MAX_NESTING and html.count("<ul>") <= reading.MAX_NESTING
    assert "<script" not in html


def test_a_document_renders_at_most_max_markdown_in_all():
    page = "## Rubrik\n\n" + "ord " * 10_000  # 40 kB a page
    doc = _doc(pages=("Rubrik ord",) * 5, layout=(page,) * 5)
    rendered = [("<h4>" in str(p.html)) for p in reading.document_pages(doc, lambda t: [])]
    assert rendered == [True, True, False, False, False]  # the rest as plain text


def test_headings_are_renumbered_under_the_page():
    html = str(reading.render_markdown("# A\n\n### B\n\n###### C", str, first_level=4))
    assert "<h4>A</h4>" in html and "<h5>B</h5>" in html and "<h6>C</h6>" in html


def _doc(**kw) -> Document:
    base = dict(id="g/ovrigt/a.md", group="g", title="A", date=None, type="other", themes=(), format="text",
                meeting=None)
    return Document(**(base | kw))


def test_marks_inside_the_rendering_and_the_first_match_has_an_anchor():
    doc = _doc(pages=("Parkslide\n\nOm parkslide",), layout=("# Parkslide\n\nOm *parkslide*",))
    pages = reading.document_pages(doc, lambda t: [(m.start(), m.end()) for m in re.finditer("(?i)parkslide", t)])
    html = str(pages[0].html)
    assert '<h3><mark id="forsta-traffen" tabindex="-1">Parkslide</mark></h3>' in html
    assert "<em><mark>parkslide</mark></em>" in html and pages[0].matches


def test_a_page_too_long_to_render_is_shown_as_its_plain_text():
    long = "# Rubrik\n\n" + "ord " * (reading.MAX_MARKDOWN // 4 + 10)
    doc = _doc(pages=("Rubrik\n\n" + "ord " * 10,), layout=(long,))
    html = str(reading.document_pages(doc, lambda t: [])[0].html)
    assert "<h3>" not in html and html.startswith("<p>Rubrik</p>")


def test_hostile_markdown_file_end_to_end(tiny):
    """A file from outside, archived and indexed, opened in the web app: shown, never run."""
    from webapp import create_app

    tiny.write("naturvard/ovrigt/elak.md", "# Rubrik\n\n<script>alert('x')</script>\n\n"
               "[klicka](javascript:alert(1)) <img src=x onerror=alert(2)>\n\n" + "> " * 5_000 + "djupt\n")
    tiny.index()
    app = create_app({"TESTING": True, "ARKIV_ARCHIVE": str(tiny.root), "ARKIV_INDEX": str(tiny.index_dir)})
    page = app.test_client().get("/documents/naturvard/ovrigt/elak.md").get_data(as_text=True)
    text = page.split('<section class="doc-text"', 1)[1].split("</section>\n\n  <aside", 1)[0]
    assert "<h3>Rubrik</h3>" in text
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in text or "&lt;script&gt;alert('x')&lt;/script&gt;" in text
    assert "<script" not in text and "<img" not in text and 'href="javascript' not in text.lower()
    assert text.count("<blockquote>") <= reading.MAX_NESTING
