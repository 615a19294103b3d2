"""Bring the index up to date with the archive folder, incrementally."""
from __future__ import annotations

import hashlib
import os
import shutil
import threading
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import Callable, Iterable

from whoosh.index import LockError

from ..config import ARCHIVE_FILE, MEETING_FILE, Sidecar, bare_meeting, load_archive_config, \
    load_meeting, load_sidecar
from ..errors import ConfigError, IndexLocked
from ..extract import DEFAULT_MAX_BYTES, EXTRACTOR_VERSION, GiB, ExtractionPool, OcrOptions, PoolLimits, \
    extract_file, ocr_unavailable
from ..metadata import describe
from ..models import LIMIT_REASONS, READ_STATUSES, UNREADABLE_SCAN, ArchiveConfig, Document, Extraction, Failure, IndexReport, \
    Meeting, Problem, Result
from ..scan import ScannedFile, scan_archive
from . import folder
from .records import index_fields
from .store import FileState, TextCache, file_sha256, load_state, save_state, write_lock

# Bump when metadata rules change: every document is described again (from cached text).
# 2: agenda items, attendees and municipalities from the text (indexer.minutes, indexer.places).
# 3: Markdown minutes' items read from their source, not from the rendered text.
METADATA_VERSION = 3
PARALLEL_WRITE_MIN = 2000  # below this, starting writer processes costs more than it saves

Progress = Callable[[int, int, str], None]
# Warnings that say a file is pictures of pages from which no text came (see extract._util).
NO_TEXT_SCANNED = "no text (scanned;"
OCR_OFF_VALUES = frozenset({"0", "off", "false", "no", "nej", "av"})


def ocr_setting() -> bool:
    """Whether OCR is on: $ARKIV_OCR (off, 0, false or no turns it off); on by default."""
    return os.environ.get("ARKIV_OCR", "").strip().lower() not in OCR_OFF_VALUES


@dataclass(frozen=True)
class IndexSettings:
    archive: Path
    index_dir: Path
    jobs: int = 1
    rebuild: bool = False
    lock_timeout: float = 60.0
    # Limits for reading one file (see indexer.extract.pool): seconds, scaled by page
    # count, address space per worker process, file size.
    timeout_base: float = 30.0
    timeout_per_page: float = 0.5
    timeout_per_ocr_page: float = 30.0
    memory_limit: int | None = 2 * GiB
    max_bytes: int = DEFAULT_MAX_BYTES
    chain: str = "swedish"  # the analysis chain for a new index (see schema.CHAINS)
    today: date | None = None  # for tests; defaults to the real today
    # Read scanned PDF pages and images with Tesseract (`arkiv index --no-ocr`, ARKIV_OCR=off).
    ocr: bool = field(default_factory=ocr_setting)


def pool_limits(settings: IndexSettings) -> PoolLimits:
    return PoolLimits(timeout_base=settings.timeout_base, timeout_per_page=settings.timeout_per_page,
                      timeout_per_ocr_page=settings.timeout_per_ocr_page, memory_limit=settings.memory_limit,
                      max_bytes=settings.max_bytes)


def ocr_can_run(settings: IndexSettings) -> bool:
    return settings.ocr and ocr_unavailable() is None


def _run_extractions(paths: list[Path], settings: IndexSettings, progress: Progress | None,
                     labels: list[str]) -> Iterable[tuple[int, Result]]:
    """Read `paths` in worker processes, yielding (position, result) as each finishes.

    Always in workers, even one file with --jobs 1: the time and memory limits hold
    only there, and an upload through the web app is exactly one file read in the
    web server's process otherwise.  Starting a worker costs ~0.3 s, paid once per run.
    """
    total = len(paths)
    if not total:
        return
    finished = 0

    def on_ocr(i: int, page: int, pages: int) -> None:
        if progress:
            progress(finished, total, f"OCR {min(page + 1, pages)}/{pages} {labels[i]}")

    target = partial(extract_file, ocr=OcrOptions() if settings.ocr else None)
    with ExtractionPool(min(settings.jobs, total), pool_limits(settings), target) as pool:
        for done, (i, result) in enumerate(pool.run(paths, on_ocr=on_ocr)):
            finished = done + 1
            if progress:
                progress(done, total, labels[i])
            yield i, result


class _Describer:
    """Load each meeting once and turn an extraction into a Document."""

    def __init__(self, root: Path, config: ArchiveConfig, today: date, report: IndexReport):
        self.root, self.config, self.today, self.report = root, config, today, report
        self._meetings: dict[str, Meeting | None] = {}
        self.config_sig = hashlib.sha256(
            (root / ARCHIVE_FILE).read_bytes() + f"|{METADATA_VERSION}".encode()).hexdigest()[:16]

    def meta_sig(self, f: ScannedFile) -> str:
        return f"{self.config_sig}|{f.sidecar_sig}|{f.meeting_sig}"

    def meeting(self, folder: str | None) -> Meeting | None:
        if folder is None:
            return None
        if folder not in self._meetings:
            try:
                self._meetings[folder] = load_meeting(self.root, folder)
            except ConfigError as e:
                self.report.warnings.append(Problem(f"{folder}/{MEETING_FILE}", f"ignored: {e}"))
                self._meetings[folder] = bare_meeting(folder)
        return self._meetings[folder]

    def describe(self, f: ScannedFile, result: Result) -> tuple[Document, list[str]]:
        try:
            sidecar = load_sidecar(f.path)
        except ConfigError as e:
            self.report.warnings.append(Problem(f.id + ".toml", f"ignored: {e}"))
            sidecar = Sidecar()
        extraction = result if isinstance(result, Extraction) else None
        status = "ok" if extraction else result.reason
        if extraction and any(w.startswith("partial") for w in extraction.warnings):
            status = "partial"
        if extraction and any(w.startswith(NO_TEXT_SCANNED) for w in extraction.warnings):
            status = UNREADABLE_SCAN
        # The day the file arrived here: a creation date in its properties that says the same
        # is the scanner's or the upload's, not the document's.
        arrived = datetime.fromtimestamp(f.mtime_ns / 1e9).date()
        doc, warnings = describe(f.id, f.group, extraction, sidecar, self.meeting(f.meeting_folder),
                                 self.config.themes, self.today, status=status, size=f.size, file_day=arrived)
        # An unreadable file is reported as failed; more about it would be noise.
        warnings = [*extraction.warnings, *warnings] if extraction else []
        self.report.warnings.extend(Problem(f.id, w) for w in warnings)
        return doc, warnings


@dataclass
class _Changes:
    """What step 1 found: the files on disk now and which of them the index must (re)read."""

    current: dict[str, FileState] = field(default_factory=dict)
    files: dict[str, ScannedFile] = field(default_factory=dict)
    todo: list[str] = field(default_factory=list)
    moved_from: set[str] = field(default_factory=set)


def update_index(settings: IndexSettings, progress: Progress | None = None,
                 on_wait: Callable[[], None] | None = None) -> IndexReport:
    """Index what changed in the archive since the last run; return what was done."""
    root = Path(settings.archive)
    index_dir = Path(settings.index_dir)
    load_archive_config(root)  # a broken arkiv.toml is said at once, not after waiting for the lock
    report = IndexReport()

    with write_lock(index_dir, settings.lock_timeout, on_wait):
        # Look at the archive only with the lock held: a run that waited for another must
        # see what that one indexed (a file uploaded meanwhile), or it would remove it again.
        config = load_archive_config(root)
        scan = scan_archive(root, config)
        report.warnings.extend(scan.warnings)
        describer = _Describer(root, config, settings.today or date.today(), report)
        folder.finish_interrupted_swap(index_dir)
        problem = folder.schema_problem(index_dir)
        rebuild = settings.rebuild or problem is not None
        if settings.rebuild:
            report.rebuilt_because = "asked for with --rebuild"
        elif problem and problem != folder.NO_INDEX_YET:
            report.rebuilt_because = problem
        ix = None if rebuild else folder.open_checked(index_dir)
        previous = load_state(index_dir)

        ocr_now = ocr_can_run(settings)
        changes = _what_changed(scan.files, previous, {} if rebuild else previous, describer, report, ocr_now)
        if rebuild and previous:
            # Files the last index knew are re-indexed, not new to the archive.
            report.updated += [i for i in report.added if i in previous]
            report.added = [i for i in report.added if i not in previous]
        fresh: list[Result] = []
        results = _extract(changes, TextCache(index_dir, EXTRACTOR_VERSION), settings, progress, fresh)
        _ocr_notices(fresh, settings, report)
        if rebuild:
            new_dir = index_dir / (folder.WHOOSH_DIR + ".new")
            shutil.rmtree(new_dir, ignore_errors=True)
            _write(folder.create_index(new_dir, settings.chain), changes, results, describer, report,
                   settings, fresh=True)
            folder.swap_in(index_dir, new_dir)
        else:
            _write(ix, changes, results, describer, report, settings, fresh=False)
        if changes.todo or changes.current != previous:  # nothing changed: nothing to write
            save_state(index_dir, changes.current)
    return report


def _ocr_notices(results: Iterable[Result], settings: IndexSettings, report: IndexReport) -> None:
    """Count the pages OCR read in this run; say once, for the run, that scans were left unread and why."""
    pending = 0
    for r in results:
        if isinstance(r, Extraction):
            report.ocr_pages += len(r.ocr_pages)
            pending += r.ocr_pending
    if not pending:
        return
    files = f"{pending} file{'s' if pending > 1 else ''} with scanned pages"
    if not settings.ocr:
        report.notices.append(f"OCR is turned off: {files} indexed without their text")
    else:
        report.notices.append(f"OCR is not available ({ocr_unavailable()}): {files} indexed without "
                              "their text; they are read once OCR can run")


def _what_changed(scanned: list[ScannedFile], previous: dict[str, FileState], known: dict[str, FileState],
                  describer: _Describer, report: IndexReport, ocr_now: bool = False) -> _Changes:
    """Step 1: what is on disk now, and which contents are new to the index.

    `previous` is the last run's state (its hashes spare re-reading unchanged files);
    `known` is what the index being written holds: nothing, for a rebuild.  With
    `ocr_now`, files whose scanned pages were left unread are read again.
    """
    changes = _Changes()
    current = changes.current
    for f in scanned:
        old = previous.get(f.id)
        if old and old.size == f.size and old.mtime_ns == f.mtime_ns:
            sha = old.sha256
        else:
            try:
                sha = file_sha256(f.path)
            except OSError as e:
                report.failed.append(Problem(f.id, f"cannot be read ({e.strerror})"))
                continue
        current[f.id] = FileState(f.size, f.mtime_ns, sha, describer.meta_sig(f))
    changes.files = {f.id: f for f in scanned if f.id in current}

    removed = [i for i in known if i not in current]
    removed_by_sha: dict[str, list[str]] = {}
    for i in removed:
        removed_by_sha.setdefault(known[i].sha256, []).append(i)
    for i, st in current.items():
        old = known.get(i)
        if old is None:
            gone = removed_by_sha.get(st.sha256)
            if gone:
                report.moved.append((gone.pop(0), i))
            else:
                report.added.append(i)
            changes.todo.append(i)
        elif old.sha256 != st.sha256 or old.meta_sig != st.meta_sig or (ocr_now and old.ocr_pending):
            report.updated.append(i)
            changes.todo.append(i)
        else:
            st.status, st.detail, st.warnings, st.ocr_pending = old.status, old.detail, old.warnings, old.ocr_pending
            if old.status in READ_STATUSES:
                report.unchanged += 1
            else:  # still unreadable: keep saying so until someone acts
                report.failed.append(Problem(i, old.status))
    changes.moved_from = {old for old, _ in report.moved}
    report.removed = [i for i in removed if i not in changes.moved_from]
    return changes


def _extract(changes: _Changes, cache: TextCache, settings: IndexSettings,
             progress: Progress | None, fresh: list[Result] | None = None) -> dict[str, Result]:
    """Step 2: read what the text cache does not know yet (those readings are added to `fresh`)."""
    results: dict[str, Result] = {}
    need = []
    for i in changes.todo:
        cached = cache.get(changes.current[i].sha256)
        if cached is None:
            need.append(i)
        else:
            results[i] = cached
    for n, result in _run_extractions([changes.files[i].path for i in need], settings, progress, need):
        results[need[n]] = result
        if fresh is not None:
            fresh.append(result)
        if not (isinstance(result, Failure) and result.reason in LIMIT_REASONS):
            # A timeout or memory limit depends on the limits and the machine's load:
            # tried again by a --rebuild, or when the file changes.
            cache.put(changes.current[need[n]].sha256, result)
    if progress:
        progress(len(need), len(need), "")
    return results


def _write(ix, changes: _Changes, results: dict[str, Result], describer: _Describer, report: IndexReport,
           settings: IndexSettings, fresh: bool) -> None:
    """Step 3: describe each document and commit them: into a fresh index for a rebuild, in place otherwise.

    In a rebuild nothing is known, so `changes.todo` holds every file.
    """
    try:
        # Our write lock is held, so Whoosh's own lock (an flock too: it dies with a
        # killed process) is free unless something else writes without ours.
        writer = ix.writer(**_writer_options(settings, fresh, len(changes.todo)))
    except LockError as e:
        raise IndexLocked(f"the index in {settings.index_dir} is locked by another program; "
                          "try again when it is done") from e
    try:
        if not fresh:
            for i in [*report.removed, *changes.moved_from]:
                writer.delete_by_term("id", i)
        for i in changes.todo:
            result = results[i]
            doc, warnings = describer.describe(changes.files[i], result)
            st = changes.current[i]
            st.status, st.warnings = doc.status, warnings
            st.ocr_pending = isinstance(result, Extraction) and result.ocr_pending
            st.detail = result.detail if isinstance(result, Failure) else \
                next((w for w in warnings if w.startswith(("partial", NO_TEXT_SCANNED))), "")
            if doc.status not in READ_STATUSES:
                report.failed.append(Problem(i, doc.status))
            pages = result.pages if isinstance(result, Extraction) else ()
            # A fresh index has nothing to replace: adding skips a lookup per document.
            (writer.add_document if fresh else writer.update_document)(
                **index_fields(doc, st.sha256, pages, ix.schema.names()))
        writer.commit()
    except BaseException:
        writer.cancel()
        raise
    # A file that could not be read counts as failed, not as added or updated.
    unread = {p.id for p in report.failed}
    report.added = [i for i in report.added if i not in unread]
    report.updated = [i for i in report.updated if i not in unread]


def _writer_options(settings: IndexSettings, fresh: bool, count: int) -> dict:
    """Whoosh writer settings: a large fresh build analyses in `jobs` processes at once."""
    # Segments as separate files, not one compound file: Whoosh reads a compound file's
    # parts into memory for every reader (BytesIO of an mmap slice), so each searcher held
    # its own copy of the postings and term tables (257 MB a searcher on 44k pages; separate
    # files: none, the page cache is shared by every searcher and worker).
    options = {"limitmb": 256, "timeout": settings.lock_timeout, "compound": False}
    # Whoosh's multi-process writer forks; forking a process with threads (a web
    # server) is unsafe, so only a single-threaded indexer uses it.
    if fresh and settings.jobs > 1 and count >= PARALLEL_WRITE_MIN and threading.active_count() == 1:
        options.update(procs=settings.jobs, multisegment=True)
    return options
