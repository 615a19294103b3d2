"""Minutes read as meetings: agenda items with their decisions and action points, and who attended.

    parse_minutes(pages, paged) -> MinutesParse(items, attendees, absent)

Best effort on the extracted text (the text cache's, so nothing is read again):
a document where nothing is found gives an empty MinutesParse, never an error.
"""
from __future__ import annotations

from .attendance import attendance
from .items import MAX_ITEMS, MinutesParse, parse_minutes

# Formats whose pages are pages a reader can open at (a DOCX's page breaks are the writer's guess).
PAGED_FORMATS = ("pdf", "pptx")

__all__ = ["MAX_ITEMS", "PAGED_FORMATS", "MinutesParse", "attendance", "parse_minutes"]
