"""The Whoosh index folder: its schema stamp, opening it whole, and swapping in a rebuild."""
from __future__ import annotations

import gc
import shutil
import traceback
import warnings
from pathlib import Path

from whoosh import index as whoosh_index

from ..errors import IndexUnavailable
from .schema import SCHEMA_VERSION, build_schema

WHOOSH_DIR = "whoosh"
STAMP_FILE = "arkiv-schema-version"
NO_INDEX_YET = "there is no index yet"


def whoosh_dir(index_dir: Path) -> Path:
    return Path(index_dir) / WHOOSH_DIR


def _has_index_files(wdir: Path) -> bool:
    # A segment is one MAIN_<id>.seg file, or (as written now) MAIN_<id>.trm, .pst, .col...
    try:
        return any(p.suffix == ".toc" or p.name.startswith("_MAIN_")
                   or (p.name.startswith("MAIN_") and p.name != "MAIN_WRITELOCK") for p in wdir.iterdir())
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
        stamp = (wdir / STAMP_FILE).read_text().strip()
    except OSError:
        stamp = None
    # The stamp is read before Whoosh reads the index: an older schema names its
    # analyzers by import paths that may no longer exist, and unpickling it would fail.
    if stamp is not None and stamp != str(SCHEMA_VERSION):
        return f"the index was built with schema version {stamp}; this version uses {SCHEMA_VERSION}"
    try:
        exists = whoosh_index.exists_in(str(wdir))
    except Exception as e:  # noqa: BLE001 - there is an index, but it cannot be read
        _forget(e)
        return None
    if not exists:
        return None if _has_index_files(wdir) else NO_INDEX_YET
    if stamp is None:
        return f"the index was built with schema version unknown; this version uses {SCHEMA_VERSION}"
    return None


def create_index(wdir: Path, chain: str):
    """Make an empty index in `wdir` with the schema of analysis `chain`, and stamp it."""
    wdir.mkdir(parents=True, exist_ok=True)
    ix = whoosh_index.create_in(str(wdir), build_schema(chain))
    (wdir / STAMP_FILE).write_text(f"{SCHEMA_VERSION}\n")
    return ix


def _forget(e: BaseException) -> None:
    """Drop what a failed Whoosh open left half-open (it does not close its files on errors)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        traceback.clear_frames(e.__traceback__)
        gc.collect()


def open_checked(index_dir: Path):
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


def finish_interrupted_swap(index_dir: Path) -> None:
    """Put right what a rebuild killed while swapping folders left behind.

    `swap_in` renames live -> .old, then .new -> live: a kill in between leaves no
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


def swap_in(index_dir: Path, new_dir: Path) -> None:
    live = whoosh_dir(index_dir)
    old = index_dir / (WHOOSH_DIR + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if live.exists():
        live.rename(old)
    new_dir.rename(live)
    shutil.rmtree(old, ignore_errors=True)
