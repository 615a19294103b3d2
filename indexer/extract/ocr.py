"""OCR with Tesseract (Swedish model), run inside the extraction worker: scanned pages and photos.

Tesseract is a program, not a library here: each page is written as a grey-scale PGM
to a temporary folder and `tesseract` is run on it with `OMP_THREAD_LIMIT=1` (its
default OpenMP threads oversubscribe a two-core machine: 12–53 s a page instead of
~2), under the worker's memory limit (inherited), a time limit of its own, and dying
with the worker (PR_SET_PDEATHSIG), so a worker the pool kills leaves no Tesseract.

A page is first read as it lies.  When that reads badly (low confidence, few words),
Tesseract's orientation detection (`--psm 0`, the "osd" model) says whether it lies
on its side or upside down, and the turned page is read again; the better reading is
kept.  A small skew (a phone photo, a page fed crooked) is measured from the rows of
ink and turned straight before reading.
"""
from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

LANGUAGE = "swe"
DPI = 300  # scanned PDF pages are rendered at their image's resolution, within these, else at DPI
MIN_DPI, MAX_DPI = 150, 400
# A decoded image larger than this is refused before it is decoded: an A4 page at 600 dpi is
# 35 megapixels; a 30,000 × 30,000 PNG (900 megapixels, 900 MB grey) is a bomb.
MAX_PIXELS = 80_000_000
# A rendered PDF page is scaled down to at most this many pixels (a poster-sized page).
MAX_RENDER_PIXELS = 40_000_000
# Images wider or taller than this are scaled down before reading: Tesseract needs text
# of some 20–40 pixels a line, and larger images only cost time and memory.
MAX_SIDE = 5000
PAGE_SECONDS = 120  # one Tesseract call; the pool's limit for the whole file holds as well
# Below these a first reading is tried turned (orientation detection).
RETRY_CONFIDENCE = 60.0
RETRY_WORDS = 8
MAX_SKEW = 6.0  # degrees looked for when straightening a page


@dataclass(frozen=True)
class OcrPage:
    text: str  # Tesseract's text, as it gave it
    confidence: float | None  # mean word confidence 0-100, weighed by word length; None: no words
    letters: int


class OcrError(Exception):
    """Tesseract could not read a page (it failed, or took too long)."""


@lru_cache(maxsize=4)
def unavailable(language: str = LANGUAGE) -> str | None:
    """Why OCR cannot run here (no `tesseract`, no Swedish model), or None when it can."""
    exe = shutil.which("tesseract")
    if exe is None:
        return "tesseract is not installed (Debian: apt-get install tesseract-ocr tesseract-ocr-swe)"
    try:
        out = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, timeout=30,
                             env=_env(), stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError) as e:
        return f"tesseract does not run ({type(e).__name__}: {e})"
    langs = {line.strip() for line in (out.stdout + out.stderr).splitlines()}
    missing = [lang for lang in (language, "osd") if lang not in langs]
    if missing:
        packages = " ".join(f"tesseract-ocr-{lang}" for lang in missing)
        return f"tesseract has no {'/'.join(missing)} model (Debian: apt-get install {packages})"
    return None


def _env() -> dict[str, str]:
    return dict(os.environ, OMP_THREAD_LIMIT="1", OMP_NUM_THREADS="1")


def _die_with_us() -> None:
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _run(args: list[str], timeout: float) -> subprocess.CompletedProcess:
    exe = shutil.which("tesseract") or "tesseract"
    try:
        return subprocess.run([exe, *args], capture_output=True, timeout=timeout, env=_env(),
                              stdin=subprocess.DEVNULL, preexec_fn=_die_with_us if os.name == "posix" else None)
    except subprocess.TimeoutExpired as e:
        raise OcrError(f"tesseract took over {timeout:.0f} s on one page") from e
    except OSError as e:
        raise OcrError(f"tesseract could not be started ({e.strerror or e})") from e


def _mean_confidence(tsv: str) -> tuple[float | None, int]:
    """Tesseract's word confidences, weighed by word length; and the number of words."""
    total = weight = words = 0
    for line in tsv.splitlines()[1:]:
        cols = line.split("\t")
        if len(cols) < 12 or cols[0] != "5":
            continue
        word = cols[11].strip()
        try:
            conf = float(cols[10])
        except ValueError:
            continue
        if not word or conf < 0:
            continue
        words += 1
        total += conf * len(word)
        weight += len(word)
    return (total / weight if weight else None), words


def _read(image, folder: Path, dpi: int, language: str) -> tuple[OcrPage, int]:
    """One Tesseract reading of a grey-scale image: (page, word count)."""
    src = folder / "page.pgm"
    image.save(src)
    out = folder / "out"
    done = _run([str(src), str(out), "-l", language, "--dpi", str(dpi), "--psm", "3", "txt", "tsv"],
                PAGE_SECONDS)
    try:
        text = (folder / "out.txt").read_text(encoding="utf-8", errors="replace")
        tsv = (folder / "out.tsv").read_text(encoding="utf-8", errors="replace")
    except OSError:
        why = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise OcrError(f"tesseract failed (exit code {done.returncode}"
                       f"{': ' + why[-1] if why else ''})") from None
    finally:
        for name in ("out.txt", "out.tsv", "page.pgm"):
            (folder / name).unlink(missing_ok=True)
    confidence, words = _mean_confidence(tsv)
    return OcrPage(text, confidence, sum(1 for c in text if c.isalpha())), words


_ROTATE = re.compile(r"Rotate:\s*(\d+)")


def _orientation(image, folder: Path, dpi: int) -> int:
    """Degrees (clockwise) the page must turn to stand upright, by Tesseract's OSD; 0 when it cannot say.

    Asked only when a reading went badly, and the turned page's reading is kept only when
    it is better: so even a guess of low confidence is worth a try.
    """
    src = folder / "osd.pgm"
    image.save(src)
    try:
        done = _run([str(src), "-", "--psm", "0", "-l", "osd", "--dpi", str(dpi)], PAGE_SECONDS)
    finally:
        src.unlink(missing_ok=True)
    rotate = _ROTATE.search(done.stdout.decode("utf-8", "replace"))
    return int(rotate.group(1)) % 360 if rotate else 0


def _row_contrast(image, angle: float) -> float:
    """How sharply rows of ink and rows of paper alternate when `image` is turned by `angle`."""
    from PIL import Image

    turned = image.rotate(angle, resample=Image.Resampling.NEAREST, fillcolor=0)
    rows = turned.resize((1, turned.height), Image.Resampling.BOX).tobytes()  # one grey byte a row
    return sum((a - b) ** 2 for a, b in zip(rows, rows[1:]))


def skew_angle(image) -> float:
    """The angle (degrees, counter-clockwise) that makes the lines of text level; 0.0 when unsure."""
    from PIL import Image, ImageOps

    small = image.copy()
    small.thumbnail((800, 800), Image.Resampling.BOX)  # lines of text stay lines: enough to level by
    # Ink as bright on dark, so the corners a turn adds (black) count as paper.
    ink = ImageOps.invert(ImageOps.autocontrast(small)).point(lambda v: 255 if v > 110 else 0)
    if ink.getbbox() is None:
        return 0.0
    best, best_score = 0.0, _row_contrast(ink, 0.0)
    for step, span in ((1.0, MAX_SKEW), (0.25, 0.75)):  # 19 turns of a small image, ~0.2 s
        centre = best
        n = int(round(span / step))
        for k in range(-n, n + 1):
            angle = centre + k * step
            if k == 0 or abs(angle) > MAX_SKEW:
                continue
            score = _row_contrast(ink, angle)
            if score > best_score * 1.02:
                best, best_score = angle, score
    return round(best, 2)


def _grey(image):
    """Grey-scale (transparency on white), at most MAX_SIDE pixels a side."""
    from PIL import Image

    if image.mode not in ("L", "1"):
        if image.mode in ("RGBA", "LA", "P", "PA"):
            image = image.convert("RGBA")
            white = Image.new("RGBA", image.size, (255, 255, 255, 255))
            image = Image.alpha_composite(white, image)
        image = image.convert("L")
    elif image.mode == "1":
        image = image.convert("L")
    if max(image.size) > MAX_SIDE:
        image = image.copy()
        image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    return image


def _level(image):
    """The page turned so that its lines of text are level (when it is skewed by 0.3° or more)."""
    from PIL import Image

    angle = skew_angle(image)
    if abs(angle) < 0.3:
        return image
    return image.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)


def _better(a: tuple[OcrPage, int], b: tuple[OcrPage, int]) -> tuple[OcrPage, int]:
    def score(r: tuple[OcrPage, int]) -> float:
        page, words = r
        return (page.confidence or 0.0) * min(words, 200)
    return b if score(b) > score(a) else a


def ocr_image(image, dpi: int = DPI, language: str = LANGUAGE) -> OcrPage:
    """Read one page image (any PIL mode) with Tesseract; OcrError when Tesseract fails."""
    image = _grey(image)
    with tempfile.TemporaryDirectory(prefix="arkiv-ocr-") as tmp:
        folder = Path(tmp)
        first = _read(_level(image), folder, dpi, language)
        page, words = first
        if words >= RETRY_WORDS and (page.confidence or 0.0) >= RETRY_CONFIDENCE:
            return page
        # Lines of text that run up the page are no skew to level: OSD looks at the page as it came.
        turn = _orientation(image, folder, dpi)
        if turn:
            second = _read(_level(image.rotate(-turn, expand=True)), folder, dpi, language)
            return _better(first, second)[0]
        return page


@dataclass(frozen=True)
class OcrOptions:
    """OCR asked for: the pool's target is given these when OCR is on."""

    dpi: int = DPI
    language: str = LANGUAGE


def _image_share(page) -> tuple[float, int | None]:
    """The share of a PDF page's area its images cover (a scan: nearly all of it), and their resolution.

    The resolution (dpi) is the largest image's own, so that a 200-dpi scan is rendered
    at 200 dpi: neither blown up (slower, and no better) nor shrunk.
    """
    import pypdfium2 as pdfium

    width, height = page.get_size()
    if width <= 0 or height <= 0:
        return 0.0, None
    covered = 0.0
    largest, dpi = 0.0, None
    for n, obj in enumerate(page.get_objects(filter=[pdfium.raw.FPDF_PAGEOBJ_IMAGE], max_depth=4)):
        if n > 1000:  # a page of a thousand tiles is a scan too
            return 1.0, dpi
        left, bottom, right, top = obj.get_bounds()
        area = max(0.0, min(right, width) - max(left, 0.0)) * max(0.0, min(top, height) - max(bottom, 0.0))
        covered += area
        if area > largest and right > left:
            largest = area
            try:
                px_width, _ = obj.get_px_size()
                dpi = round(px_width / ((right - left) / 72))
            except Exception:  # noqa: BLE001 - an image pdfium cannot size: the default resolution
                dpi = None
    return min(1.0, covered / (width * height)), dpi


def scanned_pages(pdf, indices: list[int], must: frozenset[int] = frozenset()) -> dict[int, int | None]:
    """The pages of `indices` (0-based) of an open pypdfium2 document that are pictures (scans): page -> dpi.

    A page without text and without an image worth reading (a blank page) is left out,
    unless it is in `must` (its text layer is garbage: the glyphs are drawn, not encoded).
    """
    chosen = {}
    for i in indices:
        page = pdf[i]
        try:
            share, dpi = _image_share(page)
            if i in must or share >= 0.1:
                chosen[i] = dpi
        finally:
            page.close()
    return chosen


def render_page(pdf, i: int, dpi: int = DPI):
    """Page `i` of an open pypdfium2 document as a grey PIL image at `dpi`, at most MAX_RENDER_PIXELS."""
    page = pdf[i]
    try:
        width, height = page.get_size()
        scale = dpi / 72
        pixels = max(1.0, width * height * scale * scale)
        if pixels > MAX_RENDER_PIXELS:
            scale *= (MAX_RENDER_PIXELS / pixels) ** 0.5
        bitmap = page.render(scale=scale, grayscale=True)
        try:
            image = bitmap.to_pil().convert("L")
        finally:
            bitmap.close()
        image.info["dpi"] = (dpi * scale / (dpi / 72), ) * 2  # what it was rendered at, for Tesseract
        return image
    finally:
        page.close()


@dataclass
class OcrRun:
    """What OCR made of the pages it was given."""

    texts: dict[int, str]  # 0-based page -> Swedish-cleaned text
    confidence: float | None  # over every page read, weighed by letters
    failed: dict[int, str]  # 0-based page -> why Tesseract could not read it


def _resolution(image, default: int) -> int:
    """The image's own dpi when it is plausible for a page (phones say 72), else `default`."""
    try:
        dpi = round(float(image.info.get("dpi", (0,))[0]))
    except (TypeError, ValueError, IndexError):
        return default
    return dpi if MIN_DPI <= dpi <= 1200 else default


def read_pages(images, total: int, options: OcrOptions, on_ocr=None) -> OcrRun:
    """OCR each (0-based index, image loader) of `images`; `on_ocr(done, total)` as they go."""
    from ..lang import clean_ocr_text

    run = OcrRun({}, None, {})
    weight = total_conf = 0.0
    if on_ocr:
        on_ocr(0, total)
    for done, (i, load) in enumerate(images, 1):
        try:
            image = load()
            page = ocr_image(image, _resolution(image, options.dpi), options.language)
        except OcrError as e:
            run.failed[i] = str(e)
        else:
            run.texts[i] = clean_ocr_text(page.text)
            if page.confidence is not None and page.letters:
                total_conf += page.confidence * page.letters
                weight += page.letters
        if on_ocr:
            on_ocr(done, total)
    run.confidence = total_conf / weight if weight else None
    return run


def scan_needs_ocr(options: OcrOptions | None) -> str:
    """"" when OCR can read scans with `options`; else why not, as a warning says it."""
    if options is None:
        return "OCR is turned off"
    why = unavailable(options.language)
    return f"OCR is not available: {why}" if why else ""
