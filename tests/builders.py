"""Build small real documents for tests: DOCX, PPTX and PDF with chosen text."""
from __future__ import annotations

import io
from datetime import datetime

import docx
import pptx
from fpdf import FPDF
from pypdf import PdfReader, PdfWriter


def docx_bytes(paragraphs=(), *, title=None, heading=None, table=None, header=None) -> bytes:
    d = docx.Document()
    d.core_properties.title = title or ""
    if heading:
        d.add_heading(heading, level=1)
    for p in paragraphs:
        d.add_paragraph(p)
    if table:
        t = d.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                t.cell(r, c).text = value
    if header:
        d.sections[0].header.paragraphs[0].text = header
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def pptx_bytes(slides, *, title=None) -> bytes:
    """slides: (title, body, notes) tuples."""
    prs = pptx.Presentation()
    prs.core_properties.title = title or ""
    for slide_title, body, notes in slides:
        slide = prs.slides.add_slide(prs.slide_layouts[1])
        slide.shapes.title.text = slide_title
        slide.placeholders[1].text = body
        if notes:
            slide.notes_slide.notes_text_frame.text = notes
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()


def pdf_bytes(pages, *, title=None) -> bytes:
    pdf = FPDF()
    pdf.set_creation_date(datetime(2024, 1, 2, 3, 4, 5))
    if title:
        pdf.set_title(title)
    pdf.set_font("helvetica", size=11)
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 6, text)
    return bytes(pdf.output())


def encrypted_pdf_bytes(text="Hemlig text", password="hemligt") -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes([text]))))
    writer.encrypt(user_password=password, owner_password="ägare", algorithm="AES-128")
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()
