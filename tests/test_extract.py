"""indexer.extract: bytes -> text per page, properties, and one clear reason on failure.

Documents are generated in tmp_path (python-docx, python-pptx, fpdf2, pypdf, zipfile);
TestCorpus runs over ../shared/corpus when it exists and skips cleanly when not.
"""
from __future__ import annotations

import csv
import os
import time
import zipfile
from datetime import date, datetime, timezone
from pathlib import Path

import docx
import pptx
import pytest
from docx.enum.text import WD_BREAK
from fpdf import FPDF
from pptx.util import Inches
from pypdf import PdfReader, PdfWriter

from corpus_expect import CORPUS_EXPECT
from indexer.errors import ExtractionError
from indexer.extract import EXTRACTOR_VERSION, REASONS, extract, normalize_text, sniff
from indexer.extract.normalize import is_garbage
from indexer.models import Extraction

CORPUS = Path(__file__).parents[1].parent / "shared" / "corpus"


# -- builders ----------------------------------------------------------------------------


def make_pdf(path: Path, pages: list[str], *, title: str | None = None,
             created: datetime | None = datetime(2023, 10, 10, 9, 30, tzinfo=timezone.utc)) -> Path:
    """A PDF with one page per string (fpdf2 core font: Latin-1, so å/ä/ö are fine)."""
    pdf = FPDF()
    pdf.set_font("Helvetica", size=12)
    if created is not None:
        pdf.set_creation_date(created)
    if title:
        pdf.set_title(title)
    for text in pages:
        pdf.add_page()
        for line in text.split("\n"):
            if line:
                pdf.write(8, line)
            pdf.ln(8)
    pdf.output(str(path))
    return path


def encrypt_pdf(src: Path, dst: Path, *, user: str, owner: str | None) -> Path:
    writer = PdfWriter(clone_from=PdfReader(src))
    writer.encrypt(user_password=user, owner_password=owner, algorithm="AES-128")
    with dst.open("wb") as f:
        writer.write(f)
    return dst


def make_docx(path: Path, build=None, *, title: str | None = None,
              created: datetime | None = None) -> Path:
    d = docx.Document()
    if title is not None:
        d.core_properties.title = title
    if created is not None:
        d.core_properties.created = created
    if build:
        build(d)
    d.save(str(path))
    return path


def make_pptx(path: Path, build=None, *, title: str | None = None,
              created: datetime | None = None) -> Path:
    prs = pptx.Presentation()
    if title is not None:
        prs.core_properties.title = title
    if created is not None:
        prs.core_properties.created = created
    if build:
        build(prs)
    prs.save(str(path))
    return path


ODT_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
)


def make_odt(path: Path, body: str, *, meta: str = "", manifest_extra: str = "",
             prolog: str = "") -> Path:
    content = (f'<?xml version="1.0" encoding="UTF-8"?>{prolog}'
               f'<office:document-content {ODT_NS}><office:body><office:text>{body}'
               f"</office:text></office:body></office:document-content>")
    meta_xml = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-meta {ODT_NS}>'
                f"<office:meta>{meta}</office:meta></office:document-meta>")
    manifest = (f'<?xml version="1.0" encoding="UTF-8"?><manifest:manifest {ODT_NS}>'
                f'<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml">'
                f"{manifest_extra}</manifest:file-entry></manifest:manifest>")
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.text", compress_type=zipfile.ZIP_STORED)
        zf.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        zf.writestr("meta.xml", meta_xml)
        zf.writestr("META-INF/manifest.xml", manifest)
    return path


def rewrite_zip(src: Path, dst: Path, *, drop=(), replace=None) -> Path:
    """Copy a zip, leaving out members in `drop` and transforming others with `replace`."""
    replace = replace or {}
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename in drop:
                continue
            data = zin.read(info)
            if info.filename in replace:
                data = replace[info.filename](data)
            zout.writestr(info.filename, data)
    return dst


def reason_of(path: Path, **kw) -> ExtractionError:
    with pytest.raises(ExtractionError) as err:
        extract(path, **kw)
    assert err.value.reason in REASONS
    assert err.value.detail
    return err.value


# -- normalize_text ----------------------------------------------------------------------


class TestNormalize:
    def test_nfc_composes_decomposed_swedish_letters(self):
        assert normalize_text("ga\u030ardsplan fo\u0308r a\u0308ng") == "gårdsplan för äng"
        assert normalize_text("A\u030aTGA\u0308RD") == "ÅTGÄRD"

    def test_removes_soft_hyphens_zero_width_and_controls(self):
        s = "miljö\u00admål\u200b och\u200d\ufeff sam\x00ver\x07kan\x1b"
        assert normalize_text(s) == "miljömål och samverkan"

    def test_soft_hyphen_at_line_end_joins_the_word(self):
        assert normalize_text("uppfölj\u00ad\nning") == "uppföljning"

    def test_keeps_newlines_and_tabs_normalises_line_ends(self):
        assert normalize_text("a\r\nb\rc\td") == "a\nb\nc\td"

    def test_collapses_spaces_and_blank_lines(self):
        assert normalize_text("  två   ord \u00a0 här  \n\n\n\nsedan") == "två ord här\n\nsedan"

    def test_rejoins_line_end_hyphenation(self):
        assert normalize_text("Om miljö-\nmålsuppföljningen") == "Om miljömålsuppföljningen"

    def test_keeps_hyphen_before_capital_or_conjunction(self):
        assert normalize_text("Västra Götaland-\nRegionen") == "Västra Götaland-\nRegionen"
        assert normalize_text("miljö-\noch hälsoskydd") == "miljö-\noch hälsoskydd"
        assert normalize_text("e-\npost") == "e-\npost"
        assert normalize_text("2019-\n2020") == "2019-\n2020"

    def test_spells_out_ligatures_and_keeps_aao(self):
        assert normalize_text("\ufb01nansiering å ä ö Å Ä Ö é") == "finansiering å ä ö Å Ä Ö é"

    def test_private_use_glyph_becomes_a_separator(self):
        assert normalize_text("\uf0b7Punkt ett") == "Punkt ett"

    def test_empty(self):
        assert normalize_text("") == ""
        assert normalize_text(" \n\u200b ") == ""

    def test_garbage_detector(self):
        assert is_garbage("\x01\x02\x03\x04\x05 \x06\x07\x08\x0e\x0f \x10\x11\x12\x13\x14\x15\x16\x17\x18\x19")
        assert is_garbage("/g936/g1007/g1004/g1004/g3/g296/g381/g396/g3/g1005 " * 3)
        assert is_garbage("!\"#$%&'()*+,/:;<=>?@[]^`{|}~!\"#$%&'()*+,/:;<=>?@[]^`{|}~ ab")
        assert not is_garbage("Stadgar för föreningen, antagna på årsmötet 2019-09-05.")
        assert not is_garbage("§1.1 Syfte . . . . . . . . . . . . . . . . . . . . . . 6\n"
                              "Allmän platsmark........................................... 8")
        assert not is_garbage("2019 2020 2021\n12,5 13,0 14,2\n1 234 5 678 9 012")


# -- PDF ---------------------------------------------------------------------------------


class TestPdf:
    def test_pages_title_heading_created(self, tmp_path):
        path = make_pdf(tmp_path / "a.pdf", [
            "Minnesanteckningar Naturvårdsgruppen\nMötet hölls i Lerum den 10 oktober 2023.",
            "Sida två handlar om åtgärder för ängsmark och ädellövskog.",
            "Tredje sidan: uppföljning av miljömålen.",
        ], title="Möte i Lerum")
        x = extract(path)
        assert isinstance(x, Extraction)
        assert x.format == "pdf"
        assert len(x.pages) == 3
        assert "Lerum den 10 oktober 2023" in x.pages[0]
        assert "ängsmark och ädellövskog" in x.pages[1]
        assert "uppföljning av miljömålen" in x.pages[2]
        assert x.title == "Möte i Lerum"
        assert x.heading == "Minnesanteckningar Naturvårdsgruppen"
        assert x.created == date(2023, 10, 10)
        assert x.warnings == ()

    def test_blank_page_keeps_numbering(self, tmp_path):
        x = extract(make_pdf(tmp_path / "a.pdf", ["Första sidan med text om skog och mark.", "",
                                                   "Tredje sidan med mer text om vatten."]))
        assert len(x.pages) == 3
        assert x.pages[1] == ""
        assert "Tredje sidan" in x.pages[2]

    def test_no_text_is_a_warning(self, tmp_path):
        x = extract(make_pdf(tmp_path / "scan.pdf", ["", ""]))
        assert x.pages == ("", "")
        assert x.warnings == ("no text (scanned?)",)
        assert x.heading is None

    def test_absurd_creation_date_dropped(self, tmp_path):
        x = extract(make_pdf(tmp_path / "a.pdf", ["Text om skogen och ängarna här."],
                             created=datetime(1985, 1, 1, tzinfo=timezone.utc)))
        assert x.created is None

    def test_encrypted_with_user_password(self, tmp_path):
        plain = make_pdf(tmp_path / "plain.pdf", ["Hemlig text om budgeten för nästa år."])
        locked = encrypt_pdf(plain, tmp_path / "locked.pdf", user="hemligt", owner="ägare")
        err = reason_of(locked)
        assert err.reason == "encrypted"

    def test_empty_user_password_opens(self, tmp_path):
        plain = make_pdf(tmp_path / "plain.pdf", ["Öppen text om budgeten för nästa år."])
        owner_only = encrypt_pdf(plain, tmp_path / "owner.pdf", user="", owner="ägarlösen")
        assert PdfReader(owner_only).is_encrypted
        x = extract(owner_only)
        assert "Öppen text om budgeten" in x.pages[0]

    def test_truncated_pdf_is_corrupt(self, tmp_path):
        good = make_pdf(tmp_path / "good.pdf", ["Text " * 200, "Mer text " * 200])
        data = good.read_bytes()
        bad = tmp_path / "bad.pdf"
        bad.write_bytes(data[: len(data) // 3])
        assert reason_of(bad).reason == "corrupt"

    def test_garbage_page_dropped_and_flagged(self, tmp_path, monkeypatch):
        from pypdf import PageObject

        path = make_pdf(tmp_path / "a.pdf", ["Första sidan om skog.", "Andra sidan", "Tredje sidan om vatten."])
        original = PageObject.extract_text

        def fake(self, *a, **kw):
            text = original(self, *a, **kw)
            return "\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19" \
                if "Andra" in text else text

        monkeypatch.setattr(PageObject, "extract_text", fake)
        x = extract(path)
        assert x.pages[1] == ""
        assert "Tredje sidan" in x.pages[2]
        assert "garbage text on page 2" in x.warnings

    def test_unreadable_page_is_partial(self, tmp_path, monkeypatch):
        from pypdf import PageObject

        path = make_pdf(tmp_path / "a.pdf", ["Första sidan om skog och mark.", "Andra sidan", "Tredje sidan om vatten."])
        original = PageObject.extract_text

        def fake(self, *a, **kw):
            text = original(self, *a, **kw)
            if "Andra" in text:
                raise ValueError("broken content stream")
            return text

        monkeypatch.setattr(PageObject, "extract_text", fake)
        x = extract(path)
        assert len(x.pages) == 3 and x.pages[1] == ""
        assert "partial: 1 pages unreadable" in x.warnings


# -- DOCX --------------------------------------------------------------------------------


class TestDocx:
    def test_body_order_tables_headers_footers(self, tmp_path):
        def build(d):
            d.add_paragraph("Inledande rad före rubriken")
            d.add_heading("Minnesanteckningar Naturvårdsgruppen", level=1)
            d.add_paragraph("Närvarande från kommunerna.")
            t = d.add_table(rows=2, cols=3)
            for r, row in enumerate([("Kommun", "Namn", "Roll"), ("Lerum", "Åsa Ek", "Ekolog")]):
                for c, value in enumerate(row):
                    t.cell(r, c).text = value
            d.add_paragraph("Efter tabellen: beslut om ängsmark.")
            d.sections[0].header.paragraphs[0].text = "Energikontor Väst – sidhuvud"
            d.sections[0].footer.paragraphs[0].text = "Sidfot med kontaktuppgifter"

        x = extract(make_docx(tmp_path / "m.docx", build, title="Möte 10 oktober"))
        assert x.format == "docx"
        assert len(x.pages) == 1
        text = x.pages[0]
        lines = text.split("\n")
        assert lines[0] == "Energikontor Väst – sidhuvud"
        assert lines[-1] == "Sidfot med kontaktuppgifter"
        assert "Kommun | Namn | Roll\nLerum | Åsa Ek | Ekolog" in text
        assert text.index("Närvarande") < text.index("Kommun | Namn") < text.index("Efter tabellen")
        assert x.heading == "Minnesanteckningar Naturvårdsgruppen"
        assert x.title == "Möte 10 oktober"

    def test_explicit_page_breaks_split_pages(self, tmp_path):
        def build(d):
            d.add_paragraph("Sida ett om skogen.")
            d.add_page_break()
            d.add_paragraph("Sida två om vattnet.")
            p = d.add_paragraph("Före brytningen ")
            p.add_run().add_break(WD_BREAK.PAGE)
            p.add_run("efter brytningen på sida tre.")
            d.add_paragraph("Rad med\tflik och")
            d.paragraphs[-1].add_run().add_break()  # line break, not a page break
            d.paragraphs[-1].add_run("ny rad.")

        x = extract(make_docx(tmp_path / "p.docx", build))
        assert len(x.pages) == 3
        assert x.pages[0] == "Sida ett om skogen."
        assert x.pages[1] == "Sida två om vattnet.\nFöre brytningen"
        assert x.pages[2] == "efter brytningen på sida tre.\nRad med\tflik och\nny rad."

    def test_template_default_date_and_empty_title_dropped(self, tmp_path):
        d = docx.Document()
        assert d.core_properties.created == datetime(2013, 12, 23, 23, 15, tzinfo=timezone.utc)
        x = extract(make_docx(tmp_path / "d.docx", lambda d: d.add_paragraph("Text om skog och vatten.")))
        assert x.created is None
        assert x.title is None

    def test_real_created_date_kept(self, tmp_path):
        x = extract(make_docx(tmp_path / "d.docx", lambda d: d.add_paragraph("Text om skog."),
                              created=datetime(2019, 9, 5, 8, 0, tzinfo=timezone.utc)))
        assert x.created == date(2019, 9, 5)

    def test_heading_falls_back_to_first_short_paragraph(self, tmp_path):
        x = extract(make_docx(tmp_path / "d.docx", lambda d: (d.add_paragraph("Kallelse till möte"),
                                                              d.add_paragraph("Välkomna!"))))
        assert x.heading == "Kallelse till möte"

    def test_no_text_warning_only_when_there_are_no_letters(self, tmp_path):
        assert extract(make_docx(tmp_path / "tom.docx")).warnings == ("no text",)
        short = extract(make_docx(tmp_path / "kort.docx", lambda d: d.add_paragraph("Signerad")))
        assert short.warnings == ()

    def test_missing_core_properties(self, tmp_path):
        src = make_docx(tmp_path / "src.docx", lambda d: d.add_paragraph("Text om ängar och hagar."))

        def drop_rel(data: bytes) -> bytes:
            import re

            return re.sub(rb"<Relationship [^>]*core-properties[^>]*/>", b"", data)

        bare = rewrite_zip(src, tmp_path / "bare.docx", drop={"docProps/core.xml"},
                           replace={"_rels/.rels": drop_rel})
        x = extract(bare)
        assert x.title is None  # python-docx would invent "Word Document"
        assert x.created is None
        assert "ängar och hagar" in x.pages[0]

    def test_macro_enabled_content_type_is_read(self, tmp_path):
        src = make_docx(tmp_path / "src.docx", lambda d: d.add_paragraph("Makrodokument om skog."))
        docm = rewrite_zip(src, tmp_path / "m.docm", replace={"[Content_Types].xml": lambda b: b.replace(
            b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
            b"application/vnd.ms-word.document.macroEnabled.main+xml")})
        assert sniff(docm) == "docx"
        assert extract(docm).pages == ("Makrodokument om skog.",)

    def test_truncated_docx_is_corrupt(self, tmp_path):
        good = make_docx(tmp_path / "good.docx", lambda d: d.add_paragraph("Text " * 500))
        data = good.read_bytes()
        bad = tmp_path / "bad.docx"
        bad.write_bytes(data[: len(data) // 2])
        assert reason_of(bad).reason == "corrupt"

    def test_damaged_member_is_corrupt(self, tmp_path):
        src = make_docx(tmp_path / "src.docx", lambda d: d.add_paragraph("Text"))
        bad = rewrite_zip(src, tmp_path / "bad.docx", replace={"word/document.xml": lambda b: b[:200]})
        assert reason_of(bad).reason == "corrupt"


# -- PPTX --------------------------------------------------------------------------------


class TestPptx:
    def test_slides_tables_groups_notes(self, tmp_path):
        def build(prs):
            s1 = prs.slides.add_slide(prs.slide_layouts[0])
            s1.shapes.title.text = "Skogsstyrelsen om nyckelbiotoper"
            s1.placeholders[1].text = "Naturvårdsgruppen, Lerum"
            s1.notes_slide.notes_text_frame.text = "Tala om inventeringen först."

            s2 = prs.slides.add_slide(prs.slide_layouts[5])
            s2.shapes.title.text = "Resultat"
            table = s2.shapes.add_table(2, 2, Inches(1), Inches(2), Inches(6), Inches(1)).table
            table.cell(0, 0).text, table.cell(0, 1).text = "Län", "Antal"
            table.cell(1, 0).text, table.cell(1, 1).text = "Västra Götaland", "412"
            group = s2.shapes.add_group_shape()
            box = group.shapes.add_textbox(Inches(1), Inches(4), Inches(3), Inches(1))
            box.text_frame.text = "Text i en grupp"

            prs.slides.add_slide(prs.slide_layouts[6])  # blank slide

            s4 = prs.slides.add_slide(prs.slide_layouts[6])
            box = s4.shapes.add_textbox(Inches(1), Inches(1), Inches(4), Inches(1))
            box.text_frame.text = "Rad ett\vrad två"

        x = extract(make_pptx(tmp_path / "p.pptx", build, title="Nyckelbiotoper"))
        assert x.format == "pptx"
        assert len(x.pages) == 4
        assert x.pages[0].startswith("Skogsstyrelsen om nyckelbiotoper\nNaturvårdsgruppen, Lerum")
        assert x.pages[0].endswith("Tala om inventeringen först.")
        assert "Län | Antal\nVästra Götaland | 412" in x.pages[1]
        assert "Text i en grupp" in x.pages[1]
        assert x.pages[2] == ""
        assert x.pages[3] == "Rad ett\nrad två"
        assert x.heading == "Skogsstyrelsen om nyckelbiotoper"
        assert x.title == "Nyckelbiotoper"

    def test_template_default_date_dropped(self, tmp_path):
        default_created = pptx.Presentation().core_properties.created
        assert default_created == datetime(2013, 1, 27, 9, 14, 16)
        x = extract(make_pptx(tmp_path / "p.pptx", lambda prs: _title_slide(prs, "Presentation om lupiner")))
        assert x.created is None
        assert x.title is None

    def test_real_created_date_kept(self, tmp_path):
        x = extract(make_pptx(tmp_path / "p.pptx", lambda prs: _title_slide(prs, "Om parkslide"),
                              created=datetime(2022, 3, 14, 10, 0)))
        assert x.created == date(2022, 3, 14)

    def test_slideshow_content_type_is_read(self, tmp_path):
        src = make_pptx(tmp_path / "p.pptx", lambda prs: _title_slide(prs, "Bildspel om våtmarker"))
        ppsx = rewrite_zip(src, tmp_path / "p.ppsx", replace={"[Content_Types].xml": lambda b: b.replace(
            b"presentationml.presentation.main+xml", b"presentationml.slideshow.main+xml")})
        assert extract(ppsx).pages == ("Bildspel om våtmarker",)


def _title_slide(prs, title: str) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[5])
    slide.shapes.title.text = title


# -- ODT ---------------------------------------------------------------------------------


class TestOdt:
    def test_text_headings_tables_meta(self, tmp_path):
        body = ('<text:h text:outline-level="1">Protokoll från årsmötet</text:h>'
                "<text:p>Mötet<text:s text:c=\"3\"/>öppnades<text:tab/>kl 10.<text:line-break/>Ny rad.</text:p>"
                "<text:list><text:list-item><text:p>Punkt om ängar</text:p></text:list-item></text:list>"
                "<table:table><table:table-row><table:table-cell><text:p>Kommun</text:p></table:table-cell>"
                "<table:table-cell><text:p>Borås</text:p></table:table-cell></table:table-row></table:table>")
        meta = "<dc:title>Årsmöte</dc:title><meta:creation-date>2018-03-14T10:00:00</meta:creation-date>"
        x = extract(make_odt(tmp_path / "a.odt", body, meta=meta))
        assert x.format == "odt"
        assert x.pages == ("Protokoll från årsmötet\nMötet öppnades\tkl 10.\nNy rad.\nPunkt om ängar\nKommun | Borås",)
        assert x.heading == "Protokoll från årsmötet"
        assert x.title == "Årsmöte"
        assert x.created == date(2018, 3, 14)

    def test_encrypted_odt(self, tmp_path):
        path = make_odt(tmp_path / "e.odt", "<text:p>x</text:p>",
                        manifest_extra='<manifest:encryption-data manifest:checksum-type="SHA1"/>')
        assert reason_of(path).reason == "encrypted"

    def test_entity_declarations_refused(self, tmp_path):
        prolog = '<!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        path = make_odt(tmp_path / "lol.odt", "<text:p>&b;</text:p>", prolog=prolog)
        assert reason_of(path).reason == "corrupt"


# -- plain text --------------------------------------------------------------------------


class TestText:
    def test_windows_1252(self, tmp_path):
        path = tmp_path / "anteckningar.txt"
        path.write_bytes("Minnesanteckningar\nÅtgärder för ängar, hagar och öar – 500 €.\n".encode("cp1252"))
        x = extract(path)
        assert x.format == "text"
        assert x.pages == ("Minnesanteckningar\nÅtgärder för ängar, hagar och öar – 500 €.",)
        assert x.heading == "Minnesanteckningar"

    def test_short_windows_1252(self, tmp_path):
        path = tmp_path / "kort.txt"
        path.write_bytes("ÅÄÖ åäö".encode("cp1252"))
        assert extract(path).pages == ("ÅÄÖ åäö",)

    @pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16"])
    def test_unicode_encodings(self, tmp_path, encoding):
        path = tmp_path / "a.md"
        path.write_bytes("# Rubrik om miljömål\n\nBrödtext om öar och ängar.".encode(encoding))
        x = extract(path)
        assert x.pages == ("Rubrik om miljömål\n\nBrödtext om öar och ängar.",)  # Markdown: searched plain
        assert x.layout == ("# Rubrik om miljömål\n\nBrödtext om öar och ängar.",)  # read as written
        assert x.heading == "Rubrik om miljömål"

    def test_form_feed_splits_pages_and_text_is_normalised(self, tmp_path):
        path = tmp_path / "sidor.txt"
        path.write_text("Sida ett\r\n\fSida   två med a\u030a\f\fSida fyra", encoding="utf-8")
        x = extract(path)
        assert x.pages == ("Sida ett", "Sida två med å", "", "Sida fyra")

    def test_no_extension_is_text(self, tmp_path):
        path = tmp_path / "README"
        path.write_text("Läs mig: detta är en textfil om arkivet.", encoding="utf-8")
        assert sniff(path) == "text"
        assert extract(path).format == "text"


# -- sniffing and failures ---------------------------------------------------------------


class TestSniffAndFailures:
    def test_sniff_each_format(self, tmp_path):
        assert sniff(make_pdf(tmp_path / "a.pdf", ["x"])) == "pdf"
        assert sniff(make_docx(tmp_path / "a.docx")) == "docx"
        assert sniff(make_pptx(tmp_path / "a.pptx")) == "pptx"
        assert sniff(make_odt(tmp_path / "a.odt", "<text:p>x</text:p>")) == "odt"
        (tmp_path / "a.csv").write_text("kommun;antal\nBorås;3\n", encoding="utf-8")
        assert sniff(tmp_path / "a.csv") == "text"

    def test_pdf_named_docx_is_read_as_pdf(self, tmp_path):
        path = make_pdf(tmp_path / "fel.docx", ["PDF-innehåll fast filen heter docx."])
        assert sniff(path) == "pdf"
        x = extract(path)
        assert x.format == "pdf" and "PDF-innehåll" in x.pages[0]

    def test_docx_named_pdf_is_read_as_docx(self, tmp_path):
        path = make_docx(tmp_path / "fel.pdf", lambda d: d.add_paragraph("Egentligen Word."))
        assert sniff(path) == "docx"
        assert extract(path).format == "docx"

    def test_html_named_docx_is_corrupt(self, tmp_path):
        path = tmp_path / "export.docx"
        path.write_text("<!DOCTYPE html><html><body><p>Inte Word</p></body></html>", encoding="utf-8")
        err = reason_of(path)
        assert err.reason == "corrupt"
        assert err.detail == "file is not a real DOCX (looks like HTML)"
        assert sniff(path) == "docx"  # what it claims: the caller still reports it

    def test_text_named_pdf_is_corrupt(self, tmp_path):
        path = tmp_path / "a.pdf"
        path.write_text("bara text", encoding="utf-8")
        err = reason_of(path)
        assert err.reason == "corrupt" and "not a real PDF" in err.detail

    def test_zero_bytes_is_empty(self, tmp_path):
        for name in ("tom.pdf", "tom.docx", "tom.txt", "tom"):
            path = tmp_path / name
            path.write_bytes(b"")
            assert reason_of(path).reason == "empty"

    def test_random_binary_is_unsupported(self, tmp_path):
        path = tmp_path / "data.bin"
        path.write_bytes(bytes(range(256)) * 64 + os.urandom(4096))
        assert sniff(path) is None
        assert reason_of(path).reason == "unsupported format"
        noext = tmp_path / "data"
        noext.write_bytes(os.urandom(4096) + b"\x00")
        assert reason_of(noext).reason == "unsupported format"

    def test_text_with_other_extension_is_unsupported(self, tmp_path):
        path = tmp_path / "sida.html"
        path.write_text("<html><body>hej</body></html>", encoding="utf-8")
        assert sniff(path) is None
        assert reason_of(path).reason == "unsupported format"

    def test_legacy_ole_is_unsupported_and_encrypted_ole_is_encrypted(self, tmp_path):
        magic = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        legacy = tmp_path / "gammal.doc"
        legacy.write_bytes(magic + b"\x00" * 2000 + "WordDocument".encode("utf-16-le") + b"\x00" * 1000)
        assert reason_of(legacy).reason == "unsupported format"
        locked = tmp_path / "last.docx"
        locked.write_bytes(magic + b"\x00" * 3000 + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 100)
        assert reason_of(locked).reason == "encrypted"
        assert sniff(locked) == "docx"

    def test_other_zip_is_unsupported(self, tmp_path):
        path = tmp_path / "tabell.xlsx"
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr("[Content_Types].xml", "<Types/>")
            zf.writestr("xl/workbook.xml", "<workbook/>")
        assert reason_of(path).reason == "unsupported format"
        plain = tmp_path / "filer.docx"
        with zipfile.ZipFile(plain, "w") as zf:
            zf.writestr("hej.txt", "hej")
        assert reason_of(plain).reason == "unsupported format"

    def test_zip_bomb_member(self, tmp_path):
        path = tmp_path / "bomb.docx"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("[Content_Types].xml", "<Types/>")
            zf.writestr("word/document.xml", b"\x00" * (20 * 1024 * 1024))
        assert path.stat().st_size < 1024 * 1024
        err = reason_of(path)
        assert err.reason == "too large" and "zip bomb guard" in err.detail

    def test_zip_with_too_many_entries(self, tmp_path):
        path = tmp_path / "many.docx"
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr("word/document.xml", "<w:document/>")
            for i in range(10_001):
                zf.writestr(f"word/media/{i}.bin", b"")
        err = reason_of(path)
        assert err.reason == "too large" and "entries" in err.detail

    def test_file_over_max_bytes(self, tmp_path):
        path = make_pdf(tmp_path / "stor.pdf", ["Text om skog."])
        assert reason_of(path, max_bytes=100).reason == "too large"

    def test_missing_file_is_an_extraction_error(self, tmp_path):
        with pytest.raises(ExtractionError):
            extract(tmp_path / "finns-inte.pdf")

    def test_any_library_exception_becomes_corrupt(self, tmp_path, monkeypatch):
        import indexer.extract.pdf as pdf_module

        def boom(path):
            raise KeyError("/Root")

        monkeypatch.setattr(pdf_module, "extract_pdf", boom)
        path = make_pdf(tmp_path / "a.pdf", ["Text"])
        err = reason_of(path)
        assert err.reason == "corrupt" and "KeyError" in err.detail

    def test_version_is_an_int(self):
        assert isinstance(EXTRACTOR_VERSION, int) and EXTRACTOR_VERSION >= 1


# -- the shared corpus of real and hostile files -----------------------------------------

# Files never handed to extract() here, with the reason.  Empty: no file in the corpus
# hangs or exhausts memory in pypdf/python-docx/python-pptx, and the zip bombs are
# refused by the zip guard before anything is inflated.
CORPUS_SKIP: dict[str, str] = {}



def _corpus_rows() -> list[dict[str, str]]:
    manifest = CORPUS / "MANIFEST.tsv"
    if not manifest.is_file():
        return []
    with manifest.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


@pytest.mark.skipif(not (CORPUS / "MANIFEST.tsv").is_file(), reason="../shared/corpus is absent")
class TestCorpus:
    def test_every_file_ends_as_extraction_or_extraction_error(self):
        rows = _corpus_rows()
        assert rows, "MANIFEST.tsv lists no files"
        outcomes: dict[str, str] = {}
        slow: list[tuple[float, str]] = []
        escaped: list[str] = []
        # CPU seconds (this process and its workers), not wall time: the bound is on the
        # work extraction does, which a busy machine does not change.
        started = sum(os.times()[:4])
        for row in rows:
            rel = row["path"]
            if rel in CORPUS_SKIP:
                continue
            t = time.perf_counter()
            try:
                result = extract(CORPUS / "files" / rel)
                assert isinstance(result, Extraction)
                assert len(result.pages) >= 1
                outcomes[rel] = "ok"
            except ExtractionError as e:
                assert e.reason in REASONS, (rel, e.reason)
                outcomes[rel] = e.reason
            except Exception as e:  # noqa: BLE001 - collected and reported below
                escaped.append(f"{rel}: {type(e).__name__}: {e}")
            slow.append((time.perf_counter() - t, rel))
        elapsed = sum(os.times()[:4]) - started
        assert not escaped, "exceptions escaped extract():\n" + "\n".join(escaped)
        wrong = {rel: (outcomes.get(rel), want) for rel, want in CORPUS_EXPECT.items()
                 if rel in outcomes and outcomes[rel] != want}
        assert not wrong, wrong
        assert elapsed < 60, f"{elapsed:.0f} CPU s; slowest (wall): {sorted(slow, reverse=True)[:5]}"

    def test_clean_swedish_text_comes_out_composed(self):
        rows = [r for r in _corpus_rows() if r["why_included"].startswith("Swedish real-world")
                and r["type"] in ("pdf", "docx", "pptx")][:15]
        if not rows:
            pytest.skip("no Swedish real-world files listed")
        letters = 0
        for row in rows:
            try:
                x = extract(CORPUS / "files" / row["path"])
            except ExtractionError:
                continue
            text = "\n".join(x.pages)
            assert "a\u030a" not in text and "o\u0308" not in text
            letters += sum(text.count(c) for c in "åäöÅÄÖ")
        assert letters > 100
