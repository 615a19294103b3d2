"""The index folder's own files: the state of the last run, the text cache, the write lock."""
from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable, Iterator

from ..atomic import write_bytes_atomic
from ..errors import IndexLocked, IndexMissing
from ..models import Extraction, Failure, Problem, Result

STATE_FILE = "state.json"
TEXTS_DIR = "texts"
LOCK_FILE = "write.lock"


@dataclass
class FileState:
    size: int
    mtime_ns: int
    sha256: str
    meta_sig: str
    status: str = "ok"  # see models.STATUSES
    detail: str = ""  # why, when the status is not "ok"
    warnings: list[str] = field(default_factory=list)  # what the last reading noticed
    # Scanned pages were left unread (OCR off or not installed): read again once OCR can run.
    ocr_pending: bool = False


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def load_state(index_dir: Path) -> dict[str, FileState]:
    path = Path(index_dir) / STATE_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {k: FileState(**v) for k, v in data["files"].items()}
    except (OSError, ValueError, KeyError, TypeError):
        # A missing or unreadable state only costs re-hashing: the index is rebuilt from the archive.
        return {}


def save_state(index_dir: Path, files: dict[str, FileState]) -> None:
    data = {"files": {k: vars(v) for k, v in sorted(files.items())}}
    write_bytes_atomic(Path(index_dir) / STATE_FILE, json.dumps(data, ensure_ascii=False).encode())


class TextCache:
    """Extracted text keyed by content hash, so unchanged bytes are never parsed twice."""

    def __init__(self, index_dir: Path, version: int):
        self.root = Path(index_dir) / TEXTS_DIR
        self.version = version

    def _path(self, sha: str) -> Path:
        return self.root / sha[:2] / f"{sha}.json"

    def get(self, sha: str) -> Result | None:
        """Return the cached Extraction, a cached Failure, or None."""
        try:
            data = json.loads(self._path(sha).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if data.get("v") != self.version:
            return None
        if "error" in data:
            return Failure(data["error"], data.get("detail", ""))
        return Extraction(
            format=data["format"], pages=tuple(data["pages"]), title=data.get("title"),
            heading=data.get("heading"),
            created=date.fromisoformat(data["created"]) if data.get("created") else None,
            warnings=tuple(data.get("warnings", ())),
            layout=tuple(data.get("layout", ())), notes=tuple(data.get("notes", ())),
            ocr_pages=tuple(data.get("ocr_pages", ())), ocr_confidence=data.get("ocr_confidence"),
        )

    def put(self, sha: str, result: Result) -> None:
        """Keep `result` for these bytes; a reading with scanned pages left unread is not kept."""
        if isinstance(result, Extraction):
            if result.ocr_pending:
                # OCR was off or missing: OCR runs once it can, once per content, then never again.
                return
            data = {"v": self.version, "format": result.format, "pages": list(result.pages),
                    "title": result.title, "heading": result.heading,
                    "created": result.created.isoformat() if result.created else None,
                    "warnings": list(result.warnings), "ocr_pages": list(result.ocr_pages),
                    "ocr_confidence": result.ocr_confidence}
            if result.layout:
                data["layout"] = list(result.layout)
            if result.notes:
                data["notes"] = list(result.notes)
        else:
            data = {"v": self.version, "error": result.reason, "detail": result.detail}
        write_bytes_atomic(self._path(sha), json.dumps(data, ensure_ascii=False).encode(),
                           durable=False)  # a cache: a torn entry reads as missing

    def pages(self, sha: str) -> tuple[str, ...]:
        cached = self.get(sha) if sha else None
        return cached.pages if isinstance(cached, Extraction) else ()

    def text(self, sha: str) -> Extraction | None:
        """The cached Extraction (pages, layout, notes), or None."""
        cached = self.get(sha) if sha else None
        return cached if isinstance(cached, Extraction) else None


@contextmanager
def write_lock(index_dir: Path, timeout: float = 60.0,
               on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold the index's write lock; wait up to `timeout` seconds for another writer.

    An OS-level lock (flock) dies with its process, so a killed indexer never
    leaves a stale lock behind.
    """
    Path(index_dir).mkdir(parents=True, exist_ok=True)
    fd = os.open(Path(index_dir) / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        deadline = time.monotonic() + timeout
        waited = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as e:
                if e.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if not waited and on_wait:
                    on_wait()
                waited = True
                if time.monotonic() >= deadline:
                    raise IndexLocked(
                        f"another process has been writing the index for over {timeout:.0f} s; "
                        "try again when it is done") from None
                time.sleep(0.2)
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        yield
    finally:
        os.close(fd)


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
