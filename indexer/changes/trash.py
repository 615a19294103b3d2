"""The trash inside the archive: removed documents wait there, with who and when, to be restored.

    ARCHIVE/.trash/<item>/item.json        where it was, who removed it and when, its hash
    ARCHIVE/.trash/<item>/files/<name>     the file, as it was
    ARCHIVE/.trash/<item>/files/<name>.toml   its sidecar, if it had one

The scanner skips dot-folders, so trashed files leave the index at the next
update.  Only `empty_trash` (the CLI's `arkiv trash empty`) deletes for good.
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from ..atomic import fsync_dir, write_bytes_atomic
from .audit import Change, record_change
from ..config import load_archive_config, sidecar_path
from ..errors import ChangeError
from .files import archive_lock, check_id, document_path, free_name, move_new, relative_id
from ..paths import unlinked_path
from ..scan import TRASH_DIR
from ..index import file_sha256

ITEM_FILE = "item.json"
FILES_DIR = "files"


@dataclass(frozen=True)
class TrashItem:
    key: str  # the item's folder name in .trash
    original: str  # the document's id before it was removed
    who: str
    when: datetime
    sha256: str
    has_sidecar: bool
    why: str = "remove"  # "remove", or "replace" when a new version took its place

    @property
    def filename(self) -> str:
        return self.original.rsplit("/", 1)[-1]

    def to_json(self) -> dict:
        return {"original": self.original, "who": self.who, "when": self.when.isoformat(timespec="seconds"),
                "sha256": self.sha256, "has_sidecar": self.has_sidecar, "why": self.why}


def trash_dir(archive: Path) -> Path:
    return Path(archive) / TRASH_DIR


def _new_key(now: datetime) -> str:
    return now.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(4)


def trash_file(archive: Path, doc_id: str, who: str, why: str = "remove",
               now: datetime | None = None) -> TrashItem:
    """Move one document (and its sidecar) into the trash.  The caller holds archive_lock."""
    archive = Path(archive)
    path = document_path(archive, doc_id)
    now = now or datetime.now(timezone.utc)
    key = _new_key(now)
    folder = trash_dir(archive) / key
    (folder / FILES_DIR).mkdir(parents=True)
    side = sidecar_path(path)
    item = TrashItem(key=key, original=doc_id, who=who, when=now, sha256=file_sha256(path),
                     has_sidecar=side.is_file(), why=why)
    # The description first: an item folder without its file is ignored (and emptied).
    write_bytes_atomic(folder / ITEM_FILE, json.dumps(item.to_json(), ensure_ascii=False).encode("utf-8"))
    os.rename(path, folder / FILES_DIR / path.name)
    if item.has_sidecar:
        os.rename(side, folder / FILES_DIR / side.name)
    fsync_dir(folder / FILES_DIR)
    fsync_dir(path.parent)
    return item


def remove_document(archive: Path, doc_id: str, who: str, now: datetime | None = None) -> TrashItem:
    """Move a document to the trash and say so in the audit log."""
    with archive_lock(archive):
        item = trash_file(archive, doc_id, who, now=now)
    record_change(archive, Change("remove", who, item.when, file=doc_id, to=f"{TRASH_DIR}/{item.key}",
                                  sha256_before=item.sha256))
    return item


def _load(folder: Path) -> TrashItem | None:
    try:
        data = json.loads((folder / ITEM_FILE).read_text(encoding="utf-8"))
        item = TrashItem(key=folder.name, original=data["original"], who=data["who"],
                         when=datetime.fromisoformat(data["when"]), sha256=data["sha256"],
                         has_sidecar=bool(data.get("has_sidecar")), why=data.get("why", "remove"))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not (folder / FILES_DIR / item.filename).is_file():
        return None  # a removal cut short before the file moved: the file is still in place
    return item


def trashed(archive: Path) -> list[TrashItem]:
    """Everything in the trash, most recently removed first."""
    root = trash_dir(archive)
    if not root.is_dir():
        return []
    items = [i for i in (_load(p) for p in root.iterdir() if p.is_dir() and not p.is_symlink()) if i]
    return sorted(items, key=lambda i: (i.when, i.key), reverse=True)


def trash_item(archive: Path, key: str) -> TrashItem:
    if not key or "/" in key or key.startswith(".") or "\x00" in key:
        raise ChangeError(f"'{key}' is not in the trash")
    item = _load(trash_dir(archive) / key)
    if item is None:
        raise ChangeError(f"'{key}' is not in the trash")
    return item


def restore(archive: Path, key: str, who: str, now: datetime | None = None) -> str:
    """Put a trashed document back where it was (under a free name if that one is taken now)."""
    archive = Path(archive)
    with archive_lock(archive):
        item = trash_item(archive, key)
        parts = check_id(item.original)
        config = load_archive_config(archive)
        if config.group(parts[0]) is None:
            raise ChangeError(f"{item.original}: the group '{parts[0]}' is no longer in arkiv.toml")
        folder = unlinked_path(archive, parts[:-1])
        if folder is None:
            raise ChangeError(f"{item.original}: its folder is now a symbolic link")
        name = free_name(folder, item.filename)
        src = trash_dir(archive) / key / FILES_DIR
        dest = folder / name
        # The sidecar first: the file's arrival is what completes the document.
        if item.has_sidecar and sidecar_path(src / item.filename).is_file():
            move_new(sidecar_path(src / item.filename), sidecar_path(dest))
        move_new(src / item.filename, dest)
        shutil.rmtree(trash_dir(archive) / key)
        new_id = relative_id(archive, dest)
    record_change(archive, Change("restore", who, now or datetime.now(timezone.utc), file=item.original,
                                  to=new_id, sha256_after=item.sha256,
                                  detail={"trash": key} if new_id == item.original else
                                  {"trash": key, "renamed": name}))
    return new_id


def empty_trash(archive: Path, older_than: timedelta, who: str,
                now: datetime | None = None) -> list[TrashItem]:
    """Delete for good what was removed more than `older_than` ago; return what was deleted."""
    archive = Path(archive)
    now = now or datetime.now(timezone.utc)
    cutoff = now - older_than
    deleted = []
    root = trash_dir(archive)
    with archive_lock(archive):
        for item in trashed(archive):
            if item.when <= cutoff:
                shutil.rmtree(root / item.key)
                deleted.append(item)
        if root.is_dir():
            # Debris of removals cut short (no file inside) goes too, once old enough.
            for p in root.iterdir():
                if p.is_dir() and not p.is_symlink() and _load(p) is None and \
                        datetime.fromtimestamp(p.stat().st_mtime, timezone.utc) <= cutoff:
                    shutil.rmtree(p)
    for item in deleted:
        record_change(archive, Change("trash-empty", who, now, file=item.original,
                                      sha256_before=item.sha256, detail={"trash": item.key}))
    return deleted
