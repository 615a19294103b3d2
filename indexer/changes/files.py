"""Safe moves inside the archive: resolve an id to its file, move without overwriting, lock.

Every change to the archive (upload, edit, move, trash, restore, import) goes
through these, so none of them can overwrite a file, follow a link out of the
archive or run at the same time as another change.
"""
from __future__ import annotations

import fcntl
import json
import os
import re
import unicodedata
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from ..atomic import fsync_dir, write_bytes_atomic
from ..config import Sidecar, label_problem, sidecar_path
from ..errors import AddError, ChangeError
from ..index import file_sha256, load_state
from ..models import ArchiveConfig
from ..paths import id_parts, unlinked_path
from ..scan import is_document_name

LOCK_FILE = ".arkiv-write.lock"


@contextmanager
def archive_lock(archive: Path) -> Iterator[None]:
    """Serialize changes to the archive's files (the web app's threads, the CLI, an import).

    An flock dies with its process: a killed writer leaves no stale lock.
    """
    fd = os.open(Path(archive) / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def check_id(doc_id: str) -> tuple[str, ...]:
    """The parts of a document id, or ChangeError when it could leave the archive."""
    parts = id_parts(doc_id)
    if parts is None:
        raise ChangeError(f"'{doc_id}' is not a document in the archive")
    return parts


def document_path(archive: Path, doc_id: str) -> Path:
    """The archived file `doc_id` names: a real file inside a group folder, never through a link."""
    path = unlinked_path(archive, check_id(doc_id))
    if path is None:
        raise ChangeError(f"{doc_id}: a symbolic link, not a file in the archive")
    if not path.is_file() or not is_document_name(path.name):
        raise ChangeError(f"{doc_id}: no such document in the archive")
    return path


def check_labels(config: ArchiveConfig, group: str | None = None, kind: str | None = None, themes=()) -> None:
    """ChangeError unless the archive knows the group, the document type and the themes."""
    problem = label_problem(config, group=group, kind=kind, themes=themes)
    if problem:
        raise ChangeError(problem)


# A file system allows 255 bytes a name; this leaves room for ".toml" (the sidecar)
# and "-9999" (a free name beside a taken one).
MAX_NAME_BYTES = 240
# Bidirectional controls make "gpj.exe" look like "exe.jpg"; look-alike slashes make
# a name look like a path.  Neither belongs in an archived name.
_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_SLASHES = re.compile("[\u2044\u2215\u29f8\u29f9\uff0f\uff3c\u2216\u29f5]")


def safe_filename(name: str) -> str:
    """Keep a file name's letters (å/ä/ö included); drop path parts, control and bidi characters."""
    name = unicodedata.normalize("NFC", name.replace("\\", "/").rsplit("/", 1)[-1])
    name = _BIDI.sub("", re.sub(r"[\x00-\x1f\x7f]", "", name))
    name = re.sub(r'[<>:"|?*]', "_", _SLASHES.sub("_", name)).strip().lstrip(".")
    if not name or name.lower().endswith(".toml"):
        raise AddError(f"'{name or '(empty)'}' is not a usable file name")
    return _shortened(name)


def _shortened(name: str) -> str:
    """`name` cut to MAX_NAME_BYTES of UTF-8, its extension kept."""
    if len(name.encode("utf-8")) <= MAX_NAME_BYTES:
        return name
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem or len(ext) > 10:
        stem, ext = name, ""
    tail = f".{ext}" if ext else ""
    room = MAX_NAME_BYTES - len(tail.encode("utf-8"))
    return stem.encode("utf-8")[:room].decode("utf-8", "ignore").rstrip() + tail


def relative_id(archive: Path, path: Path) -> str:
    return path.relative_to(archive).as_posix()


def move_new(src: Path, dest: Path) -> None:
    """Move `src` to `dest` in the same file system; fail if `dest` exists, never overwrite.

    A hard link then an unlink: a crash in between leaves the file in both places
    (the next `arkiv index` sees a copy), never in neither.
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    os.link(src, dest)
    fsync_dir(dest.parent)
    os.unlink(src)
    fsync_dir(src.parent)


def taken(folder: Path, name: str) -> bool:
    """A name is taken by a file or by a sidecar left without its file."""
    return (folder / name).exists() or (folder / name).is_symlink() or sidecar_path(folder / name).exists()


def free_name(folder: Path, name: str, also_taken: set[str] = frozenset()) -> str:
    """`name`, or `name-2.ext`, `name-3.ext`, ... : the first that nothing in `folder` uses."""
    if not taken(folder, name) and name not in also_taken:
        return name
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem:
        stem, ext = name, ""
    for n in range(2, 10_000):
        candidate = f"{stem}-{n}.{ext}" if ext else f"{stem}-{n}"
        if not taken(folder, candidate) and candidate not in also_taken:
            return candidate
    raise ChangeError(f"no free name for {name} in {folder.name}")


def find_copies(archive: Path, index_dir: Path | None, sha256: str,
                folders: tuple[Path, ...] = ()) -> list[str]:
    """Ids of archived files with this content: those the index knows, and any in `folders`.

    The index's state says each indexed file's hash, so the whole archive costs no
    reading; files in `folders` (where new files go) are hashed, so a file added
    since the last indexing is found too.
    """
    archive = Path(archive)
    found: list[str] = []
    if index_dir is not None:
        for i, st in load_state(Path(index_dir)).items():
            if st.sha256 == sha256 and (archive / i).is_file():
                found.append(i)
    for folder in folders:
        if not folder.is_dir():
            continue
        for p in sorted(folder.iterdir()):
            if p.is_file() and not p.is_symlink() and is_document_name(p.name):
                i = relative_id(archive, p)
                if i not in found and file_sha256(p) == sha256:
                    found.append(i)
    return found


# -- the archive's TOML, written by the app ----------------------------------------------
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def toml_string(value: str) -> str:
    """A one-line TOML basic string; control characters are dropped."""
    return json.dumps(_CONTROL.sub(" ", value).strip(), ensure_ascii=False)


def toml_list(values) -> str:
    return "[" + ", ".join(toml_string(v) for v in values) + "]"


def sidecar_text(sidecar: Sidecar) -> str:
    lines = []
    if sidecar.title:
        lines.append(f"title = {toml_string(sidecar.title)}")
    if sidecar.date:
        lines.append(f"date = {sidecar.date.isoformat()}")
    if sidecar.type:
        lines.append(f"type = {toml_string(sidecar.type)}")
    if sidecar.themes is not None:
        lines.append(f"themes = {toml_list(sidecar.themes)}")
    return "".join(line + "\n" for line in lines)


def write_sidecar(file: Path, sidecar: Sidecar) -> None:
    """Write `<file>.toml` atomically; a sidecar that says nothing is removed instead."""
    text = sidecar_text(sidecar)
    path = sidecar_path(file)
    if text:
        write_bytes_atomic(path, text.encode("utf-8"))
    elif path.exists():
        path.unlink()
        fsync_dir(path.parent)


def sidecar_json(sidecar: Sidecar) -> dict:
    """What a sidecar says, for the audit log."""
    data: dict = {}
    if sidecar.title:
        data["title"] = sidecar.title
    if sidecar.date:
        data["date"] = sidecar.date.isoformat()
    if sidecar.type:
        data["type"] = sidecar.type
    if sidecar.themes is not None:
        data["themes"] = list(sidecar.themes)
    return data

