"""Plain text (.txt, .md, .csv): decode, split pages on form feed.  Markdown is searched
as the text it shows and kept as written for reading (Extraction.layout)."""
from __future__ import annotations

import codecs
from pathlib import Path

from ..models import Extraction

from ._util import build, corrupt
from .markdown import MARKDOWN_SUFFIXES, plain_text

# Non-letters a Western text in Windows-1252 uses above ASCII: dashes, quotes, bullets,
# euro, section, degree, no-break space...
_CP1252_PUNCTUATION = frozenset("–—‘’‚“”„•…€§°«»´\xa0©®±×·¶½¼¾²")


def _plausible_cp1252(text: str) -> bool:
    """Whether Windows-1252 decoding gives Latin-script prose: the non-ASCII characters
    are mostly letters or common punctuation, and most letters are plain ASCII (Swedish
    has a few per cent å/ä/ö; Cyrillic or Greek read as 1252 is nearly all accented
    letters, Central European 1250 read as 1252 is full of ¹ ³ ¿)."""
    high = [c for c in text if ord(c) > 0x7F]
    if not high:
        return True
    odd = sum(1 for c in high if not c.isalpha() and c not in _CP1252_PUNCTUATION)
    if odd > max(2, len(high) * 0.05):
        return False
    letters = sum(1 for c in text if c.isalpha())
    high_letters = sum(1 for c in high if c.isalpha())
    return high_letters <= max(8, letters * 0.3)


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding).  UTF-8 (with or without BOM) and UTF-16 with BOM first; then
    Windows-1252 when it reads as Latin-script text (charset-normalizer alone misreads
    short Swedish files as Big5 or CP852); otherwise charset-normalizer's guess."""
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
        if _plausible_cp1252(text):
            return text, "cp1252"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is not None and best.encoding:
        return str(best), best.encoding
    return data.decode("cp1252", errors="replace"), "cp1252"


def extract_text(path: Path) -> Extraction:
    data = path.read_bytes()
    if b"\x00" in data[:8192] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise corrupt("binary data in a text file")
    text, _encoding = decode(data)
    pages = text.split("\f")
    if path.suffix.lower() in MARKDOWN_SUFFIXES:
        read = [plain_text(p) for p in pages]
        heading = next((h for _text, h in read if h), None)
        return build("text", [t for t, _h in read], heading=heading, heading_fallback=True, layout=pages)
    heading = None
    first = pages[0] if pages else ""
    for line in first.splitlines():
        line = line.strip().lstrip("#").strip()
        if line:
            heading = line
            break
    return build("text", pages, heading=heading, heading_fallback=False)
