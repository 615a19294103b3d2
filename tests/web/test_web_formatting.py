"""Swedish dates, labels and safe highlighting."""
from __future__ import annotations

from datetime import date

import pytest

from webapp.formatting import file_size, format_of_id, highlight, page_word, sv_date, type_label


@pytest.mark.parametrize("value, text", [
    pytest.param(date(2023, 10, 10), "10 oktober 2023", id="october"),
    pytest.param(date(2018, 3, 14), "14 mars 2018", id="march"),
    pytest.param(date(2020, 1, 1), "1 januari 2020", id="first-of-january"),
    pytest.param(date(2019, 12, 31), "31 december 2019", id="december"),
    pytest.param(None, "utan datum", id="undated"),
])
def test_sv_date(value, text):
    assert sv_date(value) == text


@pytest.mark.parametrize("value, label", [
    ("minutes", "Minnesanteckningar"), ("presentation", "Presentation"), ("follow-up", "Uppföljning"),
    ("agenda", "Inbjudan/dagordning"), ("other", "Övrigt"), ("new-kind", "new-kind"),
])
def test_type_label(value, label):
    assert type_label(value) == label


@pytest.mark.parametrize("n, text", [(0, "0 byte"), (1023, "1023 byte"), (1536, "1,5 kB"),
                                      (30 * 1024, "30 kB"), (5 * 1024 ** 2 + 1024 ** 2 // 5, "5,2 MB")])
def test_file_size(n, text):
    assert file_size(n) == text


@pytest.mark.parametrize("doc_id, fmt, page, text", [
    ("g/m/bilder.pptx", "pptx", 3, "bild 3"),
    ("g/m/bilaga.PDF", "pdf", 2, "sida 2"),
    ("g/m/anteckningar.docx", "docx", 1, "sida 1"),
    ("g/m/README", "text", 1, "sida 1"),
])
def test_format_and_page_word(doc_id, fmt, page, text):
    assert format_of_id(doc_id) == fmt
    assert page_word(fmt, page) == text


def test_highlight_escapes_then_marks():
    text = 'Om <script>alert("parkslide")</script> & parkslidens spridning'
    spans = [(text.index("parkslide"), text.index("parkslide") + 9), (text.index("parkslidens"), text.index(" spridning"))]
    assert str(highlight(text, spans)) == ('Om &lt;script&gt;alert(&#34;<mark>parkslide</mark>&#34;)&lt;/script&gt; &amp; '
                                           '<mark>parkslidens</mark> spridning')


def test_highlight_ignores_overlaps_and_never_marks_markup():
    assert str(highlight("Miljömålsuppföljningen 2023", [(0, 22), (5, 9)])) == "<mark>Miljömålsuppföljningen</mark> 2023"
    assert str(highlight("a & b", [])) == "a &amp; b"
    assert str(highlight("<b>", [])) == "&lt;b&gt;"
