"""Agenda items' anchors in a document page rendered as written (Markdown layout), and as plain text."""
from __future__ import annotations

import re

from indexer import AgendaItem, Document
from webapp.meetings import place_anchors
from webapp.reading import document_pages

TEXT = ("Minnesanteckningar\n\n1. Inledning\n\nVälkomna.\n\n2. Invasiva arter\n\nParkslide i Lerum.\n\n"
        "3. Beslut\n\nGruppen beslutade att kartlägga parkslide.")
LAYOUT = ("# Minnesanteckningar\n\n## 1. Inledning\n\nVälkomna.\n\n## 2. Invasiva arter\n\nParkslide i Lerum.\n\n"
          "## 3. Beslut\n\nGruppen beslutade att kartlägga parkslide.")
ITEMS = (AgendaItem("1", "Inledning", text="Välkomna."), AgendaItem("2", "Invasiva arter", text="Parkslide i Lerum."),
         AgendaItem("3", "Beslut", text="Gruppen beslutade att kartlägga parkslide."))


def doc(layout: tuple[str, ...]) -> Document:
    return Document(id="naturvard/2023-10-10-lerum/minnesanteckningar.docx", group="naturvard",
                    title="Minnesanteckningar", date=None, type="minutes", themes=(), format="docx", meeting=None,
                    pages=(TEXT,), layout=layout, items=ITEMS)


def no_spans(_text: str) -> list[tuple[int, int]]:
    return []


def block_of(html: str, anchor: str) -> str:
    """The opening tag and the text right after the anchor."""
    m = re.search(rf'<(\w+)[^>]*><span id="{anchor}" class="anchor"></span>([^<]*)', html)
    assert m, (anchor, html)
    return f"{m[1]}:{m[2]}"


def test_anchors_go_inside_the_item_headings_as_written():
    d = doc((LAYOUT,))
    html = str(place_anchors(document_pages(d, no_spans), d)[0].html)
    assert block_of(html, "punkt-1").endswith("1. Inledning")
    assert block_of(html, "punkt-2").endswith("2. Invasiva arter")
    assert block_of(html, "punkt-3").endswith("3. Beslut")
    assert all(html.count(f'id="punkt-{n}"') == 1 for n in "123")


def test_anchors_in_plain_paragraphs():
    d = doc(())
    html = str(place_anchors(document_pages(d, no_spans), d)[0].html)
    assert block_of(html, "punkt-2") == "p:2. Invasiva arter"


def test_an_item_hidden_by_markup_is_anchored_at_its_page_top():
    d = doc((LAYOUT,))
    spans = lambda text: [(m.start(), m.end()) for m in re.finditer("Invasiva", text)]  # noqa: E731
    html = str(place_anchors(document_pages(d, spans), d)[0].html)
    assert html.count('id="punkt-2"') == 1  # once, wherever the highlight leaves it
    assert block_of(html, "punkt-3").endswith("3. Beslut")
