"""Text extraction: a file's bytes -> Extraction (text per page + its own properties).

    extract(path, max_bytes) -> Extraction     raises ExtractionError(reason, detail)
    sniff(path) -> "pdf" | "docx" | "pptx" | "odt" | "text" | None
    normalize_text(s) -> str
    ExtractionPool(jobs, PoolLimits()).run(paths) -> (position, Extraction | Failure), in workers
    EXTRACTOR_VERSION
    ocr_unavailable() -> why OCR (Tesseract, its Swedish model) cannot run here, or None
    extract(path, max_bytes, ocr=OcrOptions()) reads scanned pages and images by OCR

`reason` is one of REASONS.  Nothing else escapes extract(): library exceptions
become "corrupt", MemoryError "too much memory".  Time and memory limits are the
pool's business: it runs extract() in worker processes that have them.
"""
from __future__ import annotations

from .normalize import normalize_text
from .ocr import OcrOptions, unavailable as ocr_unavailable
from .pool import GiB, ExtractionPool, PoolLimits, WorkerStartError, extract_file
from .read import DEFAULT_MAX_BYTES, EXTRACTOR_VERSION, REASONS, extract
from .sniff import EXTENSIONS, content_format, sniff

__all__ = ["DEFAULT_MAX_BYTES", "EXTENSIONS", "EXTRACTOR_VERSION", "ExtractionPool", "GiB", "OcrOptions", "PoolLimits", "REASONS",
           "WorkerStartError", "content_format", "extract", "extract_file", "normalize_text", "ocr_unavailable", "sniff"]
