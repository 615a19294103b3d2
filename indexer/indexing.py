"""Bring the index up to date with the archive folder, incrementally."""
from __future__ import annotations

import gc
import hashlib
import shutil
import threading
import traceback
import warnings
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Callable, Iterable

from whoosh import index as whoosh_index
from whoosh.index import LockError

from .config import ARCHIVE_FILE, MEETING_FILE, Sidecar, bare_meeting, load_archive_config, \
    load_meeting, load_sidecar
from .errors import ConfigError, IndexLocked, IndexMissing, IndexUnavailable
from .extract import DEFAULT_MAX_BYTES, EXTRACTOR_VERSION
from .metadata import describe
from .models import ArchiveConfig, Document, Extraction, IndexReport, Meeting, Problem
from .pool import GiB, LIMIT_REASONS, ExtractionPool, PoolLimits
from .records import index_fields
from .scan import ScannedFile, scan_archive
from .schema import SCHEMA_VERSION, build_schema
from .store import STATE_FILE, FileState, TextCache, file_sha256, load_state, save_state, write_lock

WHOOSH_DIR = "whoosh"
STAMP_FILE = "arkiv-schema-version"
# Bump when metadata rules change: every document is described again (from cached text).
METADATA_VERSION = 1

Progress = Callable[[int, int, str], None]

# What became of a file, stored with its document and in state.json.  "partial":
# indexed, but some pages or slides could not be read; every other status but "ok"
# means the text could not be read and the document is findable by name and metadata.
STATUSES = ("ok", "partial", "empty", "encrypted", "corrupt", "timeout", "too large",
            "unsupported format", "too much memory")
READ_STATUSES = frozenset({"ok", "partial"})


@dataclass(frozen=True)
class IndexSettings:
    archive: Path
    index_dir: Path
    jobs: int = 1
    rebuild: bool = False
    lock_timeout: float = 60.0
    # Limits for reading one file (see indexer.pool): seconds, scaled by page count,
    # address space per worker process, file size.
    timeout_base: float = 30.0
    timeout_per_page: float = 0.5
    memory_limit: int | None = 2 * GiB
    max_bytes: int = DEFAULT_MAX_BYTES
    chain: str = "swedish"  # the analysis chain for a new index (see schema.CHAINS)
    today: date | None = None  # for tests; defaults to the real today


def whoosh_dir(index_dir: Path) -> Path:
    return Path(index_dir) / WHOOSH_DIR


def _has_index_files(wdir: Path) -> bool:
    try:
        return any(p.suffix in (".seg", ".toc") or p.name.startswith("_MAIN_") for p in wdir.iterdir())
    except OSError:
        return False


def schema_problem(index_dir: Path) -> str | None:
    """Say why the index at `index_dir` cannot be used as it is, or None if it can.

    A damaged index (unreadable table of contents, segments without one) answers
    None: opening it then fails with the reason, which callers report with what to
    do (`arkiv index --rebuild`), so a broken index is never replaced unasked.
    """
    wdir = whoosh_dir(index_dir)
    try:
        exists = whoosh_index.exists_in(str(wdir))
    except Exception as e:  # noqa: BLE001 - there is an index, but it cannot be read
        _forget(e)
        return None
    if not exists:
        return None if _has_index_files(wdir) else "there is no index yet"
    try:
        stamp = (wdir / STAMP_FILE).read_text().strip()
    except OSError:
        stamp = "unknown"
    if stamp != str(SCHEMA_VERSION):
        return f"the index was built with schema version {stamp}; this version uses {SCHEMA_VERSION}"
    return None


def _create_index(wdir: Path, chain: str):
    wdir.mkdir(parents=True, exist_ok=True)
    ix = whoosh_index.create_in(str(wdir), build_schema(chain))
    (wdir / STAMP_FILE).write_text(f"{SCHEMA_VERSION}\n")
    return ix


def pool_limits(settings: IndexSettings) -> PoolLimits:
    return PoolLimits(timeout_base=settings.timeout_base, timeout_per_page=settings.timeout_per_page,
                      memory_limit=settings.memory_limit, max_bytes=settings.max_bytes)


def _run_extractions(paths: list[Path], settings: IndexSettings, progress: Progress | None,
                     labels: list[str]) -> Iterable[tuple[int, Extraction | tuple[str, str]]]:
    """Read `paths` in worker processes, yielding (position, result) as each finishes.

    Always in workers, even one file with --jobs 1: the time and memory limits hold
    only there, and an upload through the web app is exactly one file read in the
    web server's process otherwise.  Starting a worker costs ~0.3 s, paid once per run.
    """
    total = len(paths)
    if not total:
        return
    with ExtractionPool(min(settings.jobs, total), pool_limits(settings)) as pool:
        for done, (i, result) in enumerate(pool.run(paths)):
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

    def describe(self, f: ScannedFile, result: Extraction | tuple[str, str]) -> tuple[Document, list[str]]:
        try:
            sidecar = load_sidecar(f.path)
        except ConfigError as e:
            self.report.warnings.append(Problem(f.id + ".toml", f"ignored: {e}"))
            sidecar = Sidecar()
        extraction = result if isinstance(result, Extraction) else None
        status = "ok" if extraction else result[0]
        if extraction and any(w.startswith("partial") for w in extraction.warnings):
            status = "partial"
        doc, warnings = describe(f.id, f.group, extraction, sidecar, self.meeting(f.meeting_folder),
                                 self.config.themes, self.today, status=status, size=f.size)
        # An unreadable file is reported as failed; more about it would be noise.
        warnings = [*extraction.warnings, *warnings] if extraction else []
        self.report.warnings.extend(Problem(f.id, w) for w in warnings)
        return doc, warnings


def update_index(settings: IndexSettings, progress: Progress | None = None,
                 on_wait: Callable[[], None] | None = None) -> IndexReport:
    """Index what changed in the archive since the last run; return what was done."""
    root = Path(settings.archive)
    index_dir = Path(settings.index_dir)
    load_archive_config(root)  # a broken arkiv.toml is said at once, not after waiting for the lock
    report = IndexReport()
    today = settings.today or date.today()
    cache = TextCache(index_dir, EXTRACTOR_VERSION)

    with write_lock(index_dir, settings.lock_timeout, on_wait):
        # Look at the archive only with the lock held: a run that waited for another must
        # see what that one indexed (a file uploaded meanwhile), or it would remove it again.
        config = load_archive_config(root)
        scan = scan_archive(root, config)
        report.warnings.extend(scan.warnings)
        describer = _Describer(root, config, today, report)
        _finish_interrupted_swap(index_dir)
        problem = schema_problem(index_dir)
        rebuild = settings.rebuild or problem is not None
        if settings.rebuild:
            report.rebuilt_because = "asked for with --rebuild"
        elif problem and problem != "there is no index yet":
            report.rebuilt_because = problem
        if not rebuild:
            ix = _open_checked(index_dir)
        previous = load_state(index_dir)
        known = {} if rebuild else previous

        # 1. What is on disk now, and which contents are new to the index.
        current: dict[str, FileState] = {}
        for f in scan.files:
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
        files = {f.id: f for f in scan.files if f.id in current}

        removed = [i for i in known if i not in current]
        removed_by_sha = {}
        for i in removed:
            removed_by_sha.setdefault(known[i].sha256, []).append(i)
        todo: list[str] = []
        for i, st in current.items():
            old = known.get(i)
            if old is None:
                gone = removed_by_sha.get(st.sha256)
                if gone:
                    report.moved.append((gone.pop(0), i))
                else:
                    report.added.append(i)
                todo.append(i)
            elif old.sha256 != st.sha256 or old.meta_sig != st.meta_sig:
                report.updated.append(i)
                todo.append(i)
            else:
                st.status, st.detail, st.warnings = old.status, old.detail, old.warnings
                if old.status in READ_STATUSES:
                    report.unchanged += 1
                else:  # still unreadable: keep saying so until someone acts
                    report.failed.append(Problem(i, old.status))
        moved_from = {old for old, _ in report.moved}
        report.removed = [i for i in removed if i not in moved_from]
        if rebuild and previous:
            # Files the last index knew are re-indexed, not new to the archive.
            report.updated += [i for i in report.added if i in previous]
            report.added = [i for i in report.added if i not in previous]

        # 2. Extract what the text cache does not know yet.
        results: dict[str, Extraction | tuple[str, str]] = {}
        need = []
        for i in todo:
            cached = cache.get(current[i].sha256)
            if cached is None:
                need.append(i)
            else:
                results[i] = cached
        for n, result in _run_extractions([files[i].path for i in need], settings, progress, need):
            results[need[n]] = result
            if not (isinstance(result, tuple) and result[0] in LIMIT_REASONS):
                # A timeout or memory limit depends on the limits and the machine's load:
                # tried again by a --rebuild, or when the file changes.
                cache.put(current[need[n]].sha256, result)
        if progress:
            progress(len(need), len(need), "")

        # 3. Write: a fresh index for a rebuild, in place otherwise.
        # In a rebuild nothing is known, so `todo` holds every file.
        if rebuild:
            new_dir = index_dir / (WHOOSH_DIR + ".new")
            shutil.rmtree(new_dir, ignore_errors=True)
            ix = _create_index(new_dir, settings.chain)
        try:
            # Our write lock is held, so Whoosh's own lock (an flock too: it dies with a
            # killed process) is free unless something else writes without ours.
            writer = ix.writer(**_writer_options(settings, rebuild, len(todo)))
        except LockError as e:
            raise IndexLocked(f"the index in {index_dir} is locked by another program; "
                              "try again when it is done") from e
        try:
            if not rebuild:
                for i in [*report.removed, *moved_from]:
                    writer.delete_by_term("id", i)
            for i in todo:
                result = results[i]
                doc, warnings = describer.describe(files[i], result)
                st = current[i]
                st.status, st.warnings = doc.status, warnings
                st.detail = result[1] if isinstance(result, tuple) else \
                    next((w for w in warnings if w.startswith("partial")), "")
                if doc.status not in READ_STATUSES:
                    report.failed.append(Problem(i, doc.status))
                pages = result.pages if isinstance(result, Extraction) else ()
                # A fresh index has nothing to replace: adding skips a lookup per document.
                (writer.add_document if rebuild else writer.update_document)(
                    **index_fields(doc, current[i].sha256, pages, ix.schema.names()))
            writer.commit()
            # A file that could not be read counts as failed, not as added or updated.
            unread = {p.id for p in report.failed}
            report.added = [i for i in report.added if i not in unread]
            report.updated = [i for i in report.updated if i not in unread]
        except BaseException:
            writer.cancel()
            raise
        if rebuild:
            _swap_in(index_dir, new_dir)
        if todo or current != previous:  # nothing changed: nothing to write
            save_state(index_dir, current)
    return report


PARALLEL_WRITE_MIN = 2000  # below this, starting writer processes costs more than it saves


def _writer_options(settings: IndexSettings, rebuild: bool, count: int) -> dict:
    """Whoosh writer settings: a large fresh build analyses in `jobs` processes at once."""
    options = {"limitmb": 256, "timeout": settings.lock_timeout}
    # Whoosh's multi-process writer forks; forking a process with threads (a web
    # server) is unsafe, so only a single-threaded indexer uses it.
    if rebuild and settings.jobs > 1 and count >= PARALLEL_WRITE_MIN and threading.active_count() == 1:
        options.update(procs=settings.jobs, multisegment=True)
    return options


def _forget(e: BaseException) -> None:
    """Drop what a failed Whoosh open left half-open (it does not close its files on errors)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        traceback.clear_frames(e.__traceback__)
        gc.collect()


def _open_checked(index_dir: Path):
    """Open the live index and every segment in it, or say what to do."""
    try:
        ix = whoosh_index.open_dir(str(whoosh_dir(index_dir)))
        with ix.reader() as reader:  # opens each segment's files
            reader.doc_count_all()
            for _ in reader.iter_docs():
                break
        return ix
    except Exception as e:  # noqa: BLE001 - whatever Whoosh says, the index is unusable
        message = (f"the index in {index_dir} cannot be opened ({type(e).__name__}: {e}); "
                   "run `arkiv index --rebuild` to build it again from the archive")
        _forget(e)
    raise IndexUnavailable(message)


def _finish_interrupted_swap(index_dir: Path) -> None:
    """Put right what a rebuild killed while swapping folders left behind.

    `_swap_in` renames live -> .old, then .new -> live: a kill in between leaves no
    live index, a complete new one and the old one.  Anything else left over is
    an unfinished rebuild (or its debris) and goes.
    """
    live = whoosh_dir(index_dir)
    new = index_dir / (WHOOSH_DIR + ".new")
    old = index_dir / (WHOOSH_DIR + ".old")
    if not live.exists():
        if old.exists() and new.exists():
            new.rename(live)  # the new index was committed before the swap began
        elif old.exists():
            old.rename(live)
    shutil.rmtree(new, ignore_errors=True)
    shutil.rmtree(old, ignore_errors=True)


def _swap_in(index_dir: Path, new_dir: Path) -> None:
    live = whoosh_dir(index_dir)
    old = index_dir / (WHOOSH_DIR + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if live.exists():
        live.rename(old)
    new_dir.rename(live)
    shutil.rmtree(old, ignore_errors=True)


@dataclass(frozen=True)
class FileProblem(Problem):
    """A document whose status is not "ok": `reason` is the status, `detail` says more."""

    detail: str = ""


def problems(index_dir: Path) -> list[FileProblem]:
    """Every document whose status is not "ok", as the last completed run left them.

    Read from the index folder's state, so it answers at any time, even while
    another process writes the index.
    """
    index_dir = Path(index_dir)
    if not (index_dir / STATE_FILE).is_file():
        raise IndexMissing(f"there is no index in {index_dir} yet: run `arkiv index`")
    return [FileProblem(i, st.status, st.detail)
            for i, st in sorted(load_state(index_dir).items()) if st.status != "ok"]


def index_warnings(index_dir: Path) -> list[Problem]:
    """What the last runs noticed about the indexed files (no text, no date, ...)."""
    return [Problem(i, w) for i, st in sorted(load_state(Path(index_dir)).items()) for w in st.warnings]
