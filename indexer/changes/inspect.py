"""Read new files before they are saved: what the archive would infer about each, and why not.

Used by the web app's upload (the coordinator sees and corrects the inferred
title, type, date and themes before anything is written) and by the folder
import.  Everything that reads a file's content (what its bytes are, a zip's
directory, its text, the date, type and themes inferred from the text) runs in
the extraction pool's worker processes, under the same time and memory limits as
indexing: a hostile upload costs one worker, never the web process.  The caller's
process only hashes each file (one streaming pass) and looks up copies and names.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import partial
from pathlib import Path

from .adding import safe_filename
from ..config import Sidecar, load_archive_config
from ..errors import AddError
from ..extract import DEFAULT_MAX_BYTES, EXTENSIONS, EXTRACTOR_VERSION, ExtractionPool, PoolLimits, content_format, \
    extract_file
from .files import find_copies, taken
from ..metadata import describe
from ..models import Document, Extraction, Failure, Meeting, Result, Theme
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
    preview: str = ""  # the start of its text, for the coordinator to recognise it by


PREVIEW_CHARS = 300


def preview_of(pages: tuple[str, ...]) -> str:
    """The first PREVIEW_CHARS characters of the text, whitespace collapsed, cut at a word."""
    text = " ".join(" ".join(pages[:3]).split())
    if len(text) <= PREVIEW_CHARS:
        return text
    return text[:PREVIEW_CHARS].rsplit(" ", 1)[0] + " …"


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


@dataclass(frozen=True)
class _Context:
    """What every file of one inspection shares, sent once to each worker."""

    group: str
    folder: str | None
    meeting: Meeting | None
    themes: tuple[Theme, ...]
    today: date


@dataclass(frozen=True)
class _Job:
    wanted: str  # the name it was given
    format: str | None = None  # None: first find out what the bytes are
    cached: Extraction | None = None  # its text as the index's cache already holds it


@dataclass(frozen=True)
class _Read:
    """What a worker made of one file: its Document as inferred from its text."""

    result: Result
    document: Document
    warnings: tuple[str, ...]


def _doc_id(context: _Context, name: str) -> str:
    return f"{context.group}/{context.folder or 'ovrigt'}/{name}"


OCR_WHEN_SAVED = "scanned: its text is read by OCR when it is saved"


def _describe(context: _Context, name: str, extraction: Extraction | None, problem: str | None,
              size: int) -> tuple[Document, tuple[str, ...]]:
    doc, warns = describe(_doc_id(context, name), context.group, extraction, Sidecar(), context.meeting,
                          context.themes, context.today, status="ok" if extraction else problem, size=size,
                          file_day=context.today)  # saved today: a creation date of today is the upload's
    warnings = [*(extraction.warnings if extraction else ()), *warns]
    if extraction and extraction.ocr_pending:
        # Inspection reads without OCR (a 40-page scan would keep the form waiting for minutes):
        # the index reads the scanned pages once the file is saved.
        warnings = [OCR_WHEN_SAVED if "OCR is turned off" in w else w for w in warnings]
    return doc, tuple(dict.fromkeys(warnings))


def read_in_worker(path: str, max_bytes: int, on_pages, job: _Job, context: _Context):
    """The pool's target: the file's content format, or its text read and described."""
    if job.format is None:
        return content_format(Path(path))
    result = job.cached if job.cached is not None else extract_file(path, max_bytes, on_pages)
    extraction = result if isinstance(result, Extraction) else None
    name = _name(job.wanted, job.format)
    doc, warnings = _describe(context, name, extraction, None if extraction else result.reason,
                              Path(path).stat().st_size)
    return _Read(result, doc, warnings)


def _name(wanted: str, fmt: str | None) -> str:
    try:
        return name_for(wanted, fmt)
    except AddError:  # a name with nothing usable left ("..", only control characters)
        return name_for("dokument", fmt)


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
    context = _Context(group, folder.name if folder else None, meeting, config.themes, today or date.today())
    cache = TextCache(index_dir, EXTRACTOR_VERSION) if index_dir is not None else None
    shas = [file_sha256(p) for p, _ in files]
    formats: dict[int, str | None] = {}
    unchecked: dict[int, Failure] = {}  # files whose worker did not say what they are (timeout, crash)
    reads: dict[int, _Read | Failure] = {}
    if files:
        limits = PoolLimits(timeout_base=timeout, max_bytes=max_bytes)
        with ExtractionPool(min(2, len(files)), limits, partial(read_in_worker, context=context)) as pool:
            for i, fmt in pool.run([p for p, _ in files], [_Job(wanted) for _, wanted in files]):
                if isinstance(fmt, Failure):
                    unchecked[i], formats[i] = fmt, None
                else:
                    formats[i] = fmt
            readable = [i for i in range(len(files)) if formats[i] is not None]
            jobs = [_Job(files[i][1], formats[i], cache.get(shas[i]) if cache else None) for i in readable]
            for n, read in pool.run([files[i][0] for i in readable], jobs):
                reads[readable[n]] = read
                if cache and jobs[n].cached is None and isinstance(read, _Read) \
                        and isinstance(read.result, Extraction):
                    cache.put(shas[readable[n]], read.result)

    out = []
    for i, (path, wanted) in enumerate(files):
        fmt = formats[i]
        size = path.stat().st_size
        name = _name(wanted, fmt)
        copies = tuple(find_copies(archive, index_dir, shas[i], (folder,) if folder else ()))
        clash = folder is not None and taken(folder, name)
        if fmt is None:
            why = (f"could not be checked within the limits ({unchecked[i].reason})" if i in unchecked else
                   "not a document the archive can read (PDF, Word, PowerPoint, OpenDocument text, plain text "
                   "or a JPEG, PNG or TIFF image)")
            out.append(Inspection(name=name, size=size, sha256=shas[i], format=None, refused=why,
                                  copies=copies, clash=clash))
            continue
        read = reads[i]
        if isinstance(read, _Read):
            result, doc, warnings = read.result, read.document, read.warnings
        else:  # the worker was stopped (time, memory) or died: what the name says, without its text
            result = read
            doc, warnings = _describe(context, name, None, read.reason, size)
        problem = None if isinstance(result, Extraction) else result.reason
        out.append(Inspection(name=name, size=size, sha256=shas[i], format=fmt, problem=problem,
                              document=doc, warnings=warnings, copies=copies, clash=clash,
                              sources=dict(doc.sources),
                              preview=preview_of(result.pages) if isinstance(result, Extraction) else ""))
    return out
