"""extract(): one file's bytes -> Extraction, or ExtractionError with one of REASONS."""
from __future__ import annotations

import os
import warnings
from functools import partial
from pathlib import Path
from typing import Callable

from ..errors import ExtractionError
from ..models import EXTRACTION_REASONS, Extraction
from .ocr import OcrOptions
from .sniff import IMAGE_FORMATS, detect

# Bump whenever the text, pages, properties or warnings extract() returns can change:
# cached extractions carry the version they were made with.
# 4: Markdown indexed as plain text; DOCX, PPTX and Markdown carry `layout`, PPTX `notes`.
# 5: OCR of scanned pages and images (and the fields saying so).
EXTRACTOR_VERSION = 5

REASONS = EXTRACTION_REASONS
DEFAULT_MAX_BYTES = 200 * 1024 * 1024


def _extractor(fmt: str):
    if fmt == "pdf":
        from .pdf import extract_pdf

        return extract_pdf
    if fmt == "docx":
        from .docx import extract_docx

        return extract_docx
    if fmt == "pptx":
        from .pptx import extract_pptx

        return extract_pptx
    if fmt == "odt":
        from .odt import extract_odt

        return extract_odt
    if fmt == "text":
        from .text import extract_text

        return extract_text
    if fmt in IMAGE_FORMATS:
        from .image import extract_image

        return partial(extract_image, fmt=fmt)
    raise ExtractionError("unsupported format", f"no extractor for {fmt!r}")


def _short(e: BaseException) -> str:
    msg = str(e).strip().splitlines()[0] if str(e).strip() else ""
    text = f"{type(e).__name__}: {msg}" if msg else type(e).__name__
    return text if len(text) <= 200 else text[:197] + "..."


def extract(path: str | os.PathLike[str], max_bytes: int = DEFAULT_MAX_BYTES,
            on_pages: Callable[[int], None] | None = None, ocr: OcrOptions | None = None,
            on_ocr: Callable[[int, int], None] | None = None) -> Extraction:
    """Read one file.  The format is decided by content, not by the file name.

    `on_pages(n)` is called with the page (or slide) count as soon as it is known,
    before the pages are read: a caller that limits time can scale the limit.
    With `ocr`, scanned PDF pages and images are read by Tesseract, and
    `on_ocr(done, total)` is called before the first page and after each one.
    Without it (or without Tesseract) they are left unread, `ocr_pending` says so.
    """
    path = Path(path)
    try:
        with warnings.catch_warnings():
            # pypdf, python-docx and friends warn about the files' oddities; those are
            # the files' problems, reported through Extraction.warnings or the error.
            warnings.simplefilter("ignore")
            found = detect(path, max_bytes)
            if found.problem is not None:
                raise found.problem
            assert found.format is not None
            kwargs = {}
            if on_pages is not None and found.format in ("pdf", "pptx", *IMAGE_FORMATS):
                kwargs["on_pages"] = on_pages
            if ocr is not None and (found.format == "pdf" or found.format in IMAGE_FORMATS):
                kwargs.update(ocr=ocr, on_ocr=on_ocr)
            return _extractor(found.format)(path, **kwargs)
    except ExtractionError:
        raise
    except MemoryError as e:
        raise ExtractionError("too much memory", "ran out of memory while reading the file") from e
    except RecursionError as e:
        raise ExtractionError("corrupt", "structure nested too deeply to read") from e
    except OSError as e:
        raise ExtractionError("corrupt", f"cannot read the file ({_short(e)})") from e
    except Exception as e:  # noqa: BLE001 - the contract: only ExtractionError escapes
        raise ExtractionError("corrupt", _short(e)) from e
