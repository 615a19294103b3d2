"""The sample archive's scan and photo in the web app: found by their words, said to be OCR'd, truly dated."""
from __future__ import annotations

import re

import pytest
from test_browser import axe_source, axe_violations, browser, new_page, sample_url  # noqa: F401 - fixtures

from indexer.extract import ocr_unavailable

WHY_NOT = ocr_unavailable()
pytestmark = pytest.mark.skipif(WHY_NOT is not None, reason=f"OCR cannot run here: {WHY_NOT}")

SCAN = "miljostrategi/2015-11-19-boras/protokoll-arbetsutskott-skannat.pdf"
PHOTO = "rattvis-handel/2015-10-08-goteborg/minnesanteckningar-justerad-sida.jpg"
NOTICE = "Texten är maskinläst (OCR) och kan innehålla fel."


@pytest.fixture
def sample_client(sample_app):
    return sample_app.test_client()


@pytest.mark.parametrize("word, doc_id", [("energieffektivisering", SCAN), ("kaffeodling", PHOTO)])
def test_a_scan_and_a_photo_are_found_by_their_words(sample_client, word, doc_id):
    data = sample_client.get(f"/api/search?q={word}").get_json()
    assert [h["id"] for h in data["hits"]][:1] == [doc_id]
    assert data["facets"]["text"] == {"ocr": 1}


def test_they_say_they_are_ocrd_and_keep_their_true_dates(sample_client):
    scan = sample_client.get(f"/documents/{SCAN}").get_data(as_text=True)
    assert NOTICE in scan and re.search(r"i genomsnitt \d\d % säkert", scan)
    assert '<time datetime="2015-11-19">' in scan  # the meeting's, not the scan's 2015-11-30
    assert "§ 3 Energieffektivisering i kommunernas fastigheter" in scan
    photo = sample_client.get(f"/documents/{PHOTO}").get_data(as_text=True)
    assert NOTICE in photo and '<time datetime="2015-10-08">' in photo
    typed = sample_client.get("/documents/rattvis-handel/2015-10-08-goteborg/minnesanteckningar.docx")
    assert NOTICE not in typed.get_data(as_text=True)


def test_the_ocr_facet_filters(sample_client):
    data = sample_client.get("/api/search?text=ocr").get_json()
    assert sorted(h["id"] for h in data["hits"]) == sorted([SCAN, PHOTO])
    page = sample_client.get("/?text=ocr").get_data(as_text=True)
    assert "Maskinläst (OCR)" in page and "Text: Maskinläst (OCR)" in page  # the facet and its chip
    assert sample_client.get("/api/search?text=handskrivet").status_code == 400


@pytest.mark.parametrize("width, height", [(390, 844), (1280, 900)], ids=["phone", "desktop"])
def test_the_ocr_notice_in_a_browser(browser, sample_url, axe_source, width, height, tmp_path_factory):  # noqa: F811
    context, page = new_page(browser, sample_url)
    try:
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"/documents/{SCAN}")
        notice = page.locator("#ocr-notice")
        assert notice.is_visible() and NOTICE in notice.inner_text()
        assert axe_violations(page, axe_source) == []
        page.screenshot(path=str(tmp_path_factory.mktemp("shots") / f"ocr-{width}.png"), full_page=False)
        page.goto("/?text=ocr")
        assert page.get_by_label(re.compile("Maskinläst \\(OCR\\)")).is_checked()
        assert axe_violations(page, axe_source) == []
    finally:
        context.close()
