"""PDF: text per page with pypdf."""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Callable

from ..errors import ExtractionError
from ..models import Extraction

from ._util import build, corrupt, page_list
from .normalize import is_garbage

log = logging.getLogger(__name__)

# Real documents stay far below this; fuzzed files claim millions of pages.
MAX_PAGES = 10_000


def _metadata(reader) -> tuple[object, object]:
    """(title, creation datetime), each None when absent or unreadable."""
    try:
        meta = reader.metadata
    except Exception:  # noqa: BLE001 - a broken Info dictionary costs only the metadata
        return None, None
    if meta is None:
        return None, None
    title = created = None
    try:
        title = meta.title
        if title is not None and not isinstance(title, str):
            title = None
    except Exception:  # noqa: BLE001
        title = None
    try:
        created = meta.creation_date
    except Exception:  # noqa: BLE001 - malformed date strings raise in pypdf
        created = None
    return title, created


def extract_pdf(path: Path, on_pages: Callable[[int], None] | None = None) -> Extraction:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError

    try:
        reader = PdfReader(path, strict=False)
    except (FileNotDecryptedError, DependencyError) as e:
        raise ExtractionError("encrypted", f"password-protected PDF ({e})") from e

    if reader.is_encrypted:
        try:
            ok = reader.decrypt("")
        except (DependencyError, NotImplementedError) as e:
            raise ExtractionError("encrypted", f"PDF encryption not supported here ({e})") from e
        except Exception as e:  # noqa: BLE001 - a broken /Encrypt dictionary
            raise ExtractionError("encrypted", f"PDF encryption could not be opened ({type(e).__name__})") from e
        if not ok:
            raise ExtractionError("encrypted", "the PDF needs a password to open")

    try:
        n = len(reader.pages)
    except FileNotDecryptedError as e:
        raise ExtractionError("encrypted", "the PDF needs a password to open") from e
    if n == 0:
        raise corrupt("the PDF has no readable pages")
    if n > MAX_PAGES:
        raise ExtractionError("too large", f"{n} pages (the limit is {MAX_PAGES})")
    if on_pages:
        on_pages(n)

    pages: list[str] = []
    failed: list[int] = []
    garbage: list[int] = []
    broken = 0  # failures from damaged data, not from an image codec pypdf lacks
    for i in range(n):
        try:
            raw = reader.pages[i].extract_text() or ""
        except FileNotDecryptedError as e:
            raise ExtractionError("encrypted", "the PDF needs a password to open") from e
        except MemoryError:
            raise
        except Exception as e:  # noqa: BLE001 - one broken page must not cost the others
            log.debug("%s: page %d unreadable: %r", path, i + 1, e)
            failed.append(i + 1)
            if not isinstance(e, (DependencyError, NotImplementedError)):
                broken += 1
            pages.append("")
            continue
        if is_garbage(raw):
            garbage.append(i + 1)
            raw = ""
        pages.append(raw)

    if failed and len(failed) == n and broken:
        # Pages that fail only for want of an image decoder (JBIG2, ...) are scans:
        # reported below as unreadable pages without text, not as a broken file.
        raise corrupt(f"no page could be read ({n} pages)")
    warnings = []
    if failed:
        warnings.append(f"partial: {len(failed)} pages unreadable")
    if garbage:
        which = page_list(garbage)
        warnings.append(f"garbage text on page {which}" if len(garbage) == 1 else f"garbage text on pages {which}")
    title, created = _metadata(reader)
    return build("pdf", pages, title=title, created=created, warnings=warnings)
