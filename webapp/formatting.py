"""How values are shown to people: Swedish dates, labels, sizes and highlighted text."""
from __future__ import annotations

import re
from datetime import date

from markupsafe import Markup, escape

from indexer import READ_PROBLEM_LABELS, TYPE_LABELS

MONTHS = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti",
          "september", "oktober", "november", "december")

# The order documents of one meeting are listed in: what was planned, said, shown, followed up.
TYPE_ORDER = ("agenda", "minutes", "presentation", "follow-up", "other")

FORMAT_LABELS = {"pdf": "PDF", "docx": "Word", "pptx": "PowerPoint", "odt": "OpenDocument-text",
                 "text": "Text", "jpeg": "JPEG-bild", "png": "PNG-bild", "tiff": "TIFF-bild"}

# Document.sources values: who or what decided a value.
SOURCE_LABELS = {
    "sidecar": "angivet av en person",
    "folder": "angivet i mötesmappens namn",
    "meeting": "angivet i mötets beskrivning",
    "properties": "framräknat ur filens egenskaper",
    "heading": "framräknat ur dokumentets första rubrik",
    "filename": "framräknat ur filnamnet",
    "text": "framräknat ur texten",
    "inferred": "framräknat ur filnamn och innehåll",
}
SET_BY_PERSON = frozenset({"sidecar", "folder", "meeting"})

# Why a document's text could not be read, said to people: one table with the command line's.
STATUS_LABELS = READ_PROBLEM_LABELS


def sv_date(value: date | None, missing: str = "utan datum") -> str:
    """10 oktober 2023 — no locale needed."""
    if value is None:
        return missing
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def iso_sv_date(value: str | None, missing: str = "utan datum") -> str:
    """'2026-03-04' (as forms and manifests keep dates) as 4 mars 2026."""
    try:
        return sv_date(date.fromisoformat(value)) if value else missing
    except ValueError:
        return value


def type_label(value: str) -> str:
    return TYPE_LABELS.get(value, value)


def format_label(value: str) -> str:
    return FORMAT_LABELS.get(value, value.upper() if value else "okänt format")


def source_label(value: str | None) -> str:
    return SOURCE_LABELS.get(value or "", "framräknat")


def status_label(value: str) -> str:
    return STATUS_LABELS.get(value, value)


def page_word(doc_format: str, page: int, capital: bool = False) -> str:
    """'sida 3' or, for slides, 'bild 3'."""
    word = "bild" if doc_format == "pptx" else "sida"
    return f"{word.capitalize() if capital else word} {page}"


def format_of_id(doc_id: str) -> str:
    """The format a hit's file name suggests (hits carry no format of their own)."""
    ext = doc_id.rsplit(".", 1)[-1].lower() if "." in doc_id.rsplit("/", 1)[-1] else ""
    return {"pdf": "pdf", "pptx": "pptx", "docx": "docx", "odt": "odt"}.get(ext, "text")


def file_size(n: int) -> str:
    """1,2 MB — Swedish decimal comma."""
    if n < 1024:
        return f"{n} byte"
    for unit in ("kB", "MB", "GB"):
        n /= 1024
        if n < 1024 or unit == "GB":
            text = f"{n:.1f}".replace(".", ",") if n < 10 else f"{n:.0f}"
            return f"{text} {unit}"
    raise AssertionError("unreachable")


# -- highlighting query words in a document's text -------------------------------
def highlight(text: str, spans: list[tuple[int, int]]) -> Markup:
    """Escape `text`, then wrap the (start, end) spans the search matched in <mark>."""
    out, last = [], 0
    for start, end in sorted(spans):
        if start < last:
            continue
        out.append(escape(text[last:start]))
        out.append(Markup("<mark>") + escape(text[start:end]) + Markup("</mark>"))
        last = end
    out.append(escape(text[last:]))
    return Markup("").join(out)


def paragraphs(text: str, doc_format: str = "") -> list[str]:
    """Split a page's text into paragraphs.

    Word, OpenDocument and PowerPoint text has one paragraph per line; PDF and plain text
    break lines for layout, so there only blank lines separate paragraphs.
    """
    pattern = r"\n" if doc_format in ("docx", "odt", "pptx") else r"\n\s*\n"
    return [p.strip() for p in re.split(pattern, text or "") if p.strip()]
