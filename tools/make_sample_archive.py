#!/usr/bin/env python3
"""Regenerate the bundled sample archive (``archive/``) from ``tools/sample_source/``.

    .venv/bin/python tools/make_sample_archive.py [--out DIR]

The source tree mirrors the archive tree (see docs in ``tools/sample_source/README.md``):

* ``*.src`` files are *rendered*: ``minnesanteckningar.docx.src`` becomes
  ``minnesanteckningar.docx``; the output format follows the extension
  (``.docx``, ``.pptx``, ``.pdf``, ``.txt``, ``.md``).
* every other file (``arkiv.toml``, ``meeting.toml``, sidecars such as
  ``bilaga.pdf.toml``) is copied byte for byte.

Output is deterministic: document properties carry the fixed dates from each
source file, DOCX/PPTX zip members get fixed timestamps, and PDFs get a fixed
creation date, so re-running produces identical bytes with the same library
versions.

The archive is built in a temporary directory beside the target and swapped in
only when complete and validated, so the target is never left half-written.
"""
from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import re
import shutil
import sys
import tempfile
import tomllib
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SOURCE = REPO / "tools" / "sample_source"
DEFAULT_OUT = REPO / "archive"
SKIP_IN_SOURCE = {"README.md"}  # documentation of the source format, at the source root only

MEETING_RE = re.compile(r"^\d{4}-\d{2}-\d{2}(-[a-z0-9-]+)?$")
STO = dt.timezone(dt.timedelta(hours=1))  # fixed offset: no tz database, no DST surprises


# --------------------------------------------------------------------------- parsing


@dataclass
class Block:
    kind: str  # title, h, p, li, num, table, note
    text: str = ""
    level: int = 0
    rows: list[list[str]] = field(default_factory=list)


@dataclass
class Source:
    path: Path
    meta: dict
    pages: list[list[Block]]
    raw_body: str


def parse_source(path: Path) -> Source:
    slides = path.name.endswith(".pptx.src")
    text = path.read_text(encoding="utf-8")
    meta: dict = {}
    body = text
    if text.startswith("+++\n"):
        end = text.find("\n+++\n", 3)
        if end < 0:
            raise ValueError(f"{path}: front matter not closed with +++")
        meta = tomllib.loads(text[4:end])
        body = text[end + 5 :]
    slides = slides or meta.get("style") == "slides"
    return Source(path, meta, parse_body(body, join=not slides), body)


def parse_body(body: str, join: bool = True) -> list[list[Block]]:
    """Split a body into pages of blocks; `join=False` (slides) keeps every line apart."""
    pages: list[list[Block]] = [[]]
    para: list[str] = []

    def flush() -> None:
        if para:
            pages[-1].append(Block("p", " ".join(para)))
            para.clear()

    for raw in body.splitlines():
        line = raw.rstrip()
        stripped = line.strip()
        if stripped == "===":
            flush()
            pages.append([])
        elif not stripped:
            flush()
        elif line.startswith("#! "):
            flush()
            pages[-1].append(Block("title", line[3:].strip()))
        elif m := re.match(r"^(#{1,3}) (.*)$", line):
            flush()
            pages[-1].append(Block("h", m.group(2).strip(), len(m.group(1))))
        elif m := re.match(r"^( *)[-*] (.*)$", line):
            flush()
            pages[-1].append(Block("li", m.group(2).strip(), len(m.group(1)) // 2))
        elif re.match(r"^\d+\. ", line):
            flush()
            pages[-1].append(Block("num", stripped))
        elif stripped.startswith("|"):
            flush()
            if re.fullmatch(r"[|:\- ]+", stripped):
                continue  # markdown separator row
            cells = [c.strip() for c in stripped.strip("|").split("|")]
            blocks = pages[-1]
            if blocks and blocks[-1].kind == "table":
                blocks[-1].rows.append(cells)
            else:
                blocks.append(Block("table", rows=[cells]))
        elif line.startswith("> ") or stripped == ">":
            flush()
            pages[-1].append(Block("note", line[2:].strip()))
        else:
            para.append(stripped)
            if not join:
                flush()
    flush()
    return [p for p in pages if p] or [[]]


def runs(text: str) -> list[tuple[str, bool]]:
    """Split '**bold**' markup into (text, bold) runs."""
    parts = re.split(r"(\*\*[^*]+\*\*)", text)
    out = []
    for part in parts:
        if not part:
            continue
        if part.startswith("**") and part.endswith("**"):
            out.append((part[2:-2], True))
        else:
            out.append((part, False))
    return out


def plain(text: str) -> str:
    return text.replace("**", "")


def when(meta: dict, key: str = "created") -> dt.datetime:
    value = meta.get(key) or meta.get("created")
    if value is None:
        return dt.datetime(2020, 1, 1, 12, 0, tzinfo=STO)
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day, 12, 0)
    if value.tzinfo is None:
        value = value.replace(tzinfo=STO)
    return value


# --------------------------------------------------------------------------- zip normalisation


def normalize_zip(data: bytes, stamp: dt.datetime) -> bytes:
    """Rewrite an OOXML zip with fixed member timestamps so output is byte-stable."""
    date_time = (max(stamp.year, 1980), stamp.month, stamp.day, stamp.hour, stamp.minute, 0)
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            new = zipfile.ZipInfo(info.filename, date_time=date_time)
            new.compress_type = zipfile.ZIP_DEFLATED
            new.external_attr = 0o644 << 16
            dst.writestr(new, src.read(info.filename))
    return buf.getvalue()


# --------------------------------------------------------------------------- DOCX


def render_docx(src: Source) -> bytes:
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    meta = src.meta
    doc = docx.Document()
    if not meta.get("defaults"):
        cp = doc.core_properties
        cp.title = meta.get("title", "")
        cp.author = meta.get("author", "")
        cp.last_modified_by = meta.get("last_modified_by", meta.get("author", ""))
        cp.subject = meta.get("subject", "")
        cp.keywords = meta.get("keywords", "")
        cp.comments = ""
        cp.revision = int(meta.get("revision", 1))
        # python-docx wants naive datetimes and writes them as UTC ("Z")
        cp.created = when(meta).astimezone(dt.timezone.utc).replace(tzinfo=None)
        cp.modified = when(meta, "modified").astimezone(dt.timezone.utc).replace(tzinfo=None)
        cp.language = "sv-SE"

    section = doc.sections[0]
    if meta.get("header"):
        p = section.header.paragraphs[0]
        p.text = meta["header"]
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if meta.get("footer"):
        p = section.footer.paragraphs[0]
        p.text = meta["footer"]
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER

    def add_runs(paragraph, text: str) -> None:
        for chunk, bold in runs(text):
            run = paragraph.add_run(chunk)
            if bold:
                run.bold = True

    for i, page in enumerate(src.pages):
        if i:
            doc.add_page_break()
        for b in page:
            if b.kind == "title":
                doc.add_heading(plain(b.text), level=0)
            elif b.kind == "h":
                doc.add_heading(plain(b.text), level=b.level)
            elif b.kind == "p":
                add_runs(doc.add_paragraph(), b.text)
            elif b.kind == "li":
                style = "List Bullet" if b.level == 0 else "List Bullet 2"
                add_runs(doc.add_paragraph(style=style), b.text)
            elif b.kind == "num":
                add_runs(doc.add_paragraph(style="List Number"), re.sub(r"^\d+\.\s*", "", b.text))
            elif b.kind == "table":
                ncols = max(len(r) for r in b.rows)
                table = doc.add_table(rows=0, cols=ncols)
                table.style = "Table Grid"
                for r, row in enumerate(b.rows):
                    cells = table.add_row().cells
                    for c in range(ncols):
                        value = row[c] if c < len(row) else ""
                        para = cells[c].paragraphs[0]
                        run = para.add_run(plain(value))
                        if r == 0:
                            run.bold = True
                        run.font.size = Pt(10)
                doc.add_paragraph()
            elif b.kind == "note":
                pass  # speaker notes only mean something in slides
    buf = io.BytesIO()
    doc.save(buf)
    return normalize_zip(buf.getvalue(), when(meta, "modified"))


# --------------------------------------------------------------------------- PPTX


def render_pptx(src: Source) -> bytes:
    from pptx import Presentation
    from pptx.util import Emu, Pt

    meta = src.meta
    prs = Presentation()
    if meta.get("widescreen", True):
        prs.slide_width = Emu(12192000)
        prs.slide_height = Emu(6858000)
    if not meta.get("defaults"):
        cp = prs.core_properties
        cp.title = meta.get("title", "")
        cp.author = meta.get("author", "")
        cp.last_modified_by = meta.get("last_modified_by", meta.get("author", ""))
        cp.subject = meta.get("subject", "")
        cp.revision = int(meta.get("revision", 1))
        cp.created = when(meta).astimezone(dt.timezone.utc).replace(tzinfo=None)
        cp.modified = when(meta, "modified").astimezone(dt.timezone.utc).replace(tzinfo=None)
        cp.language = "sv-SE"

    width = prs.slide_width
    margin = Emu(457200)

    def fit_placeholders(slide) -> None:
        # the default template is 4:3; stretch the placeholders to the slide width
        for ph in slide.placeholders:
            ph.left = margin
            ph.width = width - 2 * margin

    for i, page in enumerate(src.pages):
        heads = [b for b in page if b.kind in ("h", "title")]
        body = [b for b in page if b.kind in ("p", "li", "num")]
        tables = [b for b in page if b.kind == "table"]
        notes = [b.text for b in page if b.kind == "note"]
        title = plain(heads[0].text) if heads else ""
        extra_heads = heads[1:]

        if i == 0 and not tables and all(b.kind == "p" for b in body):
            slide = prs.slides.add_slide(prs.slide_layouts[0])
            fit_placeholders(slide)
            slide.shapes.title.text = title
            slide.placeholders[1].text = "\n".join(plain(b.text) for b in extra_heads + body)
        elif tables:
            slide = prs.slides.add_slide(prs.slide_layouts[5])
            fit_placeholders(slide)
            slide.shapes.title.text = title
            rows = tables[0].rows
            ncols = max(len(r) for r in rows)
            top = Emu(1600200)
            shape = slide.shapes.add_table(
                len(rows), ncols, margin, top, width - 2 * margin, Emu(370840 * len(rows))
            )
            for r, row in enumerate(rows):
                for c in range(ncols):
                    cell = shape.table.cell(r, c)
                    cell.text = plain(row[c]) if c < len(row) else ""
                    for para in cell.text_frame.paragraphs:
                        for run in para.runs:
                            run.font.size = Pt(14)
            if body:
                box = slide.shapes.add_textbox(
                    margin, top + Emu(370840 * len(rows)) + Emu(200000), width - 2 * margin, Emu(800000)
                )
                box.text_frame.word_wrap = True
                box.text_frame.text = "\n".join(plain(b.text) for b in body)
        else:
            slide = prs.slides.add_slide(prs.slide_layouts[1])
            fit_placeholders(slide)
            slide.shapes.title.text = title
            tf = slide.placeholders[1].text_frame
            items = extra_heads + body
            size = 24 if len(items) <= 4 else 20  # no autofit without a renderer: size for the box
            first = True
            for b in items:
                para = tf.paragraphs[0] if first else tf.add_paragraph()
                first = False
                level = b.level if b.kind == "li" else 0
                for chunk, bold in runs(b.text):
                    run = para.add_run()
                    run.text = chunk
                    run.font.size = Pt(size - 4 * level)
                    if bold or b.kind == "h":
                        run.font.bold = True
                para.level = level
        if notes:
            slide.notes_slide.notes_text_frame.text = "\n".join(notes)

    buf = io.BytesIO()
    prs.save(buf)
    return normalize_zip(buf.getvalue(), when(meta, "modified"))


# --------------------------------------------------------------------------- PDF

# Helvetica (a core font) is encoded as WinAnsi (cp1252): å, ä, ö, –, •, ’ and “ ” all
# survive, and pypdf extracts them. Anything outside cp1252 is mapped here.
PDF_FALLBACK = {"\u2212": "-", "\u2192": "->", "\u2248": "ca", "\u2264": "<=", "\u2265": ">=",
                "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u2011": "-"}


def pdf_safe(text: str) -> str:
    out = []
    for ch in text:
        ch = PDF_FALLBACK.get(ch, ch)
        try:
            ch.encode("cp1252")
        except UnicodeEncodeError:
            raise ValueError(f"character {ch!r} cannot be written with a PDF core font") from None
        out.append(ch)
    return "".join(out)


def render_pdf(src: Source) -> bytes:
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    meta = src.meta
    slides = meta.get("style") == "slides"
    header_text = pdf_safe(meta.get("header", ""))
    footer_text = pdf_safe(meta.get("footer", ""))

    class Pdf(FPDF):
        def header(self) -> None:
            if header_text and not slides:
                self.set_font("helvetica", "I", 8)
                self.set_text_color(90, 90, 90)
                self.cell(0, 5, header_text, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
                self.ln(3)
                self.set_text_color(0, 0, 0)

        def footer(self) -> None:
            self.set_y(-12 if slides else -15)
            self.set_font("helvetica", "", 8)
            self.set_text_color(90, 90, 90)
            if slides:
                self.cell(0, 6, footer_text, align="L")
                self.set_x(self.l_margin)
                self.cell(0, 6, str(self.page_no()), align="R")
            else:
                text = f"Sida {self.page_no()} av {{nb}}"
                if footer_text:
                    text = f"{footer_text}    {text}"
                self.cell(0, 8, text, align="C")
            self.set_text_color(0, 0, 0)

    if slides:
        pdf = Pdf(orientation="L", unit="mm", format=(142.875, 254))
        pdf.set_margins(16, 12, 16)
        pdf.set_auto_page_break(True, margin=14)
    else:
        pdf = Pdf(orientation="P", unit="mm", format="A4")
        pdf.set_margins(22, 18, 22)
        pdf.set_auto_page_break(True, margin=20)
    pdf.core_fonts_encoding = "windows-1252"
    pdf.set_creation_date(when(meta))
    pdf.set_lang("sv-SE")
    for key, setter in (("title", pdf.set_title), ("author", pdf.set_author),
                        ("subject", pdf.set_subject), ("creator", pdf.set_creator),
                        ("producer", pdf.set_producer)):
        if meta.get(key):
            setter(pdf_safe(meta[key]))

    if slides:
        render_pdf_slides(pdf, src, XPos, YPos)
    else:
        render_pdf_document(pdf, src, XPos, YPos)
    return bytes(pdf.output())


def col_widths(rows: list[list[str]]) -> tuple[int, ...]:
    ncols = max(len(r) for r in rows)
    return tuple(
        min(45, max(6, max(len(plain(r[c])) if c < len(r) else 0 for r in rows)))
        for c in range(ncols)
    )


def table_heading():
    from fpdf.fonts import FontFace

    return FontFace(emphasis="BOLD", fill_color=(222, 235, 231))


def render_pdf_document(pdf, src: Source, XPos, YPos) -> None:
    nl = dict(new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    for page in src.pages:
        pdf.add_page()
        for b in page:
            if b.kind in ("title", "h"):
                size = {0: 18, 1: 16, 2: 13, 3: 11.5}[0 if b.kind == "title" else b.level]
                pdf.ln(2 if b.level != 1 else 1)
                pdf.set_font("helvetica", "B", size)
                pdf.multi_cell(0, size * 0.5, pdf_safe(plain(b.text)), align="L", **nl)
                pdf.ln(1.5)
            elif b.kind == "p":
                pdf.set_font("helvetica", "", 10.5)
                pdf.multi_cell(0, 5.4, pdf_safe(b.text), markdown=True, **nl)
                pdf.ln(2)
            elif b.kind in ("li", "num"):
                pdf.set_font("helvetica", "", 10.5)
                indent = 4 + 6 * b.level
                pdf.set_x(pdf.l_margin + indent)
                bullet = "" if b.kind == "num" else ("\u2022 " if b.level == 0 else "- ")
                pdf.multi_cell(0, 5.4, pdf_safe(bullet + b.text), markdown=True, **nl)
                pdf.ln(0.8)
            elif b.kind == "table":
                pdf.set_font("helvetica", "", 9)
                with pdf.table(text_align="LEFT", line_height=4.8, padding=1.2,
                               col_widths=col_widths(b.rows), headings_style=table_heading()) as table:
                    for row in b.rows:
                        r = table.row()
                        for cell in row:
                            r.cell(pdf_safe(plain(cell)))
                pdf.ln(3)


def render_pdf_slides(pdf, src: Source, XPos, YPos) -> None:
    nl = dict(new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    accent = (31, 94, 84)
    for i, page in enumerate(src.pages):
        pdf.add_page()
        heads = [b for b in page if b.kind in ("h", "title")]
        body = [b for b in page if b.kind in ("p", "li", "num", "table")]
        title = pdf_safe(plain(heads[0].text)) if heads else ""
        if i == 0 and all(b.kind == "p" for b in body):
            pdf.set_fill_color(*accent)
            pdf.rect(0, 0, pdf.w, 6, style="F")
            pdf.set_y(42)
            pdf.set_font("helvetica", "B", 26)
            pdf.multi_cell(0, 12, title, align="C", **nl)
            pdf.ln(6)
            pdf.set_font("helvetica", "", 15)
            for b in heads[1:] + body:
                pdf.multi_cell(0, 8, pdf_safe(plain(b.text)), align="C", **nl)
            continue
        pdf.set_fill_color(*accent)
        pdf.rect(0, 0, pdf.w, 22, style="F")
        pdf.set_text_color(255, 255, 255)
        size = 21
        pdf.set_font("helvetica", "B", size)
        while size > 14 and pdf.get_string_width(title) > pdf.epw:
            size -= 1
            pdf.set_font("helvetica", "B", size)
        pdf.set_xy(pdf.l_margin, 6)
        pdf.cell(0, 11, title, **nl)
        pdf.set_text_color(0, 0, 0)
        pdf.set_fill_color(255, 255, 255)
        pdf.set_y(30)
        for b in heads[1:] + body:
            if b.kind == "h":
                pdf.set_font("helvetica", "B", 16)
                pdf.multi_cell(0, 8, pdf_safe(plain(b.text)), **nl)
            elif b.kind == "p":
                pdf.set_font("helvetica", "", 15)
                pdf.multi_cell(0, 7.5, pdf_safe(b.text), markdown=True, **nl)
                pdf.ln(1.5)
            elif b.kind in ("li", "num"):
                size = 15 if b.level == 0 else 13
                pdf.set_font("helvetica", "", size)
                pdf.set_x(pdf.l_margin + 2 + 8 * b.level)
                bullet = "" if b.kind == "num" else ("\u2022 " if b.level == 0 else "\u2013 ")
                pdf.multi_cell(0, size * 0.5, pdf_safe(bullet + b.text), markdown=True, **nl)
                pdf.ln(1.5)
            elif b.kind == "table":
                pdf.set_font("helvetica", "", 12)
                with pdf.table(text_align="LEFT", line_height=6.5, padding=1.5,
                               col_widths=col_widths(b.rows), headings_style=table_heading()) as table:
                    for row in b.rows:
                        r = table.row()
                        for cell in row:
                            r.cell(pdf_safe(plain(cell)))
                pdf.ln(2)


# --------------------------------------------------------------------------- text


def render_text(src: Source) -> bytes:
    body = src.raw_body
    if src.meta.get("newline") == "crlf":
        body = body.replace("\r\n", "\n").replace("\n", "\r\n")
    return body.encode(src.meta.get("encoding", "utf-8"))


# --------------------------------------------------------------------------- scans and photos


def _scans():
    """tools/scans.py, beside this script, however the script was started."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("sample_scans", Path(__file__).resolve().parent / "scans.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def render_scan(src: Source) -> bytes:
    """`style = "scan"`: the PDF typeset as usual, printed and scanned at 200 dpi: pictures only."""
    scans = _scans()
    typed = render_pdf(Source(src.path, {**src.meta, "style": None}, src.pages, src.raw_body))
    seed = int(src.meta.get("seed", 0))
    pages = [scans.degrade(page, angle=0.6 if n % 2 == 0 else -0.4, speckle=0.0008, blur=0.5, jpeg=70,
                           seed=seed + n) for n, page in enumerate(scans.rasterize(typed, dpi=200))]
    return scans.images_pdf(pages, dpi=200, created=when(src.meta), title=None)


def render_photo(src: Source) -> bytes:
    """`.jpg`: the first page typeset, signed (`signatures` scribbles) and photographed with a phone."""
    scans = _scans()
    typed = render_pdf(Source(src.path, {**src.meta, "style": None}, src.pages, src.raw_body))
    page = scans.rasterize(typed, dpi=200)[0]
    seed = int(src.meta.get("seed", 0))
    scans.sign(page, int(src.meta.get("signatures", 0)), seed=seed)
    return scans.phone_photo(page, seed=seed, angle=1.8, taken=when(src.meta).replace(tzinfo=None))


def render_pdf_or_scan(src: Source) -> bytes:
    return render_scan(src) if src.meta.get("style") == "scan" else render_pdf(src)


RENDERERS = {
    ".docx": render_docx,
    ".pptx": render_pptx,
    ".pdf": render_pdf_or_scan,
    ".jpg": render_photo,
    ".txt": render_text,
    ".md": render_text,
}


# --------------------------------------------------------------------------- build


def render_tree(source: Path, target: Path) -> list[str]:
    written = []
    for path in sorted(source.rglob("*")):
        rel = path.relative_to(source)
        if path.is_dir() or any(part.startswith(".") for part in rel.parts):
            continue
        if len(rel.parts) == 1 and rel.name in SKIP_IN_SOURCE:
            continue
        if path.suffix == ".src":
            out_rel = rel.with_suffix("")
            renderer = RENDERERS.get(out_rel.suffix.lower())
            if renderer is None:
                raise ValueError(f"{rel}: no renderer for {out_rel.suffix!r}")
            try:
                data = renderer(parse_source(path))
            except Exception as exc:
                raise RuntimeError(f"{rel}: {exc}") from exc
        else:
            out_rel = rel
            data = path.read_bytes()
        dest = target / out_rel
        if dest.exists():
            raise ValueError(f"{out_rel}: produced twice")
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(data)
        written.append(out_rel.as_posix())
    return written


def validate(root: Path) -> None:
    """Cheap sanity checks before the new archive replaces the old one."""
    cfg = tomllib.loads((root / "arkiv.toml").read_text(encoding="utf-8"))
    slugs = {g["slug"] for g in cfg["groups"]}
    themes = {t["name"] for t in cfg["themes"]}
    problems = []
    for entry in sorted(root.iterdir()):
        if entry.is_dir() and entry.name not in slugs:
            problems.append(f"{entry.name}/: not a group in arkiv.toml")
    for slug in sorted(slugs):
        if not (root / slug).is_dir():
            problems.append(f"{slug}/: group folder missing")
            continue
        for folder in sorted((root / slug).iterdir()):
            if folder.name == "ovrigt":
                continue
            if not MEETING_RE.match(folder.name):
                problems.append(f"{slug}/{folder.name}: not a meeting folder name")
                continue
            dt.date.fromisoformat(folder.name[:10])
            mt = folder / "meeting.toml"
            if mt.exists():
                meeting = tomllib.loads(mt.read_text(encoding="utf-8"))
                for theme in meeting.get("themes", []):
                    if theme not in themes:
                        problems.append(f"{slug}/{folder.name}/meeting.toml: unknown theme {theme!r}")
    for sidecar in root.rglob("*.*.toml"):
        data = tomllib.loads(sidecar.read_text(encoding="utf-8"))
        if not sidecar.with_suffix("").exists():
            problems.append(f"{sidecar.relative_to(root)}: sidecar without its file")
        for theme in data.get("themes", []):
            if theme not in themes:
                problems.append(f"{sidecar.relative_to(root)}: unknown theme {theme!r}")
    if problems:
        raise ValueError("sample archive is inconsistent:\n  " + "\n  ".join(problems))


def looks_replaceable(out: Path) -> bool:
    if not out.exists():
        return True
    if not out.is_dir():
        return False
    visible = [p for p in out.iterdir() if not p.name.startswith(".")]
    return not visible or (out / "arkiv.toml").exists()


def build(out: Path, source: Path = SOURCE, force: bool = False) -> list[str]:
    out = Path(os.path.abspath(out))
    if not force and not looks_replaceable(out):
        raise SystemExit(f"refusing to replace {out}: it exists and is not an archive (use --force)")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    try:
        written = render_tree(source, tmp)
        validate(tmp)
        os.chmod(tmp, 0o755)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old = None
    if out.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
        os.rmdir(old)
        os.rename(out, old)
    try:
        os.rename(tmp, out)
    except BaseException:
        if old is not None:
            os.rename(old, out)  # put the previous archive back
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="archive folder to (re)create (default: the repo's archive/)")
    parser.add_argument("--source", type=Path, default=SOURCE, help=argparse.SUPPRESS)
    parser.add_argument("--force", action="store_true",
                        help="replace --out even if it does not look like an archive")
    args = parser.parse_args(argv)
    written = build(args.out, args.source, args.force)
    docs = [p for p in written if not p.endswith(".toml")]
    total = sum((args.out / p).stat().st_size for p in written)
    print(f"wrote {len(docs)} documents ({len(written)} files, {total / 1024:.0f} KiB) to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
