"""A small but varied archive for the web app's tests: three groups, every format, a sidecar,
a file that cannot be read and a hostile document."""
from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path

import docx
import pptx
from fpdf import FPDF

TODAY = date(2026, 11, 29)

ARKIV_TOML = """\
[network]
name = "Kommunnätverket för hållbar utveckling"

[[groups]]
slug = "naturvard"
name = "Naturvårdsgruppen"
description = "Nätverket för kommunekologer och andra som arbetar med kommunal naturvård."

[[groups]]
slug = "miljostrategi"
name = "Miljöstrategigruppen"
description = "Kommunernas miljö- och hållbarhetsstrateger."

[[groups]]
slug = "rattvis-handel"
name = "Rättvis och etisk handel-gruppen"
description = "Fairtrade-samordnare och upphandlare."

[[themes]]
name = "Invasiva arter"
keywords = ["invasiva arter", "parkslide", "lupin"]

[[themes]]
name = "Ekologisk landskapsplanering"
keywords = ["landskapsplanering", "värdetrakter"]

[[themes]]
name = "Miljömålsuppföljning och indikatorer"
keywords = ["miljömålsuppföljning", "miljömålsuppföljningen", "indikatorer"]

[[themes]]
name = "Fairtrade City"
keywords = ["fairtrade"]

[[themes]]
name = "Skydd av natur"
keywords = ["nyckelbiotoper", "naturreservat"]

[[synonyms]]
terms = ["lupin", "blomsterlupin"]
"""

LERUM_MEETING = """\
title = "Ekologisk landskapsplanering"
place = "Lerum"
themes = ["Ekologisk landskapsplanering", "Skydd av natur"]

[[speakers]]
name = "Gunnar Ekelund"
organisation = "Göteborgs universitet"

[[speakers]]
name = "Mattias Berglöf"
organisation = "Skogsstyrelsen"
"""

BROKEN = "naturvard/2022-05-12-boras/trasig-bilaga.pdf"
XSS = '<script>alert("xss")</script>'


def docx_bytes(heading: str, paragraphs: list[str]) -> bytes:
    d = docx.Document()
    d.add_heading(heading, level=1)
    for p in paragraphs:
        d.add_paragraph(p)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def pptx_bytes(slides: list[tuple[str, str]]) -> bytes:
    prs = pptx.Presentation()
    for title, body in slides:
        slide = prs.slides.add_slide(prs.slide_layouts[1])
        slide.shapes.title.text = title
        slide.placeholders[1].text = body
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()


def pdf_bytes(pages: list[str]) -> bytes:
    pdf = FPDF()
    pdf.set_creation_date(datetime(2023, 10, 12, 9, 0, 0))
    pdf.set_font("helvetica", size=11)
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 6, text)
    return bytes(pdf.output())


def build_archive(root: Path) -> None:
    """Three groups, a dozen meetings, every format, a sidecar, a hostile document."""
    def write(rel: str, content: str | bytes) -> None:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            path.write_bytes(content)

    write("arkiv.toml", ARKIV_TOML)
    lerum = "naturvard/2023-10-10-lerum"
    write(f"{lerum}/meeting.toml", LERUM_MEETING)
    write(f"{lerum}/minnesanteckningar.docx", docx_bytes("Minnesanteckningar Naturvårdsgruppen 10 oktober 2023", [
        "Mötet handlade om ekologisk landskapsplanering och värdetrakter i Västra Götaland.",
        "Skogsstyrelsen berättade om nyckelbiotoper och hur inventeringen går till.",
        "Nästa möte blir i Borås.",
    ]))
    write(f"{lerum}/skogsstyrelsen-nyckelbiotoper.pptx", pptx_bytes([
        ("Nyckelbiotoper i Västra Götaland", "Skogsstyrelsen, oktober 2023"),
        ("Vad är en nyckelbiotop?", "Skog med mycket höga naturvärden."),
        ("Landskapsplanering", "Nyckelbiotoper i ett landskapsperspektiv: värdetrakter och landskapsplanering."),
    ]))
    write(f"{lerum}/bilaga.pdf", pdf_bytes([
        "Bilaga till minnesanteckningarna. Kommunägd skog i Lerum.",
        "Tabell: kommunägd skog med höga naturvärden och nyckelbiotoper per kommun.",
        "Slutsatser om landskapsplanering och fortsatt uppföljning.",
    ]))
    write(f"{lerum}/bilaga.pdf.toml",
          'title = "Uppföljningstabell: kommunägd skog"\ntype = "follow-up"\nthemes = ["Skydd av natur"]\n')
    write(f"{lerum}/åtgärder för ängar.txt", "Åtgärdslista för ängar och betesmarker i Lerum, landskapsplanering.")

    boras = "naturvard/2022-05-12-boras"
    write(f"{boras}/meeting.toml", 'title = "Invasiva arter"\nplace = "Borås"\n')
    write(f"{boras}/minnesanteckningar.txt",
          "Minnesanteckningar\n\nVi pratade om invasiva arter: parkslide och lupin sprider sig längs vägarna.\f"
          "Kommunerna bekämpar parkslide med olika metoder. Lupin slås före fröspridning.")
    write(f"{boras}/presentation-parkslide.pptx", pptx_bytes([
        ("Parkslide", "En invasiv art som är svår att bli av med."),
        ("Bekämpning", "Parkslide grävs upp eller täcks. Invasiva arter kräver uthållighet."),
    ]))
    write(f"{boras}/trasig-bilaga.pdf", b"%PDF-1.7\n" + bytes(range(256)) * 4)
    write(f"{boras}/inbjudan.txt", "Inbjudan till Naturvårdsgruppens möte i Borås 12 maj 2022. Dagordning följer.")

    hostile = "naturvard/2020-02-02-test"
    write(f"{hostile}/farlig.txt", f"Ett dokument med {XSS} i texten och ordet skadegörare.")
    write(f"{hostile}/farlig.txt.toml", f"title = '{XSS} Farlig titel'\n")
    write(f"{hostile}/lank.txt", "Den här filen byts mot en symbolisk länk efter indexeringen.")
    write("naturvard/ovrigt/naturvardsprogram.txt",
          "Naturvårdsprogram för kommunerna, antaget 14 mars 2018. Naturreservat och friluftsliv.")

    for i, year in enumerate(range(2016, 2025)):
        folder = f"miljostrategi/{year}-0{(i % 8) + 1}-15"
        write(f"{folder}/minnesanteckningar.txt",
              f"Minnesanteckningar Miljöstrategigruppen {year}. Miljömålsuppföljning och indikatorer "
              f"för lokala miljömål diskuterades. Uppföljning av miljömålsuppföljningen {year}.")
        if year % 2 == 0:
            write(f"{folder}/uppfoljning-indikatorer.txt",
                  f"Uppföljningsdokument {year}: indikatorer för miljömålsuppföljning i kommunerna.")

    for year in (2021, 2023):
        write(f"rattvis-handel/{year}-11-20/minnesanteckningar.txt",
              f"Minnesanteckningar. Fairtrade City och diplomering {year}. Fairtrade-veckan planerades.")


