"""Helpers the format modules share: building the Extraction, dates, headings."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Iterable

from ..errors import ExtractionError
from ..models import Extraction

from .normalize import count_letters, normalize_text, one_line

MAX_HEADING = 150
EARLIEST = date(1990, 1, 1)
NO_TEXT_PDF = "no text (scanned?)"  # few letters, and no page is a picture to read either
NO_TEXT_OCR = "no text (scanned; OCR found no text)"  # pictures of pages, read, nothing found
NO_TEXT = "no text"
MIN_LETTERS = 20
# Formats whose text may be only in pictures of pages: few letters means a scan.
SCAN_FORMATS = frozenset({"pdf", "jpeg", "png", "tiff"})

# Creation dates the generators' built-in templates carry: a file made from them
# says nothing about when it was written.  Compared as naive UTC.
TEMPLATE_CREATED = frozenset({
    datetime(2013, 12, 23, 23, 15, 0),  # python-docx default.docx
    datetime(2013, 1, 27, 9, 14, 16),  # python-pptx default.pptx
})


def clean_created(value: object) -> date | None:
    """A creation timestamp as a date, or None for template defaults and absurd dates."""
    if isinstance(value, datetime):
        utc = value if value.tzinfo is None else value.astimezone(timezone.utc)
        if utc.replace(tzinfo=None, microsecond=0) in TEMPLATE_CREATED:
            return None
        day = value.date()
    elif isinstance(value, date):
        day = value
    else:
        return None
    if day < EARLIEST or day > date.today() + timedelta(days=1):
        return None
    return day


def first_short_line(text: str) -> str | None:
    """The first non-empty line shorter than MAX_HEADING chars that has a letter in it."""
    seen = 0
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            continue
        seen += 1
        if len(line) < MAX_HEADING and any(c.isalpha() for c in line):
            return one_line(line)
        if seen >= 20:
            break
    return None


def heading_text(text: str | None) -> str | None:
    """A heading candidate: one line, within MAX_HEADING, else None."""
    h = one_line(text)
    if h and len(h) < MAX_HEADING and any(c.isalpha() for c in h):
        return h
    return None


def build(fmt: str, raw_pages: Iterable[str], *, title: object = None,
          heading: str | None = None, created: object = None,
          warnings: Iterable[str] = (), heading_fallback: bool = True, no_text: str = NO_TEXT_PDF,
          ocr_pages: Iterable[int] = (), ocr_confidence: float | None = None,
          ocr_pending: bool = False) -> Extraction:
    """Normalise the pages and assemble the Extraction with the common warnings.

    `no_text` is the warning a scan format with (almost) no letters gets.
    """
    pages = tuple(normalize_text(p or "") for p in raw_pages)
    if not pages:
        pages = ("",)
    warns = list(warnings)
    letters = sum(count_letters(p) for p in pages)
    if not any(w.startswith("garbage text") for w in warns):
        # A PDF with a handful of letters is a scan with a stamp or page numbers; a
        # Word file with one short line is just short.
        if fmt in SCAN_FORMATS and letters < MIN_LETTERS:
            warns.append(no_text)
        elif fmt not in SCAN_FORMATS and letters == 0:
            warns.append(NO_TEXT)
    head = heading_text(heading)
    if head is None and heading_fallback:
        head = first_short_line(pages[0])
    return Extraction(
        format=fmt,
        pages=pages,
        title=one_line(title) if title is not None else None,
        heading=head,
        created=clean_created(created),
        warnings=tuple(dict.fromkeys(warns)),
        ocr_pages=tuple(ocr_pages),
        ocr_confidence=None if ocr_confidence is None else round(ocr_confidence, 1),
        ocr_pending=ocr_pending,
    )


def page_list(numbers: list[int]) -> str:
    """[1, 2, 3, 7] -> "1-3, 7"."""
    out: list[str] = []
    start = prev = None
    for n in sorted(numbers):
        if start is None:
            start = prev = n
        elif n == prev + 1:
            prev = n
        else:
            out.append(f"{start}-{prev}" if start != prev else str(start))
            start = prev = n
    if start is not None:
        out.append(f"{start}-{prev}" if start != prev else str(start))
    return ", ".join(out)


def corrupt(detail: str) -> ExtractionError:
    return ExtractionError("corrupt", detail)
