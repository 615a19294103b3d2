"""PPTX (and PPTM/PPSX/POTX): one page per slide, speaker notes appended.

The Markdown for reading has the slide alone (its title a heading, its tables tables);
the notes are kept apart, in Extraction.notes, to be shown under their slide."""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Callable

from ..models import Extraction

from ._util import build, corrupt, heading_text, markdown_line, markdown_table

log = logging.getLogger(__name__)

A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
PML = "{http://schemas.openxmlformats.org/presentationml/2006/main}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"

SP, GRP, FRAME = PML + "sp", PML + "grpSp", PML + "graphicFrame"
TX_BODY = PML + "txBody"
ALTERNATE, CHOICE, FALLBACK = MC + "AlternateContent", MC + "Choice", MC + "Fallback"
TITLE_TYPES = ("title", "ctrTitle")
BULLETED_TYPES = ("body", "obj")  # placeholders whose paragraphs PowerPoint shows as bullets
RT_CORE = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"


def _paragraphs(tx_body) -> list[str]:
    """The lines of a DrawingML text body: a:p, with a:br as a line break."""
    lines = []
    for p in tx_body.iter(A + "p"):
        parts = []
        for el in p.iter(A + "t", A + "br"):
            if el.tag == A + "br":
                parts.append("\n")
            elif el.text:
                parts.append(el.text)
        lines.append("".join(parts))
    return lines


def _markdown_paragraphs(tx_body, bulleted: bool) -> list[str]:
    """A text body as Markdown blocks: a body placeholder's paragraphs are bullets, nested by
    their level (unless a paragraph turns its bullet off), other text is paragraphs."""
    items: list[str] = []
    blocks: list[str] = []
    last_level: int | None = None
    for p in tx_body.iter(A + "p"):
        lines, parts = [], []
        for el in p.iter(A + "t", A + "br"):
            if el.tag == A + "br":
                lines.append("".join(parts))
                parts = []
            elif el.text:
                parts.append(el.text)
        lines.append("".join(parts))
        text = "\\\n".join(markdown_line(ln) for ln in lines if ln.strip())
        if not text:
            continue
        ppr = p.find(A + "pPr")
        if bulleted and (ppr is None or ppr.find(A + "buNone") is None):
            try:
                level = max(0, min(int(ppr.get("lvl", 0)) if ppr is not None else 0, 8))
            except ValueError:
                level = 0
            level = 0 if last_level is None else min(level, last_level + 1)
            last_level = level
            items.append("    " * level + "- " + text)
        else:
            if items:
                blocks.append("\n".join(items))
                items = []
            last_level = None
            blocks.append(text)
    if items:
        blocks.append("\n".join(items))
    return blocks


def _table(tbl) -> tuple[list[str], str]:
    """(one plain line per row, the table as Markdown)."""
    rows, md_rows = [], []
    for tr in tbl.iter(A + "tr"):
        cells, all_cells = [], []
        for tc in tr.findall(A + "tc"):
            body = tc.find(A + "txBody")
            text = " ".join(" ".join(_paragraphs(body)).split()) if body is not None else ""
            all_cells.append(markdown_line(text))
            if text:
                cells.append(text)
        if cells:
            rows.append(" | ".join(cells))
            md_rows.append(all_cells)
    return rows, markdown_table(md_rows) if md_rows else ""


def _placeholder_type(sp) -> str | None:
    nv = sp.find(PML + "nvSpPr")
    ph = nv.find(PML + "nvPr/" + PML + "ph") if nv is not None else None
    if ph is None:
        return None
    return ph.get("type", "body")


def _shapes(tree, lines: list[str], titles: list[str], blocks: list[str]) -> None:
    """Text of every shape under a spTree/grpSp, in z-order, groups flattened; `blocks`
    gets the same as Markdown."""
    for shape in tree:
        tag = shape.tag
        if tag == SP:
            body = shape.find(TX_BODY)
            if body is None:
                continue
            paras = _paragraphs(body)
            lines.extend(paras)
            if _placeholder_type(shape) in TITLE_TYPES:
                title = " ".join(p.strip() for p in paras if p.strip())
                titles.append(title)
                if title:
                    blocks.append("## " + markdown_line(title))
            else:
                blocks.extend(_markdown_paragraphs(body, _placeholder_type(shape) in BULLETED_TYPES))
        elif tag == GRP:
            _shapes(shape, lines, titles, blocks)
        elif tag == FRAME:
            for tbl in shape.iter(A + "tbl"):
                rows, md = _table(tbl)
                lines.extend(rows)
                if md:
                    blocks.append(md)
        elif tag == ALTERNATE:
            branch = shape.find(CHOICE)
            if branch is None:
                branch = shape.find(FALLBACK)
            if branch is not None:
                _shapes(branch, lines, titles, blocks)


def _slide_text(slide) -> tuple[str, str | None, str, str]:
    """(slide text with notes appended, title placeholder text, the slide as Markdown, its notes)."""
    lines: list[str] = []
    titles: list[str] = []
    blocks: list[str] = []
    tree = slide.element.find(PML + "cSld/" + PML + "spTree")
    if tree is not None:
        _shapes(tree, lines, titles, blocks)
    notes = ""
    if slide.has_notes_slide:
        frame = slide.notes_slide.notes_text_frame
        if frame is not None:
            notes = frame.text.strip()
            if notes:
                lines.extend(["", notes])
    title = next((t for t in titles if t), None)
    return "\n".join(lines), title, "\n\n".join(blocks), notes


def _core_properties(package) -> tuple[object, object]:
    """(title, created); python-pptx would invent "PowerPoint Presentation" when absent."""
    try:
        part = package.part_related_by(RT_CORE)
    except KeyError:
        return None, None
    try:
        return part.title, part.created  # python-pptx's CorePropertiesPart is the properties
    except Exception:  # noqa: BLE001 - broken properties cost only the properties
        return None, None


def extract_pptx(path: Path, on_pages: Callable[[int], None] | None = None) -> Extraction:
    from pptx.package import Package

    package = Package.open(str(path))
    prs_part = package.main_document_part
    if not hasattr(prs_part, "presentation"):
        raise corrupt(f"not a PowerPoint presentation (main part is {prs_part.content_type})")
    prs = prs_part.presentation

    pages: list[str] = []
    layout: list[str] = []
    notes: list[str] = []
    failed: list[int] = []
    heading = None
    slide_ids = prs.slides._sldIdLst.sldId_lst  # noqa: SLF001 - iterate ids so one bad slide is skippable
    if on_pages:
        on_pages(len(slide_ids))
    for number, sld_id in enumerate(slide_ids, start=1):
        try:
            slide = prs_part.related_slide(sld_id.rId)
            text, title, markdown, note = _slide_text(slide)
        except MemoryError:
            raise
        except Exception as e:  # noqa: BLE001 - one broken slide must not cost the others
            log.debug("%s: slide %d unreadable: %r", path, number, e)
            failed.append(number)
            pages.append("")
            layout.append("")
            notes.append("")
            continue
        if number == 1:
            heading = heading_text(title)
        pages.append(text)
        layout.append(markdown)
        notes.append(note)
    if failed and len(failed) == len(pages):
        raise corrupt(f"no slide could be read ({len(pages)} slides)")
    warnings = [f"partial: {len(failed)} slides unreadable"] if failed else []
    title, created = _core_properties(package)
    return build("pptx", pages, title=title, heading=heading, created=created, warnings=warnings,
                 layout=layout, notes=notes)
