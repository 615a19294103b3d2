"""The archive's audit log: one JSON line per change, appended and flushed to disk.

The log lives in the archive (`.audit.jsonl`, skipped by the scanner like every
dot-file), so it is backed up with the files it describes and survives any
rebuild of the index.  Lines are only ever appended; a line cut short by a crash
is skipped when reading.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import pwd
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from ..atomic import fsync_dir

AUDIT_FILE = ".audit.jsonl"
# What was done; the web app words each in Swedish.
ACTIONS = ("upload", "replace", "meeting", "meeting-edit", "edit", "move", "remove", "restore", "import",
           "trash-empty", "user-add", "user-passwd", "user-remove", "undo")
READ_CHUNK = 64 * 1024


@dataclass(frozen=True)
class Change:
    """One line of the audit log: when, who, what, which file, its content hash before and after."""

    what: str
    who: str
    when: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    file: str | None = None  # the document's id (or the meeting folder, the account name)
    to: str | None = None  # where it went: a move's new id, a restore's id, a trash item
    sha256_before: str | None = None
    sha256_after: str | None = None
    detail: dict = field(default_factory=dict)
    # What an undo names the change by; a line written before changes had ids gets one
    # made from its own content, the same on every reading.
    id: str = field(default_factory=lambda: secrets.token_hex(8))

    def to_json(self) -> dict:
        data = {"when": self.when.isoformat(timespec="seconds"), "who": self.who, "what": self.what,
                "file": self.file, "to": self.to, "sha256_before": self.sha256_before,
                "sha256_after": self.sha256_after, "id": self.id}
        if self.detail:
            data["detail"] = self.detail
        return data

    @classmethod
    def from_json(cls, data: dict) -> Change:
        made_id = data.get("id") or hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]
        detail = data.get("detail") or {}
        return cls(what=str(data["what"]), who=str(data.get("who", "")),
                   when=datetime.fromisoformat(data["when"]), file=data.get("file"), to=data.get("to"),
                   sha256_before=data.get("sha256_before"), sha256_after=data.get("sha256_after"),
                   detail=detail if isinstance(detail, dict) else {}, id=str(made_id))


def cli_user() -> str:
    """Who runs a command, as the audit log names them: `cli:<user name>` of the process's user id.

    Not $LOGNAME or $USER, which anyone can set to another coordinator's name.
    """
    uid = os.getuid()
    try:
        return f"cli:{pwd.getpwuid(uid).pw_name}"
    except KeyError:  # no passwd entry (a container): the number is still who it was
        return f"cli:uid-{uid}"


def audit_path(archive: Path) -> Path:
    return Path(archive) / AUDIT_FILE


def record_change(archive: Path, change: Change) -> None:
    """Append `change` to the archive's audit log and flush it to disk before returning."""
    line = (json.dumps(change.to_json(), ensure_ascii=False, sort_keys=False) + "\n").encode("utf-8")
    path = audit_path(archive)
    created = not path.exists()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)  # less the umask: indexer/atomic.py
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # whole lines, even from several processes
        os.write(fd, line)
        os.fsync(fd)
    finally:
        os.close(fd)
    if created:
        fsync_dir(path.parent)


def recent_changes(archive: Path, limit: int = 100) -> list[Change]:
    """The latest `limit` changes, newest first (read from the end of the log)."""
    path = audit_path(archive)
    try:
        f = path.open("rb")
    except FileNotFoundError:
        return []
    found: list[Change] = []
    with f:
        end = f.seek(0, os.SEEK_END)
        pos, tail = end, b""
        while pos > 0 and len(found) < limit:
            step = min(READ_CHUNK, pos)
            pos -= step
            f.seek(pos)
            block = f.read(step) + tail
            lines = block.split(b"\n")
            tail = lines.pop(0) if pos > 0 else b""  # may be cut: read with the next block
            for raw in reversed(lines):
                change = _parse(raw)
                if change is not None:
                    found.append(change)
                    if len(found) >= limit:
                        break
    return found


def _parse(raw: bytes) -> Change | None:
    if not raw.strip():
        return None
    try:
        return Change.from_json(json.loads(raw))
    except (ValueError, KeyError, TypeError):
        return None  # a line cut short by a crash, or written by hand
