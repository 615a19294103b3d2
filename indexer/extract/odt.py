"""ODT (OpenDocument text): content.xml paragraphs and headings, meta.xml properties.

Parsed with xml.etree.ElementTree, which never fetches external entities; documents
that declare XML entities are refused outright (ODF never needs them), and the
zip guard has already bounded every member's size."""
from __future__ import annotations

import re
import zipfile
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path

from ..errors import ExtractionError
from ..models import Extraction

from ._util import build, corrupt, heading_text
from .sniff import ZIP_MAX_XML_MEMBER

TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
DC = "{http://purl.org/dc/elements/1.1/}"
META = "{urn:oasis:names:tc:opendocument:xmlns:meta:1.0}"
MANIFEST = "{urn:oasis:names:tc:opendocument:xmlns:manifest:1.0}"

P, H = TEXT + "p", TEXT + "h"
# Inline children whose text is not part of the running text.
SKIP = frozenset({TEXT + "note-citation", TEXT + "tracked-changes", OFFICE + "annotation",
                  TEXT + "sequence-decls", TEXT + "variable-decls", TEXT + "user-field-decls"})


def _read_xml(zf: zipfile.ZipFile, name: str) -> ET.Element | None:
    try:
        info = zf.getinfo(name)
    except KeyError:
        return None
    if info.file_size > ZIP_MAX_XML_MEMBER:
        raise ExtractionError("too large", f"{name} is {info.file_size / 2**20:.0f} MiB")
    data = zf.read(info)
    # Old OpenOffice files carry a harmless DOCTYPE; entity declarations are what a
    # billion-laughs file needs, and ODF never uses them.
    if b"<!ENTITY" in data:
        raise corrupt(f"{name} declares XML entities, which ODF never does")
    return ET.fromstring(data)


def _inline(el: ET.Element, parts: list[str]) -> None:
    if el.text:
        parts.append(el.text)
    for child in el:
        tag = child.tag
        if tag == TEXT + "s":
            parts.append(_spaces(child))
        elif tag == TEXT + "tab":
            parts.append("\t")
        elif tag == TEXT + "line-break":
            parts.append("\n")
        elif tag in SKIP:
            pass
        elif tag in (P, H) or tag == TEXT + "note-body":
            parts.append(" ")
            _inline_block(child, parts)
        else:
            _inline(child, parts)
        if child.tail:
            parts.append(child.tail)


def _inline_block(el: ET.Element, parts: list[str]) -> None:
    """Paragraphs nested inside a paragraph (notes, text boxes): each one's text, spaced."""
    if el.tag in (P, H):
        _inline(el, parts)
        parts.append(" ")
        return
    for sub in el:
        _inline_block(sub, parts)


def _spaces(el: ET.Element) -> str:
    try:
        n = int(el.get(TEXT + "c", "1"))
    except ValueError:
        n = 1
    return " " * max(1, min(n, 100))


class _Walker:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.heading: str | None = None
        self.first_short: str | None = None

    def blocks(self, el: ET.Element) -> None:
        for child in el:
            tag = child.tag
            if tag in (P, H):
                parts: list[str] = []
                _inline(child, parts)
                text = "".join(parts)
                self.lines.append(text)
                if tag == H and self.heading is None and text.strip():
                    self.heading = text
                if self.first_short is None and text.strip():
                    self.first_short = heading_text(text)
            elif tag == TABLE + "table":
                self.table(child)
            elif tag in SKIP:
                continue
            else:  # sections, lists, list items, frames, text boxes ...
                self.blocks(child)

    def table(self, table: ET.Element) -> None:
        for row in table.iter(TABLE + "table-row"):
            cells = []
            for cell in row:
                if cell.tag != TABLE + "table-cell":
                    continue
                sub = _Walker()
                sub.blocks(cell)
                text = " ".join(ln.strip() for ln in sub.lines if ln.strip())
                if text:
                    cells.append(text)
            if cells:
                self.lines.append(" | ".join(cells))


def _parse_date(s: str | None) -> datetime | None:
    if not s:
        return None
    s = s.strip()
    try:
        return datetime.fromisoformat(s.replace("Z", "+00:00"))
    except ValueError:
        m = re.match(r"(\d{4}-\d{2}-\d{2})(T\d{2}:\d{2}:\d{2})?", s)
        if m:
            try:
                return datetime.fromisoformat(m.group(1) + (m.group(2) or ""))
            except ValueError:
                return None
    return None


def extract_odt(path: Path) -> Extraction:
    with zipfile.ZipFile(path) as zf:
        manifest = _read_xml(zf, "META-INF/manifest.xml")
        if manifest is not None and manifest.find(f".//{MANIFEST}encryption-data") is not None:
            raise ExtractionError("encrypted", "password-protected OpenDocument file")
        content = _read_xml(zf, "content.xml")
        if content is None:
            raise corrupt("content.xml is missing")
        meta = _read_xml(zf, "meta.xml")

    body = content.find(f"{OFFICE}body/{OFFICE}text")
    if body is None:
        body = content.find(f"{OFFICE}body")
    if body is None:
        raise corrupt("content.xml has no office:body")
    walker = _Walker()
    walker.blocks(body)

    title = created = None
    if meta is not None:
        t = meta.find(f"{OFFICE}meta/{DC}title")
        title = t.text if t is not None else None
        c = meta.find(f"{OFFICE}meta/{META}creation-date")
        created = _parse_date(c.text if c is not None else None)
    heading = heading_text(walker.heading) or walker.first_short
    return build("odt", ["\n".join(walker.lines)], title=title, heading=heading, created=created,
                 heading_fallback=False)
