"""Read new files before they are saved: what the archive would infer about each, and why not.

Used by the web app's upload (the coordinator sees and corrects the inferred
title, type, date and themes before anything is written) and by the folder
import.  Files are read in the extraction pool's worker processes, under the
same time and memory limits as indexing: a hostile upload costs one worker.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from .adding import safe_filename
from ..config import Sidecar, load_archive_config
from ..errors import AddError
from ..extract import DEFAULT_MAX_BYTES, EXTENSIONS, EXTRACTOR_VERSION, ExtractionPool, PoolLimits, content_format
from .files import find_copies, taken
from ..metadata import describe
from ..models import Document, Extraction, Meeting, Result
from ..index import TextCache, file_sha256

@dataclass(frozen=True)
class Inspection:
    """One new file as the archive sees it, before it is saved."""

    name: str  # the name it would get: sanitised, its extension matching its content
    size: int
    sha256: str
    format: str | None  # by content; None when the archive cannot read this kind of file
    refused: str | None = None  # why the file cannot be added at all (not a document format)
    problem: str | None = None  # why its text cannot be read ("encrypted", "empty", "corrupt", ...)
    document: Document | None = None  # title, type, date, themes, page count: what would be inferred
    warnings: tuple[str, ...] = ()  # what a coordinator should know ("no text (scanned?)", "no date ...")
    copies: tuple[str, ...] = ()  # archived files with the same content
    clash: bool = False  # a file of this name is already in the target folder
    sources: dict[str, str] = field(default_factory=dict)


def name_for(name: str, fmt: str | None) -> str:
    """The sanitised name, with the extension of the content's format when the name has another."""
    name = safe_filename(name)
    if fmt is None or name.lower().endswith(EXTENSIONS[fmt]):
        return name
    stem, dot, ext = name.rpartition(".")
    known = {e for exts in EXTENSIONS.values() for e in exts}
    if dot and stem and f".{ext.lower()}" in known:
        name = stem
    return name + EXTENSIONS[fmt][0]


def inspect_files(archive: Path, files: list[tuple[Path, str]], group: str, folder: Path | None,
                  meeting: Meeting | None, index_dir: Path | None = None, today: date | None = None,
                  max_bytes: int = DEFAULT_MAX_BYTES, timeout: float = 60.0) -> list[Inspection]:
    """Read each (path, wanted name) and say what the archive would make of it in `folder`.

    `meeting` is the meeting the files are for (an existing one, or a draft not yet
    written).  With `index_dir`, each extraction is kept in the index's text cache,
    so indexing the saved file does not read it again, and duplicates are looked up
    in what the index knows.
    """
    archive = Path(archive)
    config = load_archive_config(archive)
    today = today or date.today()
    cache = TextCache(index_dir, EXTRACTOR_VERSION) if index_dir is not None else None
    formats = [content_format(p) for p, _ in files]
    readable = [i for i, fmt in enumerate(formats) if fmt is not None]
    results: dict[int, Result] = {}
    shas = [file_sha256(p) for p, _ in files]
    for i in readable:
        cached = cache.get(shas[i]) if cache else None
        if cached is not None:
            results[i] = cached
    need = [i for i in readable if i not in results]
    if need:
        limits = PoolLimits(timeout_base=timeout, max_bytes=max_bytes)
        with ExtractionPool(min(2, len(need)), limits) as pool:
            for n, result in pool.run([files[i][0] for i in need]):
                results[need[n]] = result
                if cache and isinstance(result, Extraction):
                    cache.put(shas[need[n]], result)

    out = []
    for i, (path, wanted) in enumerate(files):
        fmt = formats[i]
        size = path.stat().st_size
        try:
            name = name_for(wanted, fmt)
        except AddError:  # a name with nothing usable left ("..", only control characters)
            name = name_for("dokument", fmt)
        copies = tuple(find_copies(archive, index_dir, shas[i], (folder,) if folder else ()))
        clash = folder is not None and taken(folder, name)
        if fmt is None:
            out.append(Inspection(name=name, size=size, sha256=shas[i], format=None,
                                  refused="not a document the archive can read (PDF, Word, PowerPoint, "
                                          "OpenDocument text or plain text)",
                                  copies=copies, clash=clash))
            continue
        result = results[i]
        extraction = result if isinstance(result, Extraction) else None
        problem = None if extraction else result.reason
        doc_id = f"{group}/{folder.name if folder else 'ovrigt'}/{name}"
        doc, warns = describe(doc_id, group, extraction, Sidecar(), meeting, config.themes, today,
                              status="ok" if extraction else problem, size=size)
        warnings = [*(extraction.warnings if extraction else ()), *warns]
        out.append(Inspection(name=name, size=size, sha256=shas[i], format=fmt, problem=problem,
                              document=doc, warnings=tuple(dict.fromkeys(warnings)), copies=copies,
                              clash=clash, sources=dict(doc.sources)))
    return out
