"""Correct a document: write what a person says into its sidecar, or move it to another meeting."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from ..atomic import copy_atomic_new
from .audit import Change, record_change
from ..config import Sidecar, load_archive_config, load_sidecar, parse_meeting_folder, sidecar_path
from ..errors import ChangeError, ConfigError
from .files import archive_lock, check_labels, document_path, free_name, move_new, relative_id, sidecar_json, write_sidecar
from .filing import OTHER_FOLDERS
from ..index import file_sha256


def edit_document(archive: Path, doc_id: str, sidecar: Sidecar, who: str,
                  now: datetime | None = None) -> Change | None:
    """Make `sidecar` the document's sidecar (None fields: let the archive decide).

    Returns the audit log's line, or None when nothing changed.
    """
    archive = Path(archive)
    check_labels(load_archive_config(archive), kind=sidecar.type, themes=sidecar.themes)
    with archive_lock(archive):
        path = document_path(archive, doc_id)
        try:
            before = load_sidecar(path)
        except ConfigError:  # an unreadable sidecar is replaced by what was said now
            before = Sidecar()
        if before == sidecar and (sidecar_path(path).exists() or sidecar == Sidecar()):
            return None
        write_sidecar(path, sidecar)
        sha = file_sha256(path)
    old, new = sidecar_json(before), sidecar_json(sidecar)
    changed = {k: [old.get(k), new.get(k)] for k in ("title", "date", "type", "themes") if old.get(k) != new.get(k)}
    # The whole sidecar before and after: what an undo writes back, and what it checks is still there.
    change = Change("edit", who, now or datetime.now(timezone.utc), file=doc_id, sha256_before=sha,
                    sha256_after=sha, detail={"changed": changed, "sidecar_before": old, "sidecar_after": new})
    record_change(archive, change)
    return change


def move_document(archive: Path, doc_id: str, group: str, folder: str, who: str,
                  now: datetime | None = None) -> str:
    """Move a document (and its sidecar) to `group/folder`; a taken name gets a free one.

    `folder` is a meeting folder (`YYYY-MM-DD[-place]`) that exists, or a group's
    folder for documents of no meeting (`ovrigt`, `osorterat`).  Returns the new id.
    """
    archive = Path(archive)
    check_labels(load_archive_config(archive), group=group)
    if parse_meeting_folder(folder) is None and folder not in OTHER_FOLDERS:
        raise ChangeError(f"'{folder}' is not a meeting folder")
    with archive_lock(archive):
        src = document_path(archive, doc_id)
        dest_dir = archive / group / folder
        if dest_dir.is_symlink() or (archive / group).is_symlink():
            raise ChangeError(f"{group}/{folder} is a symbolic link")
        if parse_meeting_folder(folder) is not None and not dest_dir.is_dir():
            raise ChangeError(f"there is no meeting {group}/{folder}")
        if dest_dir == src.parent:
            return doc_id
        dest = dest_dir / free_name(dest_dir, src.name)
        sha = file_sha256(src)
        # A copy of the sidecar first, the file, then the old sidecar goes: a crash at any
        # point leaves the document whole in one place (and at most a stray sidecar).
        if sidecar_path(src).is_file():
            copy_atomic_new(sidecar_path(src), sidecar_path(dest))
        move_new(src, dest)
        if sidecar_path(src).is_file():
            sidecar_path(src).unlink()
        new_id = relative_id(archive, dest)
    record_change(archive, Change("move", who, now or datetime.now(timezone.utc), file=doc_id, to=new_id,
                                  sha256_before=sha, sha256_after=sha))
    return new_id
