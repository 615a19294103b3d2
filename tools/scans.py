"""Make scans and phone photos of pages from text: the sample archive's, the OCR tests' and bench/ocr.py's.

A page is typeset as a PDF (fpdf2, Helvetica: å/ä/ö and § are in its encoding),
rendered to pixels (pypdfium2) and then spoilt as scanners and phones spoil it:
lower resolution, a slight turn, speckle, blur, uneven light, JPEG compression.
Everything is seeded, so the same call gives the same pixels with the same libraries.

    page = render_lines(lines, dpi=300)
    scan = degrade(page, angle=1.5, speckle=0.002, jpeg=60)
    pdf_bytes = images_pdf([scan], dpi=300)
    jpeg_bytes = phone_photo(page)
"""
from __future__ import annotations

import datetime as dt
import io
import random

A4_MM = (210.0, 297.0)


def typeset(lines: list[str], *, size: float = 11.0, created: dt.datetime | None = None) -> bytes:
    """A typed A4 PDF of `lines` (a line starting with "# " is a bold heading)."""
    from fpdf import FPDF

    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.core_fonts_encoding = "windows-1252"
    pdf.set_margins(22, 20, 22)
    pdf.set_auto_page_break(True, margin=20)
    pdf.set_creation_date(created or dt.datetime(2020, 1, 1, 12, 0, tzinfo=dt.timezone.utc))
    pdf.add_page()
    for line in lines:
        if line == "===":
            pdf.add_page()
            continue
        bold = line.startswith("# ")
        pdf.set_font("helvetica", "B" if bold else "", size + 3 if bold else size)
        pdf.multi_cell(0, size * 0.55, line[2:] if bold else line, new_x="LMARGIN", new_y="NEXT")
        if bold:
            pdf.ln(1.5)
    return bytes(pdf.output())


def rasterize(pdf: bytes, dpi: int = 300) -> list:
    """Every page of a PDF as a grey PIL image."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    try:
        out = []
        for i in range(len(doc)):
            page = doc[i]
            out.append(page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L"))
            page.close()
        return out
    finally:
        doc.close()


def render_lines(lines: list[str], dpi: int = 300, size: float = 11.0) -> list:
    """`lines` typeset and rendered: one grey image per page."""
    return rasterize(typeset(lines, size=size), dpi)


def degrade(image, *, angle: float = 0.0, speckle: float = 0.0, blur: float = 0.0, scale: float = 1.0,
            jpeg: int | None = None, seed: int = 0):
    """A scanner's copy of `image`: scaled, turned `angle` degrees, speckled, blurred, JPEG'd."""
    from PIL import Image, ImageFilter

    rng = random.Random(seed)
    img = image.convert("L")
    if scale != 1.0:
        img = img.resize((round(img.width * scale), round(img.height * scale)), Image.Resampling.LANCZOS)
    if angle:
        img = img.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    if blur:
        img = img.filter(ImageFilter.GaussianBlur(blur))
    if speckle:
        px = img.load()
        w, h = img.size
        for _ in range(int(w * h * speckle)):
            x, y = rng.randrange(w), rng.randrange(h)
            px[x, y] = 0 if rng.random() < 0.5 else 255
    if jpeg:
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=jpeg)
        img = Image.open(io.BytesIO(buf.getvalue())).convert("L")
    return img


def images_pdf(images: list, dpi: int = 300, created: dt.datetime | None = None, title: str | None = None) -> bytes:
    """An image-only PDF (no text layer), one A4 page per image, as a scanner writes it."""
    from fpdf import FPDF

    pdf = FPDF(unit="mm", format="A4")
    pdf.set_creation_date(created or dt.datetime(2020, 1, 1, 12, 0, tzinfo=dt.timezone.utc))
    if title:
        pdf.set_title(title)
    pdf.set_producer("Skanner")
    for img in images:
        pdf.add_page()
        w_mm = img.width / dpi * 25.4
        h_mm = img.height / dpi * 25.4
        fit = min(A4_MM[0] / w_mm, A4_MM[1] / h_mm, 1.0)
        buf = io.BytesIO()
        img.convert("L").save(buf, "JPEG", quality=85)
        pdf.image(io.BytesIO(buf.getvalue()), x=0, y=0, w=w_mm * fit, h=h_mm * fit)
    return bytes(pdf.output())


def mixed_pdf(typed_lines: list[str], scan, dpi: int = 300) -> bytes:
    """A PDF whose first page is typed text and whose second is a scan (an attached, signed page)."""
    from fpdf import FPDF

    pdf = FPDF(unit="mm", format="A4")
    pdf.core_fonts_encoding = "windows-1252"
    pdf.set_creation_date(dt.datetime(2020, 1, 1, 12, 0, tzinfo=dt.timezone.utc))
    pdf.add_page()
    pdf.set_font("helvetica", "", 11)
    for line in typed_lines:
        pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    pdf.add_page()
    buf = io.BytesIO()
    scan.convert("L").save(buf, "JPEG", quality=85)
    w_mm, h_mm = scan.width / dpi * 25.4, scan.height / dpi * 25.4
    fit = min(A4_MM[0] / w_mm, A4_MM[1] / h_mm, 1.0)
    pdf.image(io.BytesIO(buf.getvalue()), x=0, y=0, w=w_mm * fit, h=h_mm * fit)
    return bytes(pdf.output())


def phone_photo(page, *, seed: int = 0, angle: float = 2.0, exif_rotated: bool = True,
                taken: dt.datetime | None = None) -> bytes:
    """A phone's JPEG of a printed page on a desk: turned a little, uneven light, grey paper.

    With `exif_rotated`, the pixels are stored on their side with EXIF Orientation 6
    ("turn 90° clockwise to view"), as phones held upright write them.
    """
    from PIL import Image, ImageFilter

    rng = random.Random(seed)
    img = page.convert("L")
    img = img.resize((round(img.width * 0.8), round(img.height * 0.8)), Image.Resampling.LANCZOS)
    img = img.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    # Light from one side: a gradient laid over the paper; a margin of desk around it.
    w, h = img.size
    gradient = Image.linear_gradient("L").transpose(Image.Transpose.ROTATE_90).resize((w, h)) \
        .point(lambda v: 200 + v * 55 // 255)
    img = Image.composite(img, gradient, img.point(lambda v: 255 if v < 128 else 0))
    desk = Image.new("L", (w + 160, h + 160), 90)
    desk.paste(img, (80 + rng.randrange(-20, 20), 80 + rng.randrange(-20, 20)))
    img = desk.filter(ImageFilter.GaussianBlur(0.8)).convert("RGB")
    exif = Image.Exif()
    exif[0x010F] = "Telefon"  # Make
    if taken:
        exif.get_ifd(0x8769)[0x9003] = taken.strftime("%Y:%m:%d %H:%M:%S")
    if exif_rotated:
        img = img.transpose(Image.Transpose.ROTATE_90)  # stored on its side ...
        exif[0x0112] = 6  # ... and EXIF says: turn 90° clockwise to view
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=80, exif=exif.tobytes())
    return buf.getvalue()


def cer(reference: str, hypothesis: str) -> float:
    """Character error rate: edit distance over the reference's length, whitespace runs as one space."""
    from rapidfuzz.distance import Levenshtein

    ref = " ".join(reference.split())
    hyp = " ".join(hypothesis.split())
    if not ref:
        return 0.0 if not hyp else 1.0
    return Levenshtein.distance(ref, hyp) / len(ref)


def sign(page, count: int, seed: int = 0) -> None:
    """Draw `count` handwritten-looking signatures in ink on the lower part of `page` (in place)."""
    import math

    from PIL import ImageDraw

    rng = random.Random(seed)
    draw = ImageDraw.Draw(page)
    w, h = page.size
    for k in range(count):
        x0 = int(w * (0.12 + 0.42 * (k % 2)))
        y0 = int(h * (0.62 + 0.07 * (k // 2)))
        points = []
        for t in range(90):
            x = x0 + t * w * 0.0030
            y = y0 + math.sin(t / (2.0 + rng.random())) * h * 0.008 + rng.uniform(-2, 2)
            points.append((x, y))
        draw.line(points, fill=30, width=max(2, w // 500))
