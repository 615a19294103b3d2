"""Helpers the format modules share: building the Extraction, dates, headings."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from typing import Iterable

from ..errors import ExtractionError
from ..models import Extraction

from .normalize import clean_line, count_letters, normalize_markup, normalize_text, one_line

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
          layout: Iterable[str] = (), notes: Iterable[str] = (),
          ocr_pages: Iterable[int] = (), ocr_confidence: float | None = None,
          ocr_pending: bool = False) -> Extraction:
    """Normalise the pages and assemble the Extraction with the common warnings.

    `layout` is already Markdown made of normalised text (see markdown_line), so it is
    only cleaned of control characters here: its indentation and blank lines are syntax.
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
        layout=tuple(normalize_markup(p or "") for p in layout),
        notes=tuple(normalize_text(n or "") for n in notes),
        ocr_pages=tuple(ocr_pages),
        ocr_confidence=None if ocr_confidence is None else round(ocr_confidence, 1),
        ocr_pending=ocr_pending,
    )


# The ASCII punctuation CommonMark gives a meaning to somewhere (CommonMark lets any ASCII
# punctuation be backslash-escaped), and a number that would start an ordered list: text
# escaped this way reads back as itself, whatever it holds ("1. januari", "# 5", "<b>").
_MD_SPECIAL = re.compile(r"([\\`*_\[\]#+\-!|<>&~=])")
_MD_LIST_NUMBER = re.compile(r"^(\d{1,9})([.)])")


def markdown_line(text: str) -> str:
    """Text from a document as one line of Markdown that shows exactly that text.

    Only what could change the syntax is cleaned here (characters build() would drop, line
    breaks); build() normalises the rest of the page's Markdown at once.
    """
    line = _MD_SPECIAL.sub(r"\\\1", clean_line(text))
    return _MD_LIST_NUMBER.sub(r"\1\\\2", line)


def markdown_table(rows: list[list[str]]) -> str:
    """Rows of Markdown cells as a table, the first row its header, short rows padded."""
    width = max(len(r) for r in rows)
    lines = ["| " + " | ".join(r + [""] * (width - len(r))) + " |" for r in rows]
    lines.insert(1, "|" + " --- |" * width)
    return "\n".join(lines)


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
