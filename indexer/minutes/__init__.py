"""Minutes read as meetings: agenda items with their decisions and action points, and who attended.

    parse_minutes(pages, paged) -> MinutesParse(items, attendees, absent)
    minutes_pages(format, pages, layout) -> the pages the parser should read

Best effort on the extracted text (the text cache's, so nothing is read again):
a document where nothing is found gives an empty MinutesParse, never an error.
"""
from __future__ import annotations

from .attendance import attendance
from .items import MAX_ITEMS, MinutesParse, parse_minutes

# Formats whose pages are pages a reader can open at (a DOCX's page breaks are the writer's guess).
PAGED_FORMATS = ("pdf", "pptx")



def minutes_pages(fmt: str, pages: tuple[str, ...], layout: tuple[str, ...]) -> tuple[str, ...]:
    """Return what the parser reads: a text file's source as written, else its pages.

    A Markdown file's pages are its rendered text, which has lost the `#` that mark
    its items; its layout is the source.  Other formats' pages keep their numbering.
    """
    if fmt == "text" and layout and len(layout) == len(pages):
        return layout
    return pages


__all__ = ["MAX_ITEMS", "PAGED_FORMATS", "MinutesParse", "attendance", "minutes_pages", "parse_minutes"]
