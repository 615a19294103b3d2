"""OCR: generated scans and photos of known Swedish text are read, found, cached, and bounded.

The scans are made here from text (tools/scans.py: typeset, rendered, spoilt); the
character error rate (CER) of each reading is asserted under a bound.  Without
Tesseract and its Swedish model the OCR tests skip, saying so; the post-processing
tests and the "without Tesseract" behaviour run everywhere.
"""
from __future__ import annotations

import os
import struct
import time
import zlib
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from indexer import IndexSettings, SearchRequest, problems, update_index
from indexer.extract import EXTRACTOR_VERSION, OcrOptions, PoolLimits, extract, extract_file, ocr_unavailable
from indexer.extract.ocr import skew_angle
from indexer.index import TextCache, load_state
from indexer.lang import clean_ocr_text
from bench_modules import load_tool
from tiny import TODAY

REPO = Path(__file__).resolve().parents[1]
CORPUS_SCAN = REPO.parent / "shared" / "corpus" / "minutes" / "lithekod" / "2016-05-23-stormote-scanned.pdf"


scans = load_tool("scans")
WHY_NOT = ocr_unavailable()
needs_ocr = pytest.mark.skipif(WHY_NOT is not None, reason=f"OCR cannot run here: {WHY_NOT}")

LINES = [
    "# Protokoll Miljöstrategigruppen 14 mars 2017",
    "Plats: Stadshuset i Skövde, sal Billingen",
    "§ 1 Mötets öppnande",
    "Ordföranden hälsade alla välkomna och förklarade mötet öppnat.",
    "§ 2 Val av justerare",
    "Till justerare valdes Åsa Öberg. 8 personer deltog i mötet.",
    "§ 3 Återrapportering",
    "Gruppen diskuterade återrapporteringen till länsstyrelsen och hur",
    "kommunerna ska följa upp målen för hållbar utveckling under året.",
    "§ 4 Övriga frågor",
    "Nästa möte äger rum i Lidköping. Mötet förklarades avslutat.",
]
REFERENCE = "\n".join(line.removeprefix("# ") for line in LINES)
WORDS = ("Miljöstrategigruppen", "öppnande", "justerare", "Åsa", "Öberg", "återrapporteringen", "länsstyrelsen",
         "hållbar", "Övriga", "frågor", "Lidköping")
# Bounds on the character error rate, a little above what was measured here (0.0–1.6 %).
CLEAN_CER = 0.01
DEGRADED_CER = 0.04


# -- Swedish post-processing (no Tesseract needed) -----------------------------------------


@pytest.mark.parametrize("raw, cleaned", [
    ("$ 12 Val av justerare", "§ 12 Val av justerare"),
    ("8 3 Miljömålsuppföljning", "§ 3 Miljömålsuppföljning"),
    ("8 12. Beslut om budget", "§ 12. Beslut om budget"),
    ("$4", "§ 4"),
    ("Se beslutet enligt $ 5 ovan.", "Se beslutet enligt § 5 ovan."),
    # The other side: an 8 that is a number stays a number.
    ("8 personer deltog i mötet.", "8 personer deltog i mötet."),
    ("80 Deltagare från kommunerna", "80 Deltagare från kommunerna"),
    ("8 12", "8 12"),
    ("Kostnaden blev 8 12 kr", "Kostnaden blev 8 12 kr"),
])
def test_section_sign_where_the_context_says_so(raw, cleaned):
    assert clean_ocr_text(raw) == cleaned


def test_a_section_sign_glued_to_its_number_follows_the_item_sequence():
    text = "81 Mötets öppnande\ntext\n82 Val av justerare\n§ 3 Ekonomi\n84 Nästa möte\n81 Kommuner deltog"
    assert clean_ocr_text(text).splitlines() == [
        "§ 1 Mötets öppnande", "text", "§ 2 Val av justerare", "§ 3 Ekonomi", "§ 4 Nästa möte",
        "81 Kommuner deltog"]  # 81 fits no sequence: a number
    assert clean_ocr_text("81 Kommuner deltog") == "81 Kommuner deltog"  # no items: nothing to follow


def test_line_end_breaks_and_nfc():
    assert clean_ocr_text("miljö\ufffe\nmålen") == "miljömålen"
    assert clean_ocr_text("miljö-\ufffe\nmålen") == "miljömålen"
    assert clean_ocr_text("a\u030angsmark") == "\u00e5ngsmark"  # "å" as a + combining ring -> NFC
    # A blank line Tesseract put after a line-end hyphen is closed, for the usual rejoining.
    assert clean_ocr_text("hållbarhets-\n\narbetet") == "hållbarhets-\narbetet"


def test_skew_is_measured_from_the_lines():
    page = scans.render_lines(LINES, dpi=100)[0]
    turned = scans.degrade(page, angle=2.5)
    assert abs(skew_angle(page)) < 0.3
    assert abs(skew_angle(turned) - (-2.5)) <= 0.3  # the turn that levels it is the opposite one


def test_a_time_limit_grows_with_the_pages_to_ocr():
    limits = PoolLimits(timeout_base=30.0, timeout_per_page=0.5, timeout_per_ocr_page=30.0)
    assert limits.timeout(40) == 50.0
    assert limits.timeout(40, 40) == 50.0 + 40 * 30.0


# -- reading generated scans ------------------------------------------------------------------


def _write(tmp: Path, name: str, data: bytes) -> Path:
    path = tmp / name
    path.write_bytes(data)
    return path


@pytest.fixture(scope="module")
def page():
    return scans.render_lines(LINES, dpi=300)[0]


@pytest.fixture(scope="module")
def read(tmp_path_factory, page):
    """Each kind of scan made once and read once: name -> (Extraction, seconds)."""
    if WHY_NOT is not None:
        pytest.skip(f"OCR cannot run here: {WHY_NOT}")
    tmp = tmp_path_factory.mktemp("scans")
    made = {
        "clean": (scans.images_pdf([page], dpi=300), "scan.pdf"),
        "200 dpi": (scans.images_pdf([scans.degrade(page, scale=200 / 300)], dpi=200), "scan.pdf"),
        "turned 2.5°": (scans.images_pdf([scans.degrade(page, angle=2.5, speckle=0.001, seed=1)]), "scan.pdf"),
        "on its side": (scans.images_pdf([page.rotate(90, expand=True)]), "scan.pdf"),
        "JPEG 35 %": (scans.images_pdf([scans.degrade(page, scale=200 / 300, jpeg=35, speckle=0.0005, blur=0.6,
                                                      seed=2)], dpi=200), "scan.pdf"),
        "phone photo": (scans.phone_photo(page, seed=3, taken=datetime(2017, 3, 20, 9, 15)), "foto.jpg"),
        "PNG": (_png_bytes(scans.degrade(page, scale=200 / 300)), "scan.png"),
    }
    out = {}
    for n, (name, (data, filename)) in enumerate(made.items()):
        path = _write(tmp, f"{n}-{filename}", data)
        started = time.monotonic()
        out[name] = (extract(path, ocr=OcrOptions()), time.monotonic() - started)
    return out


def _png_bytes(image) -> bytes:
    import io

    buf = io.BytesIO()
    image.save(buf, "PNG")
    return buf.getvalue()


@needs_ocr
@pytest.mark.parametrize("kind", ["clean", "200 dpi", "turned 2.5°", "on its side", "JPEG 35 %", "phone photo", "PNG"])
def test_generated_scans_are_read(read, kind):
    extraction, _seconds = read[kind]
    text = extraction.pages[0]
    missing = [w for w in WORDS if w not in text]
    assert not missing, f"{kind}: {missing} not found in {text!r}"
    assert "§ 2 Val av justerare" in text and "8 personer" in text
    bound = CLEAN_CER if kind in ("clean", "200 dpi", "on its side", "PNG") else DEGRADED_CER
    assert scans.cer(REFERENCE, text) <= bound, (kind, scans.cer(REFERENCE, text), text)
    assert extraction.ocr_pages == (1,)
    assert 80 <= extraction.ocr_confidence <= 100
    assert not extraction.ocr_pending and not extraction.warnings


@needs_ocr
def test_a_photo_is_turned_by_its_exif_and_dated_by_it(read):
    extraction, _ = read["phone photo"]
    assert extraction.format == "jpeg"
    assert extraction.created == date(2017, 3, 20)


@needs_ocr
def test_only_the_scanned_page_of_a_mixed_pdf_is_ocrd(tmp_path, page):
    typed = ["Minnesanteckningar från mötet om lokala miljömål.", "Bilaga: det justerade protokollet."]
    path = _write(tmp_path, "blandad.pdf", scans.mixed_pdf(typed, scans.degrade(page, scale=200 / 300), dpi=200))
    without = extract(path)
    assert without.ocr_pending and without.pages[1] == "" and "lokala miljömål" in without.pages[0]
    assert without.warnings == ("1 scanned page not read (OCR is turned off)",)
    with_ocr = extract(path, ocr=OcrOptions())
    assert with_ocr.pages[0] == without.pages[0]  # the typed page is its text layer, untouched
    assert with_ocr.ocr_pages == (2,)
    assert "justerare" in with_ocr.pages[1] and not with_ocr.warnings


@needs_ocr
def test_a_blank_page_is_not_ocrd(tmp_path):
    path = _write(tmp_path, "tom.pdf", scans.typeset(["Bara en rad på första sidan, och sedan ingenting.", "===",
                                                       " "]))
    extraction = extract(path, ocr=OcrOptions())
    assert extraction.ocr_pages == () and not extraction.ocr_pending


# -- hostile images ---------------------------------------------------------------------------


def _bomb_png(width: int = 30_000, height: int = 30_000) -> bytes:
    """A valid 1-bit PNG of width × height white pixels: 110 MB of rows in a ~110 kB file."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    row = b"\x00" + b"\xff" * ((width + 7) // 8)
    z = zlib.compressobj(9)
    body = b"".join(z.compress(row) for _ in range(height)) + z.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


@pytest.fixture(scope="module")
def bomb(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("bomb") / "bomb.png"
    path.write_bytes(_bomb_png())
    assert path.stat().st_size < 1024 * 1024
    return path


@pytest.mark.parametrize("ocr", [None, OcrOptions()], ids=["ocr off", "ocr on"])
def test_a_decompression_bomb_png_is_one_clear_line(bomb, ocr):
    started = time.monotonic()
    result = extract_file(str(bomb), 200 * 2**20, lambda n: None, ocr=ocr)
    assert time.monotonic() - started < 5
    assert result.reason == "too large"
    assert result.detail == "a 30 000 × 30 000 pixel image (900 megapixels; the limit is 80)"
    assert "\n" not in result.detail


def test_a_broken_image_is_corrupt(tmp_path, page):
    import io

    buf = io.BytesIO()
    page.save(buf, "JPEG")
    path = _write(tmp_path, "trasig.jpg", buf.getvalue()[:5000])
    result = extract_file(str(path), 200 * 2**20, lambda n: None)
    assert result.reason == "corrupt" and "\n" not in result.detail


def test_indexing_a_bomb_costs_one_line_within_the_limits(tiny, bomb):
    tiny.write("naturvard/2024-03-05-boras/bomb.png", bomb.read_bytes())
    started = time.monotonic()
    report = tiny.index(memory_limit=512 * 2**20, timeout_base=20.0)
    assert time.monotonic() - started < 60
    assert [(p.id, p.reason) for p in report.failed] == [("naturvard/2024-03-05-boras/bomb.png", "too large")]


# -- indexing: found, cached, dated, said ------------------------------------------------------


def _scanned_minutes(tiny, page, created: datetime | None = None) -> str:
    doc_id = "naturvard/2017-03-14-skovde/protokoll-skannat.pdf"
    tiny.write(doc_id, scans.images_pdf([scans.degrade(page, scale=200 / 300, jpeg=60, seed=4)], dpi=200,
                                        created=created))
    return doc_id


def test_without_ocr_a_scan_is_an_unreadable_scan_said_once(tiny, page, monkeypatch):
    doc_id = _scanned_minutes(tiny, page)
    tiny.write("naturvard/2017-03-14-skovde/foto.jpg", scans.phone_photo(page))
    report = tiny.index(ocr=False)
    assert report.notices == ["OCR is turned off: 2 files with scanned pages indexed without their text"]
    assert not report.failed  # a scan opens: it is listed as a problem, not as a failure
    listed = {p.id: (p.reason, p.detail) for p in problems(tiny.index_dir)}
    assert listed[doc_id] == ("unreadable scan", "no text (scanned; OCR is turned off)")
    assert load_state(tiny.index_dir)[doc_id].ocr_pending
    # Nothing of it is cached: the scan is read again once OCR can run.
    sha = load_state(tiny.index_dir)[doc_id].sha256
    assert TextCache(tiny.index_dir, EXTRACTOR_VERSION).get(sha) is None
    # Without Tesseract on the PATH, the notice says what is missing (one line for the run).
    empty = tiny.root.parent / "no-tools"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    ocr_unavailable.cache_clear()
    try:
        report = tiny.index(rebuild=True)
    finally:
        ocr_unavailable.cache_clear()
    assert len(report.notices) == 1 and report.notices[0].startswith("OCR is not available (tesseract is not "
                                                                      "installed")
    assert problems(tiny.index_dir)[0].detail.startswith("no text (scanned; OCR is not available")


@needs_ocr
def test_a_scan_becomes_searchable_once_and_keeps_its_true_date(tiny, page):
    # The scanner stamped the PDF with the day it was put in the archive: that is no date.
    doc_id = _scanned_minutes(tiny, page, created=datetime.now(timezone.utc))
    os.utime(tiny.root / doc_id)
    other = "naturvard/ovrigt/skannad-utan-datum.pdf"
    tiny.write(other, scans.images_pdf([scans.degrade(scans.render_lines(["Anteckningar om ängsmarkerna"
                                                                          " vid Hornborgasjön."])[0],
                                                      scale=200 / 300)], dpi=200,
                                       created=datetime.now(timezone.utc)))
    assert tiny.index(ocr=False).notices
    seen = []
    report = update_index(IndexSettings(archive=tiny.root, index_dir=tiny.index_dir, today=TODAY, jobs=2),
                          progress=lambda done, total, label: seen.append(label))
    assert sorted(report.updated) == sorted([other, doc_id])
    assert report.ocr_pages == 2 and not report.notices
    assert any(label.startswith("OCR 1/1 ") for label in seen)
    ix = tiny.open()
    hits = ix.search(SearchRequest(query="återrapporteringen")).hits
    assert [h.id for h in hits] == [doc_id]
    doc = ix.document(doc_id)
    assert doc.status == "ok" and doc.ocr_pages == (1,) and doc.ocr_confidence > 80
    assert doc.date == date(2017, 3, 14) and doc.sources["date"] == "folder"
    undated = ix.document(other)
    assert undated.date is None, "the PDF's creation date is the day it arrived: no date"
    assert {h.id for h in ix.search(SearchRequest(texts=("ocr",))).hits} == {doc_id, other}
    assert ix.search(SearchRequest(query="")).facets["text"] == {"ocr": 2}
    # OCR ran once per content: a rebuild takes the text from the cache.
    started = time.monotonic()
    again = tiny.index(rebuild=True)
    assert again.ocr_pages == 0 and time.monotonic() - started < 20
    assert tiny.open().document(doc_id).ocr_pages == (1,)


@needs_ocr
def test_ocr_time_is_granted_per_page_not_per_file(tiny, page):
    doc_id = _scanned_minutes(tiny, page)
    # 2 s for the file would stop any OCR; the 60 s granted per OCR page let it finish.
    report = tiny.index(timeout_base=2.0, timeout_per_ocr_page=60.0)
    assert not report.failed and report.ocr_pages == 1
    assert tiny.open().document(doc_id).status == "ok"


@needs_ocr
@pytest.mark.skipif(not CORPUS_SCAN.is_file(), reason="../shared/corpus (minutes/lithekod) is absent")
def test_the_corpus_scan_becomes_searchable(tiny):
    doc_id = "naturvard/ovrigt/stormote.pdf"
    tiny.write(doc_id, CORPUS_SCAN.read_bytes())
    assert extract(tiny.root / doc_id).ocr_pending  # no text layer at all
    report = tiny.index()
    assert report.ocr_pages >= 3 and not report.failed
    ix = tiny.open()
    assert [h.id for h in ix.search(SearchRequest(query="ansvarsfrihet")).hits] == [doc_id]
    doc = ix.document(doc_id)
    assert doc.date == date(2016, 5, 23) and doc.sources["date"] == "text"  # not the PDF's 2016-05-27


def test_the_progress_bar_shows_ocr_pages():
    import io

    from indexer.cli.common import ProgressBar

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    out = Terminal()
    ProgressBar(out)(1, 4, "OCR 3/40 naturvard/2017-03-14 skovde/ett långt filnamn på ett skannat protokoll.pdf")
    assert "1/4 OCR 3/40 " in out.getvalue() and out.getvalue().rstrip().endswith("skannat protokoll.pdf")
