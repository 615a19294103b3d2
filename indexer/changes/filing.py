"""File new documents into a meeting: the meeting's folder and meeting.toml, the files, their sidecars.

Each file is written through a temporary file that is flushed and then linked
into place (never over another file).  Its sidecar is written before it: the
file's arrival is what completes a document, so a crash at any point leaves
whole documents only.  A name clash is settled by the caller's choice: refuse,
replace (the old version goes to the trash) or keep both (the new file gets a
free name).
"""
from __future__ import annotations

import secrets
import shutil
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

from ..atomic import copy_atomic_new, fsync_dir, write_bytes_atomic
from .audit import Change, record_change
from ..config import MEETING_FILE, Sidecar, load_archive_config, load_meeting, parse_meeting_folder, sidecar_path
from ..errors import ChangeError, ConfigError
from ..lang import ascii_slug
from .files import archive_lock, check_labels, free_name, move_new, relative_id, safe_filename, sidecar_text, taken, \
    toml_list, toml_string
from ..models import Meeting, Speaker
from ..scan import is_document_name
from ..index import file_sha256
from .trash import FILES_DIR, TrashItem, trash_dir, trash_file

# Folders in a group that hold documents of no meeting.
OTHER_FOLDER = "ovrigt"
UNSORTED_FOLDER = "osorterat"
OTHER_FOLDERS = (OTHER_FOLDER, UNSORTED_FOLDER)
CLASH_CHOICES = ("refuse", "replace", "keep-both")


@dataclass(frozen=True)
class MeetingDraft:
    """A meeting that has no folder yet: its date and what meeting.toml will say."""

    date: date
    place: str = ""
    title: str = ""
    themes: tuple[str, ...] = ()
    speakers: tuple[Speaker, ...] = ()
    slug: str | None = None  # the folder name's place part, when not made from `place`

    @property
    def folder_name(self) -> str:
        slug = ascii_slug(self.place) if self.slug is None else self.slug
        return self.date.isoformat() + (f"-{slug}" if slug else "")


@dataclass(frozen=True)
class NewFile:
    path: Path  # where the bytes are now (outside the archive)
    name: str  # the name it is to have in the archive
    sidecar: Sidecar = Sidecar()  # what a person said about it
    on_clash: str = "refuse"  # see CLASH_CHOICES


@dataclass(frozen=True)
class Filing:
    group: str
    folder: str | None = None  # an existing meeting folder of the group, or ovrigt/osorterat
    new_meeting: MeetingDraft | None = None  # or a meeting to create
    files: tuple[NewFile, ...] = ()
    batch: str | None = None  # names this filing's lines in the audit log, so it can be undone as one


@dataclass
class Filed:
    added: list[str] = field(default_factory=list)  # ids of the new documents
    replaced: list[tuple[str, TrashItem]] = field(default_factory=list)  # (id, the old version's trash item)
    renamed: list[tuple[str, str]] = field(default_factory=list)  # (wanted name, id it got)
    meeting: str | None = None  # the meeting folder created, "group/YYYY-MM-DD-place"
    batch: str | None = None  # the audit log's name for this filing (undo it as one)


def meeting_toml(draft: MeetingDraft) -> str:
    lines = []
    if draft.title:
        lines.append(f"title = {toml_string(draft.title)}")
    if draft.place:
        lines.append(f"place = {toml_string(draft.place)}")
    if draft.themes:
        lines.append(f"themes = {toml_list(draft.themes)}")
    for s in draft.speakers:
        lines += ["", "[[speakers]]", f"name = {toml_string(s.name)}"]
        if s.organisation:
            lines.append(f"organisation = {toml_string(s.organisation)}")
    return "".join(line + "\n" for line in lines)


def list_meetings(archive: Path, group: str) -> list[Meeting]:
    """The group's meeting folders, newest first (an unreadable meeting.toml: the folder name only)."""
    root = Path(archive) / group
    if not root.is_dir() or root.is_symlink():
        return []
    found = []
    for p in root.iterdir():
        if p.is_dir() and not p.is_symlink() and parse_meeting_folder(p.name):
            try:
                m = load_meeting(Path(archive), f"{group}/{p.name}")
            except ConfigError:
                m = Meeting(folder=f"{group}/{p.name}", group=group, date=parse_meeting_folder(p.name)[0])
            found.append(m)
    return sorted(found, key=lambda m: m.folder, reverse=True)


def target_folder(archive: Path, filing: Filing) -> Path:
    """Where the filing's files go; ChangeError when that is not a place for them."""
    archive = Path(archive)
    config = load_archive_config(archive)
    check_labels(config, group=filing.group)
    group_dir = archive / filing.group
    if group_dir.is_symlink():
        raise ChangeError(f"{filing.group} is a symbolic link")
    if filing.new_meeting is not None:
        check_labels(config, themes=filing.new_meeting.themes)
        return group_dir / filing.new_meeting.folder_name
    folder = filing.folder or OTHER_FOLDER
    if folder not in OTHER_FOLDERS:
        if parse_meeting_folder(folder) is None or "/" in folder:
            raise ChangeError(f"'{folder}' is not a meeting folder")
        if not (group_dir / folder).is_dir() or (group_dir / folder).is_symlink():
            raise ChangeError(f"there is no meeting {filing.group}/{folder}")
    return group_dir / folder


def _check_files(archive: Path, folder: Path, filing: Filing) -> list[tuple[NewFile, str]]:
    """(file, the name it gets) for each file, or ChangeError before anything is written."""
    config = load_archive_config(archive)
    planned: list[tuple[NewFile, str]] = []
    names: set[str] = set()
    for f in filing.files:
        if f.on_clash not in CLASH_CHOICES:
            raise ChangeError(f"'{f.on_clash}' is not one of {', '.join(CLASH_CHOICES)}")
        if not Path(f.path).is_file():
            # Its name, not its path: the path is the server's (a staged upload), not the user's.
            raise ChangeError(f"{f.name}: the file to be saved is no longer there")
        name = safe_filename(f.name)
        if not is_document_name(name):
            raise ChangeError(f"'{name}' is not a name a document can have in the archive")
        check_labels(config, kind=f.sidecar.type, themes=f.sidecar.themes)
        if name in names or taken(folder, name):
            if f.on_clash == "keep-both" or (name in names and f.on_clash == "replace"):
                name = free_name(folder, name, names)
            elif f.on_clash == "refuse":
                raise ChangeError(f"{relative_id(archive, folder / name)} already exists "
                                  "(choose: replace it or keep both)")
        names.add(name)
        planned.append((f, name))
    return planned


def file_documents(archive: Path, filing: Filing, who: str, now: datetime | None = None) -> Filed:
    """Write the filing's meeting and files into the archive; all of it or, on an error, none."""
    archive = Path(archive)
    now = now or datetime.now(timezone.utc)
    done = Filed()
    batch = {"batch": filing.batch or secrets.token_hex(8)}
    done.batch = batch["batch"]
    with archive_lock(archive):
        folder = target_folder(archive, filing)
        if filing.new_meeting is not None and folder.exists():
            raise ChangeError(f"the meeting {relative_id(archive, folder)} already exists: choose it instead")
        planned = _check_files(archive, folder, filing)
        written: list[Path] = []
        trashed: list[TrashItem] = []
        changes: list[Change] = []
        try:
            if filing.new_meeting is not None:
                folder.mkdir(parents=True)
                written.append(folder)
                text = meeting_toml(filing.new_meeting)
                if text:
                    write_bytes_atomic(folder / MEETING_FILE, text.encode("utf-8"))
                    written.append(folder / MEETING_FILE)
                done.meeting = relative_id(archive, folder)
                changes.append(Change("meeting", who, now, file=done.meeting,
                                      detail={"title": filing.new_meeting.title, "place": filing.new_meeting.place,
                                              **batch}))
            for f, name in planned:
                dest = folder / name
                new_sha = file_sha256(f.path)
                old: TrashItem | None = None
                if taken(folder, name):  # "replace": the old version (and its sidecar) to the trash
                    if dest.is_file() and not dest.is_symlink():
                        old = trash_file(archive, relative_id(archive, dest), who, why="replace", now=now)
                        trashed.append(old)
                    else:
                        raise ChangeError(f"{relative_id(archive, dest)} cannot be replaced")
                text = sidecar_text(f.sidecar)
                if text:
                    write_bytes_atomic(sidecar_path(dest), text.encode("utf-8"))
                    written.append(sidecar_path(dest))
                copy_atomic_new(Path(f.path), dest)
                written.append(dest)
                doc_id = relative_id(archive, dest)
                done.added.append(doc_id)
                if name != safe_filename(f.name):
                    done.renamed.append((safe_filename(f.name), doc_id))
                if old is not None:
                    done.replaced.append((doc_id, old))
                changes.append(Change(
                    "replace" if old else "upload", who, now, file=doc_id,
                    sha256_before=old.sha256 if old else None, sha256_after=new_sha,
                    detail={k: v for k, v in (("sidecar", text.strip() or None),
                                              ("trash", old.key if old else None),
                                              ("wanted_name", safe_filename(f.name) if name != safe_filename(f.name)
                                               else None)) if v} | batch))
        except BaseException:
            _undo(archive, written, trashed, who)
            raise
    for change in changes:
        record_change(archive, change)
    return done


def _undo(archive: Path, written: list[Path], trashed: list[TrashItem], who: str) -> None:
    """Take back what an interrupted filing wrote, and put back what it trashed."""
    for p in reversed(written):
        try:
            if p.is_dir():
                p.rmdir()
            else:
                p.unlink(missing_ok=True)
            fsync_dir(p.parent)
        except OSError:
            pass
    for item in trashed:
        try:
            _restore_unlocked(archive, item, who)
        except Exception:  # noqa: BLE001 - it stays in the trash, listed there
            pass


def _restore_unlocked(archive: Path, item: TrashItem, who: str) -> None:
    # trash.restore() takes archive_lock, which this thread holds (a second flock would
    # wait for ourselves), so the files are moved back here directly.
    src = trash_dir(archive) / item.key / FILES_DIR
    dest = Path(archive) / item.original
    if item.has_sidecar and sidecar_path(src / item.filename).is_file():
        move_new(sidecar_path(src / item.filename), sidecar_path(dest))
    move_new(src / item.filename, dest)
    shutil.rmtree(trash_dir(archive) / item.key)
