"""Import a folder of old files into a group: a meeting proposed for each file from its dates.

`plan_import` reads everything and changes nothing; `carry_out` files what the
plan says.  A file's date comes from its path first (`2019-09-05 Lerum/…`,
`anteckningar 14 mars 2018.docx`), then from its text and properties, as the
indexer would date it.  A date that matches one of the group's meetings files
the document there; another date makes a new meeting folder; a file with no
date goes to the group's `osorterat` folder.  Content already in the archive
is skipped, and so is anything that is not a document.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

from ..atomic import copy_atomic_new
from .audit import Change, record_change
from ..config import load_archive_config, parse_meeting_folder
from ..errors import ChangeError
from ..extract import DEFAULT_MAX_BYTES
from .filing import UNSORTED_FOLDER, list_meetings
from .files import archive_lock, check_labels, free_name, relative_id
from .inspect import inspect_files
from ..lang import first_date_in_text
from ..scan import is_document_name
from ..index import file_sha256


@dataclass(frozen=True)
class ImportItem:
    source: str  # relative to the imported folder
    target: str | None  # the id it would get; None when it is skipped
    date: date | None = None
    date_from: str = ""  # "path", "text", "properties"
    meeting_exists: bool = False
    skipped: str = ""  # why it is not imported: "duplicate", "not a document"
    detail: str = ""  # the duplicate's id, the reason it cannot be read


@dataclass
class ImportPlan:
    source: Path
    group: str
    items: list[ImportItem] = field(default_factory=list)

    @property
    def placed(self) -> list[ImportItem]:
        return [i for i in self.items if i.target and i.date]

    @property
    def unsorted(self) -> list[ImportItem]:
        return [i for i in self.items if i.target and not i.date]

    @property
    def skipped(self) -> list[ImportItem]:
        return [i for i in self.items if not i.target]


def _walk(source: Path) -> list[Path]:
    found = []
    for dirpath, dirnames, filenames in os.walk(source, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if name == "meeting.toml" or not is_document_name(name) or path.is_symlink() or not path.is_file():
                continue
            found.append(path)
    return found


def date_in_path(rel: str, today: date) -> date | None:
    """A date named in the folders or the file name: `2019-09-05 Lerum/x.docx`, `möte 14 mars 2018.pdf`."""
    parts = rel.split("/")
    for part in parts[:-1]:
        parsed = parse_meeting_folder(part)
        if parsed and parsed[0] <= today:
            return parsed[0]
    text = " ".join(p.replace("_", " ") for p in parts)
    return first_date_in_text(text, today)


def plan_import(archive: Path, source: Path, group: str, index_dir: Path | None = None,
                today: date | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> ImportPlan:
    """Say where each file under `source` would go; change nothing."""
    archive, source = Path(archive), Path(source)
    today = today or date.today()
    check_labels(load_archive_config(archive), group=group)
    if not source.is_dir():
        raise ChangeError(f"{source}: no such folder")
    if source.resolve().is_relative_to(Path(archive).resolve()):
        raise ChangeError(f"{source} is inside the archive: import from a folder outside it")
    paths = _walk(source)
    inspections = inspect_files(archive, [(p, p.name) for p in paths], group, None, None, index_dir=index_dir,
                                today=today, max_bytes=max_bytes)
    meetings = {m.date: m.folder.rsplit("/", 1)[-1] for m in list_meetings(archive, group) if m.date}
    plan = ImportPlan(source=source, group=group)
    taken_names: dict[str, set[str]] = {}
    seen: dict[str, str] = {}
    for path, ins in zip(paths, inspections):
        rel = path.relative_to(source).as_posix()
        if ins.format is None:
            plan.items.append(ImportItem(rel, None, skipped="not a document", detail=ins.refused or ""))
            continue
        if ins.copies or ins.sha256 in seen:
            twin = ins.copies[0] if ins.copies else seen[ins.sha256]
            plan.items.append(ImportItem(rel, None, skipped="duplicate", detail=twin))
            continue
        day, how = date_in_path(rel, today), "path"
        if day is None and ins.document and ins.document.date:
            day, how = ins.document.date, ins.document.sources.get("date", "text")
        if day is None:
            folder, how = UNSORTED_FOLDER, ""
        else:
            folder = meetings.get(day) or day.isoformat()
        names = taken_names.setdefault(folder, set())
        name = free_name(archive / group / folder, ins.name, names)
        names.add(name)
        target = f"{group}/{folder}/{name}"
        seen[ins.sha256] = target
        plan.items.append(ImportItem(rel, target, date=day, date_from=how, meeting_exists=day in meetings))
    return plan


def carry_out(archive: Path, plan: ImportPlan, who: str, now: datetime | None = None) -> list[str]:
    """Copy the plan's files into the archive (never over a file); return the new ids."""
    archive = Path(archive)
    now = now or datetime.now(timezone.utc)
    added: list[tuple[str, str]] = []
    with archive_lock(archive):
        for item in plan.items:
            if not item.target:
                continue
            src = plan.source / item.source
            dest = archive / item.target
            # The archive may have changed since the plan was made: never overwrite.
            dest = dest.parent / free_name(dest.parent, dest.name)
            sha = file_sha256(src)
            copy_atomic_new(src, dest)
            added.append((relative_id(archive, dest), sha))
            record_change(archive, Change("import", who, now, file=relative_id(archive, dest), sha256_after=sha,
                                          detail={"source": item.source}))
    return [i for i, _ in added]
