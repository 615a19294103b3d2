#!/usr/bin/env python3
"""OCR quality and cost: this archive's OCR against `tesseract` called directly, in one run.

    python bench/ocr.py [--docs 3] [--variants clean,200dpi,jpeg,turned,sideways] [--json]

Pages: a §-numbered protocol typeset from the sample source, and the first page of typed
minutes PDFs in the sample archive (archive/); each page's text layer is the reference.  Each page is rendered (pypdfium2, 300 dpi) and spoilt as a
scanner or a careless one would (tools/scans.py): `clean` (300 dpi), `200dpi`, `jpeg`
(200 dpi, JPEG quality 35, speckle, blur), `turned` (2.5°, speckle), `sideways` (90°).

- ours: the spoilt page as an image-only PDF through `extract(..., ocr=OcrOptions())`:
  rendering, levelling, orientation, Tesseract, Swedish clean-up, all of it;
- direct: `tesseract page.png - -l swe` on the same pixels (OMP_THREAD_LIMIT=1, as ours).

CER is the edit distance over the reference's length, whitespace runs as one space;
`§ items` counts the reference's "§ N" found as written.  Seconds per page are CPU
(this process and Tesseract: what other work on the machine changes least) and
wall-clock, for the two columns side by side.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

VARIANTS = ("clean", "200dpi", "jpeg", "turned", "sideways")
ITEM = re.compile(r"§ ?\d+")


def _scans():
    spec = importlib.util.spec_from_file_location("scans", REPO / "tools" / "scans.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SECTION_PAGE = REPO / "tools" / "sample_source" / "miljostrategi" / "2015-11-19-boras" / \
    "protokoll-arbetsutskott-skannat.pdf.src"


def reference_pages(scans, count: int) -> list[tuple[str, bytes, str]]:
    """(name, single-page PDF bytes, text layer): a §-numbered protocol, then typed minutes' first pages."""
    import io

    import pypdf

    body = SECTION_PAGE.read_text(encoding="utf-8").split("+++\n", 2)[-1]
    lines = [line for line in body.splitlines() if line.strip()]
    pdf = scans.typeset(lines)
    out = [("§ protocol (sample source)", pdf, pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text())]
    for path in sorted((REPO / "archive").rglob("minnesanteckningar*.pdf")):
        if len(out) >= count:
            break
        reader = pypdf.PdfReader(path)
        text = reader.pages[0].extract_text() or ""
        if len(text) < 400:
            continue
        writer = pypdf.PdfWriter()
        writer.add_page(reader.pages[0])
        buf = io.BytesIO()
        writer.write(buf)
        out.append((path.relative_to(REPO / "archive").as_posix(), buf.getvalue(), text))
    return out


def spoil(scans, page, variant: str):
    """(image, dpi) of `page` (300 dpi) spoilt as `variant` says."""
    if variant == "clean":
        return page, 300
    if variant == "200dpi":
        return scans.degrade(page, scale=200 / 300), 200
    if variant == "jpeg":
        return scans.degrade(page, scale=200 / 300, jpeg=35, speckle=0.0005, blur=0.6, seed=2), 200
    if variant == "turned":
        return scans.degrade(page, angle=2.5, speckle=0.001, seed=1), 300
    if variant == "sideways":
        return page.rotate(90, expand=True), 300
    raise ValueError(variant)


def _cpu() -> float:
    """CPU seconds of this process and its finished children (Tesseract): what the load does not change."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def direct(image, dpi: int, folder: Path) -> tuple[str, float, float]:
    src = folder / "page.png"
    image.save(src)
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    started, cpu = time.monotonic(), _cpu()
    done = subprocess.run(["tesseract", str(src), "-", "-l", "swe", "--dpi", str(dpi)], capture_output=True, env=env)
    return done.stdout.decode("utf-8", "replace"), time.monotonic() - started, _cpu() - cpu


def ours(scans, image, dpi: int, folder: Path) -> tuple[str, float, float]:
    from indexer.extract import OcrOptions, extract

    path = folder / "scan.pdf"
    path.write_bytes(scans.images_pdf([image], dpi=dpi))
    started, cpu = time.monotonic(), _cpu()
    result = extract(path, ocr=OcrOptions())
    return result.pages[0], time.monotonic() - started, _cpu() - cpu


def items_found(reference: str, text: str) -> tuple[int, int]:
    want = [m.replace(" ", "") for m in ITEM.findall(reference)]
    have = [m.replace(" ", "") for m in ITEM.findall(text)]
    return sum(1 for w in want if w in have), len(want)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=3, help="pages to render: the § protocol, then minutes (default 3)")
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    from indexer.extract import ocr_unavailable

    why = ocr_unavailable()
    if why:
        print(f"bench/ocr.py: OCR cannot run here: {why}", file=sys.stderr)
        return 1
    scans = _scans()
    variants = [v for v in args.variants.split(",") if v]
    rows: dict[str, dict[str, list]] = {v: {"ours": [], "direct": [], "t_ours": [], "t_direct": [], "items_ours": [],
                                            "items_direct": [], "c_ours": [], "c_direct": []} for v in variants}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name, pdf, reference in reference_pages(scans, args.docs):
            reference = unicodedata.normalize("NFC", reference)
            page = scans.rasterize(pdf, dpi=300)[0]
            for v in variants:
                image, dpi = spoil(scans, page, v)
                text_d, t_d, c_d = direct(image, dpi, folder)
                text_o, t_o, c_o = ours(scans, image, dpi, folder)
                r = rows[v]
                r["direct"].append(scans.cer(reference, unicodedata.normalize("NFC", text_d)))
                r["ours"].append(scans.cer(reference, text_o))
                r["t_direct"].append(t_d)
                r["t_ours"].append(t_o)
                r["c_direct"].append(c_d)
                r["c_ours"].append(c_o)
                r["items_direct"].append(items_found(reference, text_d))
                r["items_ours"].append(items_found(reference, text_o))
                print(f"  {name} {v}: CER ours {r['ours'][-1]:.3f} direct {r['direct'][-1]:.3f}, "
                      f"{t_o:.1f} s / {t_d:.1f} s wall, {c_o:.1f} s / {c_d:.1f} s CPU", file=sys.stderr)

    def mean(xs):
        return sum(xs) / len(xs) if xs else 0.0

    summary = {}
    for v, r in rows.items():
        found_o = sum(a for a, _ in r["items_ours"]), sum(b for _, b in r["items_ours"])
        found_d = sum(a for a, _ in r["items_direct"]), sum(b for _, b in r["items_direct"])
        summary[v] = {"pages": len(r["ours"]), "cer_ours": mean(r["ours"]), "cer_direct": mean(r["direct"]),
                      "s_ours": mean(r["t_ours"]), "s_direct": mean(r["t_direct"]),
                      "cpu_ours": mean(r["c_ours"]), "cpu_direct": mean(r["c_direct"]),
                      "items_ours": found_o, "items_direct": found_d}
    if args.json:
        json.dump(summary, sys.stdout, indent=2)
        print()
        return 0
    print("| page | n | CER ours | CER tesseract | § items ours | § items tesseract | CPU s/page ours | CPU s/page "
          "tesseract | wall s/page ours | wall s/page tesseract |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for v, s in summary.items():
        print(f"| {v} | {s['pages']} | {s['cer_ours']:.1%} | {s['cer_direct']:.1%} | "
              f"{s['items_ours'][0]}/{s['items_ours'][1]} | {s['items_direct'][0]}/{s['items_direct'][1]} | "
              f"{s['cpu_ours']:.1f} | {s['cpu_direct']:.1f} | {s['s_ours']:.1f} | {s['s_direct']:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
