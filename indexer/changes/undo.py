"""Undo a change from the audit log: an edit, a move, or an upload as the whole batch it was.

An undo is a change of its own (`undo` in the log, naming the lines it undoes), made
under the archive's write lock, and only when nothing has happened since that makes it
unsafe: the document edited, moved, replaced or removed again, the old place taken, the
old version gone from the trash, or the change undone already.  Those are refused with
a reason a coordinator can read (UndoRefused, in Swedish: the web app shows it as is).
Uploaded files are not deleted: they go to the trash, where they can be restored.
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

from ..atomic import copy_atomic_new, fsync_dir
from ..config import MEETING_FILE, Sidecar, load_sidecar, sidecar_path
from ..errors import ChangeError, ConfigError
from ..index import file_sha256
from ..scan import is_document_name
from .audit import Change, record_change, recent_changes
from .files import archive_lock, document_path, move_new, sidecar_json, taken, write_sidecar
from .filing import _restore_unlocked
from .trash import trash_file, trash_item

# How far back the log is read for the change to undo and what came after it.
SCAN_LIMIT = 20_000
UNDOABLE = ("edit", "move", "upload", "replace", "meeting")
BATCH_ACTIONS = ("upload", "replace", "meeting")
# What a later change did to a document, as the refusal says it.
LATER = {"edit": "rättats", "move": "flyttats", "remove": "tagits bort", "replace": "ersatts",
         "restore": "återställts", "upload": "laddats upp", "import": "importerats"}


class UndoRefused(ChangeError):
    """The change cannot be undone safely now; the message says why, in Swedish."""


def _batch(change: Change, log: list[Change]) -> list[Change]:
    """Every line of the upload `change` belongs to (itself alone when it names no batch)."""
    key = change.detail.get("batch")
    if change.what not in BATCH_ACTIONS or not key:
        return [change]
    return [c for c in log if c.what in BATCH_ACTIONS and c.detail.get("batch") == key]


def _touched(lines: list[Change]) -> set[str]:
    """The document ids an undo of `lines` would change: where each document is now."""
    found = set()
    for c in lines:
        if c.what == "edit" and c.file:
            found.add(c.file)
        elif c.what == "move" and c.to:
            found.add(c.to)
        elif c.what in ("upload", "replace") and c.file:
            found.add(c.file)
    return found


def undo_problem(change: Change, log: list[Change], positions: dict[str, int] | None = None) -> str | None:
    """Why `change` cannot be undone, from the log alone (no file is read); None when it may be.

    `log` is the audit log newest first, at least back to `change`; `positions` (each
    line's id -> its place in `log`) saves a page of entries from building it each time.
    """
    if change.what not in UNDOABLE:
        return "den här sortens ändring kan inte ångras härifrån"
    if change.what == "edit" and "sidecar_before" not in change.detail:
        return "raden skrevs innan ändringar kunde ångras: rätta uppgifterna igen i stället"
    if change.what in BATCH_ACTIONS and not change.detail.get("batch"):
        return "raden skrevs innan uppladdningar kunde ångras: ta bort dokumenten i stället"
    lines = _batch(change, log)
    ids = {c.id for c in lines}
    where = positions if positions is not None else {c.id: i for i, c in enumerate(log)}
    later = log[:min(where.get(c.id, len(log)) for c in lines)]  # the log is newest first
    undone = {i for c in later if c.what == "undo" for i in c.detail.get("undoes", ())}
    if ids & undone:
        return "ändringen är redan ångrad"
    touched = _touched(lines)
    for c in reversed(later):  # the first later change that touches one of them, and still stands
        if c.what == "undo" or c.id in undone or not ({c.file, c.to} & touched):
            continue
        return (f"{c.file} har {LATER.get(c.what, 'ändrats')} efter det, av {c.who}: "
                "ångra den senare ändringen först")
    return None


def find_change(archive: Path, change_id: str) -> tuple[Change, list[Change]]:
    """The change named `change_id` and the log (newest first) it was found in."""
    log = recent_changes(archive, SCAN_LIMIT)
    for c in log:
        if c.id == change_id:
            return c, log
    raise UndoRefused("ändringen finns inte i loggen, eller är för gammal för att ångras härifrån")


def undo_change(archive: Path, change_id: str, who: str, now: datetime | None = None) -> Change:
    """Undo the change `change_id` (with its whole batch, for an upload); return the undo's log line."""
    archive = Path(archive)
    now = now or datetime.now(timezone.utc)
    with archive_lock(archive):
        # Read under the lock: a second undo of the same change waits, then finds the first one.
        change, log = find_change(archive, change_id)
        problem = undo_problem(change, log)
        if problem:
            raise UndoRefused(problem)
        lines = _batch(change, log)
        if change.what == "edit":
            detail = _undo_edit(archive, change)
        elif change.what == "move":
            detail = _undo_move(archive, change)
        else:
            detail = _undo_batch(archive, lines, who, now)
        undo = Change("undo", who, now, file=change.file, to=change.to if change.what == "move" else None,
                      detail={"undoes": [c.id for c in lines], "what": change.what, **detail})
        # Inside the lock: the next undo of this change reads this line and is refused.
        record_change(archive, undo)
    return undo


def _sidecar_of(data: dict) -> Sidecar:
    themes = data.get("themes")
    return Sidecar(title=data.get("title"), date=date.fromisoformat(data["date"]) if data.get("date") else None,
                   type=data.get("type"), themes=tuple(themes) if themes is not None else None)


def _current(path: Path, change: Change) -> None:
    """UndoRefused unless the file is the one `change` left (its content hash)."""
    if change.sha256_after and file_sha256(path) != change.sha256_after:
        raise UndoRefused(f"{change.to or change.file} har fått nytt innehåll sedan dess")


def _document(archive: Path, doc_id: str) -> Path:
    try:
        return document_path(archive, doc_id)
    except ChangeError:
        raise UndoRefused(f"{doc_id} finns inte längre där (flyttat eller borttaget)") from None


def _undo_edit(archive: Path, change: Change) -> dict:
    path = _document(archive, change.file)
    try:
        now = sidecar_json(load_sidecar(path))
    except ConfigError:
        now = None
    if now != change.detail.get("sidecar_after"):
        raise UndoRefused(f"uppgifterna om {change.file} har ändrats sedan dess")
    write_sidecar(path, _sidecar_of(change.detail["sidecar_before"]))
    return {"sidecar": change.detail["sidecar_before"]}


def _undo_move(archive: Path, change: Change) -> dict:
    src = _document(archive, change.to)
    _current(src, change)
    dest = archive / change.file
    if not dest.parent.is_dir() or dest.parent.is_symlink():
        raise UndoRefused(f"mappen {change.file.rsplit('/', 1)[0]} finns inte längre")
    if taken(dest.parent, dest.name):
        raise UndoRefused(f"det ligger redan en fil som heter {dest.name} på den gamla platsen")
    # As move_document: a copy of the sidecar, the file, then the old sidecar goes.
    if sidecar_path(src).is_file():
        copy_atomic_new(sidecar_path(src), sidecar_path(dest))
    move_new(src, dest)
    if sidecar_path(src).is_file():
        sidecar_path(src).unlink()
    return {}


def _undo_batch(archive: Path, lines: list[Change], who: str, now: datetime) -> dict:
    files = [c for c in lines if c.what in ("upload", "replace")]
    # Every check before anything moves: all of the batch is undone, or none of it.
    olds = {}
    for c in files:
        _current(_document(archive, c.file), c)
        if c.what == "replace":
            try:
                olds[c.id] = trash_item(archive, c.detail.get("trash", ""))
            except ChangeError:
                raise UndoRefused(f"den ersatta versionen av {c.file} finns inte längre i papperskorgen") from None
    trashed = []
    for c in files:
        item = trash_file(archive, c.file, who, why="undo", now=now)
        trashed.append(item.key)
        if c.id in olds:
            _restore_unlocked(archive, olds[c.id], who)
    detail: dict = {"trash": trashed}
    for c in lines:
        if c.what == "meeting" and c.file:
            removed = _remove_empty_meeting(archive / c.file)
            if removed is not None:
                detail["meeting_removed"] = c.file
                detail["meeting_toml"] = removed
    return detail


def _remove_empty_meeting(folder: Path) -> str | None:
    """Remove a meeting folder that holds nothing but its meeting.toml; return what that said."""
    if not folder.is_dir() or folder.is_symlink():
        return None
    rest = [p for p in folder.iterdir() if p.name != MEETING_FILE]
    if rest and any(is_document_name(p.name) or p.is_dir() for p in rest):
        return None
    if rest:
        return None
    toml = folder / MEETING_FILE
    text = toml.read_text(encoding="utf-8", errors="replace") if toml.is_file() else ""
    toml.unlink(missing_ok=True)
    folder.rmdir()
    fsync_dir(folder.parent)
    return text
