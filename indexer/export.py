"""Every hit of a search as CSV: the columns, the cap, and cells a spreadsheet never runs as formulas.

The web app's /export.csv and `arkiv search --csv` both write through `csv_chunks`, so the
two give the same bytes for the same search and base URL.
"""
from __future__ import annotations

import csv
import io
from dataclasses import replace
from typing import Callable, Iterator
from urllib.parse import quote

from .models import Hit, SearchRequest, SearchResult

# At most this many rows: a spreadsheet of more is no longer read by a person, and each
# page of 100 is one more search (100 of them at the cap).
EXPORT_LIMIT = 10_000
# SearchRequest's largest page (the indexer's MAX_PER_PAGE).
EXPORT_PAGE = 100
# No municipality column yet: the index does not know a document's municipalities, and an
# always-empty column would read as "none".
COLUMNS = ("id", "title", "group", "date", "type", "themes", "page", "link")
# Excel reads a CSV without a byte order mark as the local code page: å/ä/ö come out as Ã¥.
BOM = "\ufeff"
# A cell starting with one of these is a formula to Excel and LibreOffice (=HYPERLINK(...)),
# however it was meant; a leading apostrophe makes it text (OWASP's CSV injection advice).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str) -> str:
    """Prefix a cell a spreadsheet would run as a formula with an apostrophe."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def document_link(base_url: str, doc_id: str, page: int | None = None) -> str:
    """The document page's URL under `base_url` ("" gives a path), at the page where the hit is."""
    link = f"{base_url.rstrip('/')}/documents/{quote(doc_id, safe='/')}"
    return f"{link}#sida-{page}" if page else link


def row(hit: Hit, base_url: str) -> list[str]:
    cells = [hit.id, hit.title, hit.group, hit.date.isoformat() if hit.date else "", hit.type,
             "; ".join(hit.themes), str(hit.page) if hit.page else "", document_link(base_url, hit.id, hit.page)]
    return [safe_cell(c) for c in cells]


class Export:
    """The hits of one search, page after page up to `limit`; `total` and `capped` known once started."""

    def __init__(self, search: Callable[[SearchRequest], SearchResult], req: SearchRequest,
                 limit: int | None = None):
        self._search = search
        self._req = replace(req, page=1, per_page=EXPORT_PAGE)
        self.limit = EXPORT_LIMIT if limit is None else limit
        self._first = search(self._req)  # the first page now: its total says whether the export is capped
        self.total = self._first.total
        self.capped = self.total > self.limit
        self.partial = False

    def hits(self) -> Iterator[Hit]:
        """Yield each hit once, best first (or in the request's date order), at most `limit`."""
        seen: set[str] = set()
        result, page = self._first, 1
        while True:
            self.partial = self.partial or result.partial
            for hit in result.hits:
                # The index may change between two pages: a document that moves up is not repeated.
                if hit.id not in seen and len(seen) < self.limit:
                    seen.add(hit.id)
                    yield hit
            if len(seen) >= self.limit or len(result.hits) < EXPORT_PAGE or page * EXPORT_PAGE >= self.total:
                return
            page += 1
            result = self._search(replace(self._req, page=page))


def csv_chunks(export: Export, base_url: str = "") -> Iterator[bytes]:
    """The export as UTF-8 CSV with a byte order mark, one chunk per page of hits.

    When capped (or when a page ran out of its time budget), a last row says so in words,
    since a person opening the file sees no HTTP header.
    """
    buf = io.StringIO()
    writer = csv.writer(buf)

    def flush() -> bytes:
        data = buf.getvalue().encode("utf-8")
        buf.seek(0)
        buf.truncate()
        return data

    buf.write(BOM)
    writer.writerow(COLUMNS)
    count = 0
    for hit in export.hits():
        writer.writerow(row(hit, base_url))
        count += 1
        if count % EXPORT_PAGE == 0:
            yield flush()
    if export.capped:
        writer.writerow([f"# Begränsat: de första {count} av {export.total} träffar. "
                         "Avgränsa sökningen för att få resten."])
    elif export.partial:
        writer.writerow(["# Ofullständigt: sökningen hann inte gå igenom hela arkivet. "
                         "Försök igen eller avgränsa sökningen."])
    yield flush()
