"""Bring the index up to date with the archive folder, incrementally."""
from __future__ import annotations

import hashlib
import logging
import multiprocessing
import shutil
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Callable, Iterable

from whoosh import index as whoosh_index

from .config import ARCHIVE_FILE, MEETING_FILE, Sidecar, bare_meeting, load_archive_config, \
    load_meeting, load_sidecar, sidecar_path
from .errors import ConfigError, ExtractionError, IndexUnavailable
from .extract import EXTRACTOR_VERSION, extract
from .metadata import describe
from .models import ArchiveConfig, Extraction, IndexReport, Meeting, Problem
from .records import index_fields
from .scan import ScannedFile, scan_archive
from .schema import SCHEMA_VERSION, build_schema
from .store import FileState, TextCache, file_sha256, load_state, save_state, write_lock

WHOOSH_DIR = "whoosh"
STAMP_FILE = "arkiv-schema-version"
# Bump when metadata rules change: every document is described again (from cached text).
METADATA_VERSION = 1

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class IndexSettings:
    archive: Path
    index_dir: Path
    jobs: int = 1
    rebuild: bool = False
    lock_timeout: float = 60.0
    chain: str = "swedish"  # the analysis chain for a new index (see schema.CHAINS)
    today: date | None = None  # for tests; defaults to the real today


def whoosh_dir(index_dir: Path) -> Path:
    return Path(index_dir) / WHOOSH_DIR


def schema_problem(index_dir: Path) -> str | None:
    """Say why the index at `index_dir` cannot be used as it is, or None if it can."""
    wdir = whoosh_dir(index_dir)
    if not whoosh_index.exists_in(str(wdir)):
        return "there is no index yet"
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


def _extract_job(path: str) -> Extraction | tuple[str, str]:
    # pypdf logs every repaired oddity; our report already says what matters.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        return extract(Path(path))
    except ExtractionError as e:
        return e.reason, e.detail
    except Exception as e:  # a bug in an extractor costs this file, not the run
        return "corrupt", f"{type(e).__name__}: {e}"


def _run_extractions(paths: list[Path], jobs: int, progress: Progress | None,
                     labels: list[str]) -> Iterable[tuple[int, Extraction | tuple[str, str]]]:
    total = len(paths)
    if jobs <= 1 or total < 2:
        for i, p in enumerate(paths):
            if progress:
                progress(i, total, labels[i])
            yield i, _extract_job(str(p))
        return
    # forkserver: forking a process that may hold threads (a web server) is unsafe.
    ctx = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx) as pool:
        for i, result in enumerate(pool.map(_extract_job, [str(p) for p in paths], chunksize=4)):
            if progress:
                progress(i, total, labels[i])
            yield i, result


def _stat_sig(path: Path) -> str:
    try:
        st = path.stat()
        return f"{st.st_size}:{st.st_mtime_ns}"
    except OSError:
        return "-"


class _Describer:
    """Load each meeting once and turn an extraction into a Document."""

    def __init__(self, root: Path, config: ArchiveConfig, today: date, report: IndexReport):
        self.root, self.config, self.today, self.report = root, config, today, report
        self._meetings: dict[str, Meeting | None] = {}
        self.config_sig = hashlib.sha256(
            (root / ARCHIVE_FILE).read_bytes() + f"|{METADATA_VERSION}".encode()).hexdigest()[:16]

    def meta_sig(self, f: ScannedFile) -> str:
        meeting_sig = _stat_sig(self.root / f.meeting_folder / MEETING_FILE) if f.meeting_folder else "-"
        return f"{self.config_sig}|{_stat_sig(sidecar_path(f.path))}|{meeting_sig}"

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

    def describe(self, f: ScannedFile, result: Extraction | tuple[str, str]):
        try:
            sidecar = load_sidecar(f.path)
        except ConfigError as e:
            self.report.warnings.append(Problem(f.id + ".toml", f"ignored: {e}"))
            sidecar = Sidecar()
        extraction = result if isinstance(result, Extraction) else None
        status = "ok" if extraction else result[0]
        doc, warnings = describe(f.id, f.group, extraction, sidecar, self.meeting(f.meeting_folder),
                                 self.config.themes, self.today, status=status, size=f.size)
        # An unreadable file is reported as failed; more about it would be noise.
        warnings = [*extraction.warnings, *warnings] if extraction else []
        self.report.warnings.extend(Problem(f.id, w) for w in warnings)
        return doc


def update_index(settings: IndexSettings, progress: Progress | None = None,
                 on_wait: Callable[[], None] | None = None) -> IndexReport:
    """Index what changed in the archive since the last run; return what was done."""
    root = Path(settings.archive)
    index_dir = Path(settings.index_dir)
    config = load_archive_config(root)
    report = IndexReport()
    scan = scan_archive(root, config)
    report.warnings.extend(scan.warnings)
    today = settings.today or date.today()
    describer = _Describer(root, config, today, report)
    cache = TextCache(index_dir, EXTRACTOR_VERSION)

    with write_lock(index_dir, settings.lock_timeout, on_wait):
        problem = schema_problem(index_dir)
        rebuild = settings.rebuild or problem is not None
        if settings.rebuild:
            report.rebuilt_because = "asked for with --rebuild"
        elif problem and problem != "there is no index yet":
            report.rebuilt_because = problem
        if not rebuild:
            try:
                ix = whoosh_index.open_dir(str(whoosh_dir(index_dir)))
            except Exception as e:
                raise IndexUnavailable(
                    f"the index in {index_dir} cannot be opened ({type(e).__name__}: {e}); "
                    "run `arkiv index --rebuild` to build it again from the archive") from e
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
                st.status = old.status
                if old.status == "ok":
                    report.unchanged += 1
                else:  # still unreadable: keep saying so until someone acts
                    report.failed.append(Problem(i, old.status))
        moved_from = {old for old, _ in report.moved}
        report.removed = [i for i in removed if i not in moved_from]
        if rebuild and previous:
            # Files the last index knew are re-indexed, not new to the archive.
            for i in [i for i in report.added if i in previous]:
                report.added.remove(i)
                report.updated.append(i)

        # 2. Extract what the text cache does not know yet.
        results: dict[str, Extraction | tuple[str, str]] = {}
        need = []
        for i in todo:
            cached = cache.get(current[i].sha256)
            if cached is None:
                need.append(i)
            else:
                results[i] = cached
        for n, result in _run_extractions([files[i].path for i in need], settings.jobs, progress, need):
            results[need[n]] = result
            cache.put(current[need[n]].sha256, result)
        if progress:
            progress(len(need), len(need), "")

        # 3. Write: a fresh index for a rebuild, in place otherwise.
        # In a rebuild nothing is known, so `todo` holds every file.
        if rebuild:
            new_dir = index_dir / (WHOOSH_DIR + ".new")
            shutil.rmtree(new_dir, ignore_errors=True)
            ix = _create_index(new_dir, settings.chain)
        writer = ix.writer(limitmb=256)
        try:
            if not rebuild:
                for i in [*report.removed, *moved_from]:
                    writer.delete_by_term("id", i)
            for i in todo:
                result = results[i]
                doc = describer.describe(files[i], result)
                current[i].status = doc.status
                if doc.status != "ok":
                    report.failed.append(Problem(i, doc.status))
                    for bucket in (report.added, report.updated):
                        if i in bucket:
                            bucket.remove(i)
                pages = result.pages if isinstance(result, Extraction) else ()
                writer.update_document(**index_fields(doc, current[i].sha256, pages, ix.schema.names()))
            writer.commit()
        except BaseException:
            writer.cancel()
            raise
        if rebuild:
            _swap_in(index_dir, new_dir)
        save_state(index_dir, current)
    return report


def _swap_in(index_dir: Path, new_dir: Path) -> None:
    live = whoosh_dir(index_dir)
    old = index_dir / (WHOOSH_DIR + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if live.exists():
        live.rename(old)
    new_dir.rename(live)
    shutil.rmtree(old, ignore_errors=True)
