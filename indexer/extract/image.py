"""JPEG, PNG and TIFF: photos and scans of pages, read by OCR (each TIFF frame a page)."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Callable

from ..errors import ExtractionError
from ..models import Extraction

from ._util import NO_TEXT_OCR, build
from .ocr import MAX_PIXELS, OcrOptions, read_pages, scan_needs_ocr

MAX_FRAMES = 1000  # pages in one TIFF
EXIF_DATETIME_ORIGINAL = 0x9003
EXIF_DATETIME = 0x0132
EXIF_IFD = 0x8769


def _taken(image) -> datetime | None:
    """When the photo was taken, from its EXIF data; None when absent or unreadable."""
    try:
        exif = image.getexif()
        value = exif.get_ifd(EXIF_IFD).get(EXIF_DATETIME_ORIGINAL) or exif.get(EXIF_DATETIME)
        return datetime.strptime(str(value).strip("\x00 "), "%Y:%m:%d %H:%M:%S") if value else None
    except Exception:  # noqa: BLE001 - broken EXIF costs only the date
        return None


def _check_size(width: int, height: int) -> None:
    if width * height > MAX_PIXELS:
        raise ExtractionError("too large", f"a {width:,} × {height:,} pixel image ({width * height / 1e6:,.0f} "
                                           f"megapixels; the limit is {MAX_PIXELS / 1e6:.0f})".replace(",", " "))


def _frame(image, n: int):
    """Frame `n` upright (EXIF orientation applied), decoded."""
    from PIL import ImageOps

    image.seek(n)
    _check_size(*image.size)  # a TIFF's frames each have a size of their own
    upright = ImageOps.exif_transpose(image)
    upright.load()
    return upright


def extract_image(path: Path, fmt: str, on_pages: Callable[[int], None] | None = None,
                  ocr: OcrOptions | None = None, on_ocr: Callable[[int, int], None] | None = None) -> Extraction:
    from PIL import Image

    # Pillow's own bomb guard (the same check of the header's size) would say it without the
    # size; the size is checked here instead, for the file and each frame, before decoding.
    Image.MAX_IMAGE_PIXELS = None
    image = Image.open(path)
    with image:
        _check_size(*image.size)
        frames = getattr(image, "n_frames", 1)
        if frames > MAX_FRAMES:
            raise ExtractionError("too large", f"{frames} images in one file (the limit is {MAX_FRAMES})")
        if on_pages:
            on_pages(frames)
        taken = _taken(image)
        why = scan_needs_ocr(ocr)
        if why:
            # Decoded all the same: a broken image is "corrupt" whether OCR runs or not.
            for n in range(frames):
                _frame(image, n)
            return build(fmt, [""] * frames, created=taken, no_text=f"no text (scanned; {why})",
                         ocr_pending=True, heading_fallback=False)
        assert ocr is not None
        run = read_pages(((n, lambda n=n: _frame(image, n)) for n in range(frames)), frames, ocr, on_ocr)
    pages = [run.texts.get(n, "") for n in range(frames)]
    failures = [f"OCR failed on page {n + 1}: {why}" for n, why in sorted(run.failed.items())]
    if failures and len(failures) == frames:
        raise ExtractionError("corrupt", failures[0].replace("page 1: ", "") if frames == 1 else failures[0])
    ocr_pages = [n + 1 for n, text in run.texts.items() if any(c.isalpha() for c in text)]
    return build(fmt, pages, created=taken, warnings=failures, no_text=NO_TEXT_OCR, ocr_pages=sorted(ocr_pages),
                 ocr_confidence=run.confidence if ocr_pages else None)
