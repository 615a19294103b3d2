"""Deciding a file's format from its bytes, and refusing hostile containers early."""
from __future__ import annotations

import codecs
import os
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from ..errors import ExtractionError

HEAD_BYTES = 8 * 1024
PDF_MAGIC = b"%PDF-"
PDF_HEADER_WINDOW = 1024  # Acrobat accepts junk before the header within the first KiB
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Pictures of pages (scans, phone photos), read by OCR.
IMAGE_MAGICS = ((b"\xff\xd8\xff", "jpeg"), (b"\x89PNG\r\n\x1a\n", "png"), (b"II*\x00", "tiff"),
                (b"MM\x00*", "tiff"))
IMAGE_FORMATS = frozenset(fmt for _, fmt in IMAGE_MAGICS)
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
OLE_ENCRYPTION_MARK = "EncryptionInfo".encode("utf-16-le")

# Zip guard: refuse before anything is inflated.  Python's zipfile never returns more
# than a member's declared size, so checking the declared sizes is enough.
ZIP_MAX_ENTRIES = 10_000
ZIP_MAX_TOTAL = 512 * 1024 * 1024
ZIP_MAX_MEMBER = 256 * 1024 * 1024
ZIP_MAX_RATIO = 200
ZIP_RATIO_MIN_SIZE = 10 * 1024 * 1024
# zipfile parses the whole central directory when a ZipFile is opened, before check_zip
# can count its entries: 400,000 empty entries took 29 s and 430 MB. The end-of-directory
# record (the last bytes of the file) says how many entries and how many bytes the
# directory has, and zipfile reads as many bytes as it says, so those two are checked first.
ZIP_MAX_DIRECTORY = 8 * 1024 * 1024
# The XML parts are parsed into a DOM (python-docx, python-pptx, ElementTree): a
# tighter cap keeps one document from needing gigabytes.
ZIP_MAX_XML_MEMBER = 64 * 1024 * 1024

# Office XML never declares a DTD; entity declarations are what a billion-laughs file
# needs.  The prolog comes first in a part, so the head of each part is enough.
XML_PROLOG_BYTES = 64 * 1024
DTD_MARKS = tuple(m.encode(enc) for m in ("<!DOCTYPE", "<!ENTITY") for enc in ("ascii", "utf-16-le", "utf-16-be"))

TEXT_EXTENSIONS = frozenset({".txt", ".md", ".csv", ".text", ""})
# What a file's name claims; used only to word an error when the bytes disagree.
CLAIMED = {
    ".pdf": "pdf",
    ".docx": "docx", ".docm": "docx", ".dotx": "docx", ".dotm": "docx",
    ".pptx": "pptx", ".pptm": "pptx", ".ppsx": "pptx", ".ppsm": "pptx", ".potx": "pptx",
    ".potm": "pptx",
    ".odt": "odt", ".ott": "odt",
    ".jpg": "jpeg", ".jpeg": "jpeg", ".png": "png", ".tif": "tiff", ".tiff": "tiff",
}
ODT_MIMETYPES = ("application/vnd.oasis.opendocument.text",
                 "application/vnd.oasis.opendocument.text-template")


@dataclass(frozen=True)
class Detected:
    """What the bytes are.  `format` is the extractor to use; when `problem` is set,
    extract() raises it instead (and `format` is what the file was meant to be, if known)."""

    format: str | None
    problem: ExtractionError | None = None


def _ext(path: Path) -> str:
    return path.suffix.lower()


def _describe(head: bytes) -> str:
    """A few words on what non-matching content looks like."""
    probe = head[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if probe.startswith((b"<!doctype html", b"<html")) or b"<html" in probe or b"<body" in probe:
        return "looks like HTML"
    if probe.startswith(b"<?xml") or probe.startswith(b"<"):
        return "looks like XML"
    if probe.startswith(b"{\\rtf"):
        return "looks like RTF"
    if looks_like_text(head):
        return "looks like plain text"
    return "unknown binary data"


def looks_like_text(head: bytes) -> bool:
    """No NUL bytes (unless UTF-16 with a BOM) and the bytes decode as some text encoding."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            body = head[2:len(head) - (len(head) % 2)]
            head[:2 + len(body)].decode("utf-16")
            return True
        except UnicodeDecodeError:
            return False
    if b"\x00" in head:
        return False
    if not head:
        return True
    try:
        head.decode("utf-8")
        return True
    except UnicodeDecodeError as e:
        # The 8 KiB window may cut a multi-byte character at its end.
        if e.start >= len(head) - 3 and e.reason == "unexpected end of data":
            return True
    # Not UTF-8: a legacy 8-bit encoding if control characters are rare.
    controls = sum(1 for b in head if b < 0x20 and b not in (9, 10, 12, 13))
    if controls > len(head) * 0.01:
        return False
    from charset_normalizer import from_bytes

    return from_bytes(head).best() is not None


def _scan_for(path: Path, needle: bytes, limit: int) -> bool:
    """Whether `needle` occurs in the first `limit` bytes of the file (chunked)."""
    chunk = 1024 * 1024
    overlap = len(needle) - 1
    tail = b""
    read = 0
    with path.open("rb") as f:
        while read < limit:
            block = f.read(min(chunk, limit - read))
            if not block:
                return False
            read += len(block)
            if needle in tail + block:
                return True
            tail = block[-overlap:]
    return False


_EOCD = struct.Struct("<4sHHHHIIH")  # end of central directory: the fields zipfile reads
_EOCD64_LOCATOR = struct.Struct("<4sIQI")
_EOCD64 = struct.Struct("<4sQHHIIQQQQ")


def check_zip_directory(path: Path) -> None:
    """Raise ExtractionError("too large") when the zip's end record promises a directory too big to read.

    Reads the record where zipfile finds it (the last one, in the file's final 64 KiB
    and 22 bytes), with its Zip64 extension when there is one. A file without one is
    left to zipfile to refuse.
    """
    size = os.stat(path).st_size
    with path.open("rb") as f:
        tail_start = max(0, size - (_EOCD.size + 65535))
        f.seek(tail_start)
        tail = f.read()
        at = tail.rfind(b"PK\x05\x06")
        if at < 0 or len(tail) - at < _EOCD.size:
            return
        _, _, _, _, entries, directory, _, _ = _EOCD.unpack_from(tail, at)
        locator = at - _EOCD64_LOCATOR.size
        if locator >= 0 and tail[locator:locator + 4] == b"PK\x06\x07":
            _, _, record_at, _ = _EOCD64_LOCATOR.unpack_from(tail, locator)
            f.seek(record_at)
            record = f.read(_EOCD64.size)
            if len(record) == _EOCD64.size and record[:4] == b"PK\x06\x06":
                fields = _EOCD64.unpack(record)
                entries, directory = fields[7], fields[8]
    if entries > ZIP_MAX_ENTRIES:
        raise ExtractionError("too large", f"zip bomb guard: {entries} entries (limit {ZIP_MAX_ENTRIES})")
    if directory > ZIP_MAX_DIRECTORY:
        raise ExtractionError("too large", f"zip bomb guard: a {directory / 2**20:.0f} MiB zip directory "
                                           f"(limit {ZIP_MAX_DIRECTORY / 2**20:.0f} MiB)")


def check_zip(zf: zipfile.ZipFile) -> None:
    """Raise ExtractionError("too large") when the zip directory promises a bomb."""
    infos = zf.infolist()
    if len(infos) > ZIP_MAX_ENTRIES:
        raise ExtractionError("too large", f"zip bomb guard: {len(infos)} entries (limit {ZIP_MAX_ENTRIES})")
    total = 0
    for info in infos:
        size = info.file_size
        total += size
        mib = size / (1024 * 1024)
        if size > ZIP_MAX_MEMBER:
            raise ExtractionError("too large", f"zip bomb guard: {info.filename} unpacks to {mib:.0f} MiB")
        if size > ZIP_RATIO_MIN_SIZE and size > ZIP_MAX_RATIO * max(info.compress_size, 1):
            ratio = size / max(info.compress_size, 1)
            raise ExtractionError(
                "too large",
                f"zip bomb guard: {info.filename} unpacks to {mib:.0f} MiB (compression {ratio:.0f}:1)",
            )
        if size > ZIP_MAX_XML_MEMBER and info.filename.lower().endswith((".xml", ".rels")):
            raise ExtractionError("too large", f"zip bomb guard: {info.filename} is {mib:.0f} MiB of XML")
    if total > ZIP_MAX_TOTAL:
        raise ExtractionError("too large", f"zip bomb guard: {total / 2**20:.0f} MiB uncompressed in total")


def check_xml_prologs(zf: zipfile.ZipFile) -> None:
    """Raise ExtractionError("corrupt") when an XML part of an OOXML file declares a DTD."""
    for info in zf.infolist():
        name = info.filename.lower()
        if info.file_size == 0 or not name.endswith((".xml", ".rels")):
            continue
        with zf.open(info) as f:
            head = f.read(XML_PROLOG_BYTES)
        if any(mark in head for mark in DTD_MARKS):
            raise ExtractionError(
                "corrupt", f"{info.filename} declares a DTD or XML entities, which Office files never do "
                           "(entity-expansion guard)")


def zip_kind(zf: zipfile.ZipFile) -> tuple[str | None, str]:
    """("docx"|"pptx"|"odt"|None, description) from the member names (and ODF mimetype)."""
    names = set(zf.namelist())
    if "word/document.xml" in names:
        return "docx", "Word document"
    if "ppt/presentation.xml" in names:
        return "pptx", "PowerPoint presentation"
    if "mimetype" in names:
        info = zf.getinfo("mimetype")
        mime = zf.read("mimetype").decode("ascii", "replace").strip() if info.file_size < 200 else ""
        if mime in ODT_MIMETYPES:
            return "odt", "OpenDocument text"
        if mime.startswith("application/vnd.oasis.opendocument."):
            kind = mime.rsplit(".", 1)[-1]
            return None, f"OpenDocument {kind} is not supported"
        if mime == "application/epub+zip":
            return None, "EPUB is not supported"
    if "xl/workbook.xml" in names:
        return None, "Excel workbook (XLSX) is not supported"
    if "content.xml" in names and "META-INF/manifest.xml" in names:
        return "odt", "OpenDocument (no mimetype member)"
    # OOXML with non-standard part names: follow [Content_Types].xml.
    if "[Content_Types].xml" in names:
        info = zf.getinfo("[Content_Types].xml")
        if info.file_size < 1024 * 1024:
            ct = zf.read(info)
            if b"wordprocessingml.document.main+xml" in ct or b"ms-word.document.macroEnabled.main" in ct \
                    or b"wordprocessingml.template.main+xml" in ct:
                return "docx", "Word document"
            if b"presentationml.presentation.main+xml" in ct or b"presentationml.slideshow.main+xml" in ct \
                    or b"presentationml.template.main+xml" in ct or b"ms-powerpoint.presentation.macroEnabled" in ct:
                return "pptx", "PowerPoint presentation"
    return None, "zip archive that is not a DOCX, PPTX or ODT document"


def detect(path: Path, max_bytes: int | None = None) -> Detected:
    """Look at the bytes (and, only to word errors, the name) and say what the file is."""
    ext = _ext(path)
    claimed = CLAIMED.get(ext) or ("text" if ext in TEXT_EXTENSIONS else None)
    size = os.stat(path).st_size
    if size == 0:
        return Detected(claimed, ExtractionError("empty", "the file is empty (0 bytes)"))
    if max_bytes is not None and size > max_bytes:
        return Detected(claimed, ExtractionError(
            "too large", f"{size / 2**20:.1f} MiB, the limit is {max_bytes / 2**20:.0f} MiB"))
    with path.open("rb") as f:
        head = f.read(HEAD_BYTES)

    if PDF_MAGIC in head[:PDF_HEADER_WINDOW]:
        return Detected("pdf")

    for magic, fmt in IMAGE_MAGICS:
        if head.startswith(magic):
            return Detected(fmt)

    if head.startswith(OLE_MAGIC):
        if _scan_for(path, OLE_ENCRYPTION_MARK, size):
            return Detected(claimed if claimed != "text" else None, ExtractionError(
                "encrypted", "password-protected Office document"))
        names = {".doc": "Word 97-2003 (.doc)", ".ppt": "PowerPoint 97-2003 (.ppt)",
                 ".xls": "Excel 97-2003 (.xls)"}
        what = names.get(ext, "legacy Office (OLE2) file")
        return Detected(None, ExtractionError("unsupported format", f"{what} is not supported; save it as DOCX/PPTX/PDF"))

    if head.startswith(ZIP_MAGICS):
        try:
            check_zip_directory(path)
            with zipfile.ZipFile(path) as zf:
                check_zip(zf)
                kind, what = zip_kind(zf)
                if kind in ("docx", "pptx"):
                    check_xml_prologs(zf)
        except ExtractionError as e:
            return Detected(claimed if claimed != "text" else None, e)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError,
                NotImplementedError, KeyError, RuntimeError, zlib.error) as e:
            return Detected(claimed if claimed != "text" else None,
                            ExtractionError("corrupt", f"damaged or truncated zip ({e})"))
        if kind is None:
            return Detected(None, ExtractionError("unsupported format", what))
        return Detected(kind)

    if claimed in ("pdf", "docx", "pptx", "odt", *IMAGE_FORMATS):
        label = {"pdf": "PDF", "docx": "DOCX", "pptx": "PPTX", "odt": "ODT", "jpeg": "JPEG", "png": "PNG",
                 "tiff": "TIFF"}[claimed]
        return Detected(claimed, ExtractionError("corrupt", f"file is not a real {label} ({_describe(head)})"))

    if claimed == "text" and looks_like_text(head):
        return Detected("text")
    return Detected(None, ExtractionError("unsupported format", _describe(head)))


def sniff(path: str | os.PathLike[str]) -> str | None:
    """"pdf", "docx", "pptx", "odt", "text", "jpeg", "png", "tiff", or None when nothing here can read the file.

    Decided by content.  A file whose name claims a supported format but whose bytes
    are damaged or something else (a truncated .docx, HTML saved as .docx, an empty
    .pdf, a password-protected .docx) still answers the claimed format, so a caller
    that filters with sniff() passes it on and extract() reports why it failed.
    """
    try:
        return detect(Path(path)).format
    except Exception:  # noqa: BLE001 - unreadable: nothing here can read it
        return None


# The file name extension each content format is saved with when the name says otherwise.
EXTENSIONS = {"pdf": (".pdf",), "docx": (".docx", ".docm", ".dotx", ".dotm"),
              "pptx": (".pptx", ".pptm", ".ppsx", ".ppsm", ".potx", ".potm"), "odt": (".odt", ".ott"),
              "text": (".txt", ".md", ".csv", ".text"), "jpeg": (".jpg", ".jpeg"), "png": (".png",),
              "tiff": (".tif", ".tiff")}


def content_format(path: Path) -> str | None:
    """The document format the bytes show (not the name): pdf, docx, pptx, odt, text, jpeg, png, tiff, or None.

    A file whose name claims a format its bytes do not have (an HTML page saved as
    .docx) is None: only contents the archive can tell apart are accepted.
    """
    try:
        with open(path, "rb") as f:
            head = f.read(HEAD_BYTES)
        found = detect(Path(path))
    except OSError:
        return None
    if found.format is None:
        return None
    if found.format == "pdf":
        # A new file is a PDF only when it starts as one: "%PDF-" somewhere in the first
        # KiB would make an HTML or SVG page a "PDF" served to browsers as one.
        return "pdf" if head.lstrip(b"\xef\xbb\xbf \t\r\n\x00").startswith(PDF_MAGIC) else None
    if head.startswith(ZIP_MAGICS) or head.startswith(OLE_MAGIC) or found.format in IMAGE_FORMATS:
        return found.format
    if found.format == "text" and looks_like_text(head):
        return "text"
    if not head:
        return found.format  # empty: said so as a problem, the name decides
    return None
