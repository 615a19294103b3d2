"""A meeting's documents as one ZIP, written while it is sent: bounded memory, whatever the files' size.

zipfile writes to a stream that cannot seek by putting each member's sizes and CRC in a data
descriptor after its data, so nothing needs to be held back: each 1 MiB read from a file is
compressed (or stored) and handed to the response at once.
"""
from __future__ import annotations

import io
import os
import time
import unicodedata
import zipfile
from pathlib import Path
from typing import Iterable, Iterator

CHUNK = 1 << 20
# Formats that are compressed already (PDF streams, Office zips): deflating them costs CPU for nothing.
STORED = {".pdf", ".docx", ".pptx", ".odt", ".zip", ".png", ".jpg", ".jpeg"}
MAX_NAME_BYTES = 240


class _Pipe(io.RawIOBase):
    """What zipfile writes, kept until the response takes it."""

    def __init__(self):
        super().__init__()
        self._chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self._chunks.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        return data


def entry_name(filename: str) -> str:
    """A member name that unpacks as one file in one folder: no path, no control or bidi characters.

    Å, ä and ö stay (zipfile flags a non-ASCII name as UTF-8); NFC, so a name from a Mac's disk
    unpacks as the same letters.
    """
    name = unicodedata.normalize("NFC", filename)
    name = "".join("_" if ch in "/\\" or unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") else ch
                   for ch in name).strip()
    name = name.lstrip(".") or "dokument"
    while len(name.encode("utf-8")) > MAX_NAME_BYTES:
        stem, dot, ext = name.rpartition(".")
        name = f"{stem[:-1]}.{ext}" if dot and len(ext) < 10 and stem else name[:-1]
    return name


def _unique(names: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for name in names:
        candidate, n = name, 2
        while candidate.casefold() in seen:
            stem, dot, ext = name.rpartition(".")
            candidate = f"{stem}-{n}.{ext}" if dot and stem else f"{name}-{n}"
            n += 1
        seen.add(candidate.casefold())
        out.append(candidate)
    return out


def zip_chunks(files: list[tuple[str, Path]]) -> Iterator[bytes]:
    """The ZIP of (file name, path) pairs, in pieces of about CHUNK bytes; a file gone meanwhile is left out."""
    pipe = _Pipe()
    names = _unique(entry_name(n) for n, _ in files)
    with zipfile.ZipFile(pipe, "w", allowZip64=True) as zf:
        for name, (_, path) in zip(names, files):
            try:
                src = open(path, "rb")
            except OSError:
                continue
            with src:
                stat = os.fstat(src.fileno())
                info = zipfile.ZipInfo(name, date_time=max(time.localtime(stat.st_mtime)[:6], (1980, 1, 1, 0, 0, 0)))
                info.compress_type = zipfile.ZIP_STORED if Path(name).suffix.lower() in STORED else zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                with zf.open(info, "w", force_zip64=stat.st_size > 0x7FFFFFFF) as dest:
                    while chunk := src.read(CHUNK):
                        dest.write(chunk)
                        if data := pipe.take():
                            yield data
            if data := pipe.take():
                yield data
    if data := pipe.take():
        yield data
