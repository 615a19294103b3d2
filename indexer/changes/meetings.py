"""Correct a meeting: its title, place, themes and speakers, written to the folder's meeting.toml.

The folder's name (its date and place slug) never changes, so no document's id
changes with it; what meeting.toml says goes before what the folder name says.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from ..atomic import fsync_dir, write_bytes_atomic
from .audit import Change, record_change
from ..config import MEETING_FILE, _read_toml, _str, _str_list, load_archive_config, parse_meeting_folder
from ..errors import ChangeError, ConfigError
from .files import archive_lock, check_labels
from .filing import MeetingDraft, meeting_toml
from ..models import Speaker

# The keys meeting.toml has (DESIGN.md). A file with others was written by hand for
# something this form does not know; rewriting it would lose them, so it is refused.
MEETING_KEYS = ("title", "place", "themes", "speakers")
MAX_TEXT = 300  # characters of a title, a place, a speaker's name or organisation
MAX_SPEAKERS = 30
# C0 and C1 controls, and the bidirectional controls that make text read other than it is stored.
_INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


@dataclass(frozen=True)
class MeetingFields:
    """What a meeting's meeting.toml says; empty means "not said" (the folder name decides)."""

    title: str = ""
    place: str = ""
    themes: tuple[str, ...] = ()
    speakers: tuple[Speaker, ...] = ()


def clean_text(value: str, what: str) -> str:
    """One line of text as meeting.toml keeps it: NFC, no control characters, single spaces.

    ChangeError when longer than MAX_TEXT characters after cleaning.
    """
    text = " ".join(_INVISIBLE.sub(" ", unicodedata.normalize("NFC", value)).split())
    if len(text) > MAX_TEXT:
        raise ChangeError(f"{what} is {len(text)} characters long; at most {MAX_TEXT} fit")
    return text


def meeting_dir(archive: Path, folder: str) -> Path:
    """The meeting folder `group/YYYY-MM-DD[-place]`: a real folder of a known group, never a link."""
    archive = Path(archive)
    group, sep, name = folder.partition("/")
    if not sep or "/" in name or parse_meeting_folder(name) is None:
        raise ChangeError(f"'{folder}' is not a meeting folder")
    check_labels(load_archive_config(archive), group=group)
    path = archive / group / name
    if (archive / group).is_symlink() or path.is_symlink() or not path.is_dir():
        raise ChangeError(f"there is no meeting {folder}")
    return path


def _fields(data: dict, where: str) -> MeetingFields:
    unknown = sorted(set(data) - set(MEETING_KEYS))
    if unknown:
        raise ChangeError(f"{where} also says {', '.join(unknown)}, which this edit would lose: edit it by hand")
    speakers = data.get("speakers", [])
    if not isinstance(speakers, list) or not all(isinstance(s, dict) for s in speakers):
        raise ConfigError(f"{where}: each [[speakers]] needs a name")
    return MeetingFields(title=_str(data, "title", where), place=_str(data, "place", where),
                         themes=_str_list(data, "themes", where),
                         speakers=tuple(Speaker(_str(s, "name", where), _str(s, "organisation", where))
                                        for s in speakers))


def meeting_fields(archive: Path, folder: str) -> MeetingFields:
    """What the meeting's meeting.toml says now (nothing when it has none).

    ConfigError when it cannot be read; ChangeError when it says more than this edit knows.
    """
    path = meeting_dir(archive, folder) / MEETING_FILE
    if not path.is_file():
        return MeetingFields()
    return _fields(_read_toml(path), f"{folder}/{MEETING_FILE}")


def _cleaned(fields: MeetingFields) -> MeetingFields:
    if len(fields.speakers) > MAX_SPEAKERS:
        raise ChangeError(f"{len(fields.speakers)} speakers; at most {MAX_SPEAKERS} fit")
    speakers = []
    for s in fields.speakers:
        name = clean_text(s.name, "a speaker's name")
        organisation = clean_text(s.organisation, "a speaker's organisation")
        if not name and organisation:
            raise ChangeError(f"the speaker from {organisation} needs a name")
        if name:
            speakers.append(Speaker(name, organisation))
    themes = tuple(dict.fromkeys(clean_text(t, "a theme") for t in fields.themes if t.strip()))
    return MeetingFields(title=clean_text(fields.title, "the title"), place=clean_text(fields.place, "the place"),
                         themes=themes, speakers=tuple(speakers))


def _shown(fields: MeetingFields) -> dict:
    """The fields as the audit log shows them: speakers as "name, organisation"."""
    return {"title": fields.title or None, "place": fields.place or None, "themes": list(fields.themes),
            "speakers": [", ".join(p for p in (s.name, s.organisation) if p) for s in fields.speakers]}


def _sha256(data: bytes | None) -> str | None:
    return hashlib.sha256(data).hexdigest() if data is not None else None


def edit_meeting(archive: Path, folder: str, fields: MeetingFields, who: str,
                 now: datetime | None = None) -> Change | None:
    """Make `fields` what the meeting's meeting.toml says; the folder keeps its name.

    A meeting.toml that cannot be read is replaced (its hash is in the audit line); one
    with keys beyond title, place, themes and speakers is refused. Returns the audit
    log's line, or None when nothing changed.
    """
    archive = Path(archive)
    fields = _cleaned(fields)
    check_labels(load_archive_config(archive), themes=fields.themes)
    with archive_lock(archive):
        path = meeting_dir(archive, folder) / MEETING_FILE
        if path.is_symlink():
            raise ChangeError(f"{folder}/{MEETING_FILE} is a symbolic link")
        old_bytes = path.read_bytes() if path.is_file() else None
        try:
            before = meeting_fields(archive, folder)
        except ConfigError:  # unreadable: replaced by what was said now
            before = None
        if before == fields:
            return None
        text = meeting_toml(MeetingDraft(date=parse_meeting_folder(folder.partition("/")[2])[0], place=fields.place,
                                         title=fields.title, themes=fields.themes, speakers=fields.speakers))
        new_bytes = text.encode("utf-8") if text else None
        if new_bytes is not None:
            write_bytes_atomic(path, new_bytes)
        elif old_bytes is not None:  # says nothing: the folder name decides again
            path.unlink()
            fsync_dir(path.parent)
    old, new = _shown(before or MeetingFields()), _shown(fields)
    changed = {k: [old[k], new[k]] for k in old if before is None or old[k] != new[k]}
    detail = {"changed": changed} | ({"unreadable_before": True} if before is None and old_bytes else {})
    change = Change("meeting-edit", who, now or datetime.now(timezone.utc), file=folder,
                    sha256_before=_sha256(old_bytes), sha256_after=_sha256(new_bytes), detail=detail)
    record_change(archive, change)
    return change
