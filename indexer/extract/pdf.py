"""PDF: text per page with pypdf."""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Callable

from ..errors import ExtractionError
from ..models import Extraction

from ._util import MIN_LETTERS, NO_TEXT_OCR, NO_TEXT_PDF, build, corrupt, page_list
from .normalize import count_letters, is_garbage
from .ocr import MAX_DPI, MIN_DPI, OcrOptions, read_pages, render_page, scan_needs_ocr, scanned_pages

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


def _ocr_scans(path: Path, pages: list[str], failed: list[int], garbage: list[int], ocr: OcrOptions | None,
               on_ocr: Callable[[int, int], None] | None) -> dict:
    """OCR the pages that are pictures without text; the keywords for build(), and warnings.

    A page is looked at when its text layer has fewer than MIN_LETTERS letters, is
    garbage, or could not be read; it is read when it is mostly image (or garbage).
    """
    candidates = [i for i, text in enumerate(pages)
                  if count_letters(text) < MIN_LETTERS or (i + 1) in failed or (i + 1) in garbage]
    if not candidates:
        return {"ocr": {}, "warnings": []}
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(str(path))
    except Exception as e:  # noqa: BLE001 - pdfium refuses what pypdf repaired: the text layer stands
        log.debug("%s: pdfium cannot open it: %r", path, e)
        return {"ocr": {}, "warnings": []}
    try:
        scans = scanned_pages(pdf, candidates, frozenset(g - 1 for g in garbage))
        if not scans:
            return {"ocr": {}, "warnings": []}
        why = scan_needs_ocr(ocr)
        if why:
            many = len(scans) != len(pages)
            return {"ocr": {}, "pending": True, "no_text": f"no text (scanned; {why})",
                    "warnings": [f"{len(scans)} scanned page{'s' if len(scans) > 1 else ''} not read "
                                 f"({why})"] if many else []}
        assert ocr is not None
        def page(i: int):
            dpi = scans[i]
            return render_page(pdf, i, min(MAX_DPI, max(MIN_DPI, dpi)) if dpi else ocr.dpi)

        run = read_pages(((i, lambda i=i: page(i)) for i in sorted(scans)), len(scans), ocr, on_ocr)
    finally:
        pdf.close()
    warnings = [f"OCR failed on page {i + 1}: {why}" for i, why in sorted(run.failed.items())]
    return {"ocr": run.texts, "confidence": run.confidence, "warnings": warnings,
            "no_text": NO_TEXT_OCR if not run.failed else f"no text (scanned; {next(iter(run.failed.values()))})"}


def extract_pdf(path: Path, on_pages: Callable[[int], None] | None = None, ocr: OcrOptions | None = None,
                on_ocr: Callable[[int, int], None] | None = None) -> Extraction:
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
    scans = _ocr_scans(path, pages, failed, garbage, ocr, on_ocr)
    read = scans["ocr"]
    for i, text in read.items():
        pages[i] = text
    # A page OCR read is read: its text layer's failure or garbage no longer matters.
    failed = [p for p in failed if p - 1 not in read]
    garbage = [p for p in garbage if p - 1 not in read]
    warnings = []
    if failed:
        warnings.append(f"partial: {len(failed)} pages unreadable")
    if garbage:
        which = page_list(garbage)
        warnings.append(f"garbage text on page {which}" if len(garbage) == 1 else f"garbage text on pages {which}")
    warnings += scans["warnings"]
    title, created = _metadata(reader)
    ocr_pages = sorted(i + 1 for i, text in read.items() if count_letters(text))
    return build("pdf", pages, title=title, created=created, warnings=warnings,
                 no_text=scans.get("no_text", NO_TEXT_PDF), ocr_pages=ocr_pages,
                 ocr_confidence=scans.get("confidence") if ocr_pages else None,
                 ocr_pending=scans.get("pending", False))
