"""`arkiv add`: copy files into a meeting (or the group's Övrigt) through the same filing as an upload."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..config import Sidecar, load_archive_config, parse_meeting_folder
from ..errors import AddError
from ..index import file_sha256
from .audit import cli_user
from .files import check_labels, find_copies, safe_filename
from .filing import OTHER_FOLDER, Filing, MeetingDraft, NewFile, file_documents


@dataclass(frozen=True)
class AddRequest:
    files: tuple[Path, ...]
    group: str
    meeting: str | None = None  # "YYYY-MM-DD[-place]"
    type: str | None = None
    themes: tuple[str, ...] = ()
    title: str | None = None


def add_files(archive: Path, req: AddRequest, who: str | None = None) -> list[str]:
    """Copy `req.files` into the archive and return their ids; all are added or none.

    Never over a file of the same name, and not a content already in that folder.
    A meeting folder that does not exist yet is made (and logged, like an upload's
    new meeting).  Each change is a line in the audit log, by `who` (default: the
    CLI's user).
    """
    archive = Path(archive)
    config = load_archive_config(archive)
    check_labels(config, group=req.group, kind=req.type, themes=req.themes)
    folder, new_meeting = req.meeting or OTHER_FOLDER, None
    if req.meeting is not None:
        parsed = parse_meeting_folder(req.meeting)
        if parsed is None:
            raise AddError(f"meeting '{req.meeting}' must be YYYY-MM-DD or YYYY-MM-DD-place, with a real date")
        if not re.fullmatch(r"[\w-]+", req.meeting):
            raise AddError(f"meeting '{req.meeting}' may hold only letters, digits and '-'")
        if not (archive / req.group / req.meeting).exists():
            folder, new_meeting = None, MeetingDraft(date=parsed[0], slug=parsed[1])

    sidecar = Sidecar(title=req.title, type=req.type, themes=req.themes or None)
    names: set[str] = set()
    files = []
    for src in map(Path, req.files):
        if not src.is_file():
            raise AddError(f"{src}: no such file")
        name = safe_filename(src.name)
        if name in names:
            raise AddError(f"two files are named {name}")
        names.add(name)
        twins = find_copies(archive, None, file_sha256(src), (archive / req.group / (req.meeting or OTHER_FOLDER),))
        if twins:
            raise AddError(f"{src.name} is already in the archive as {twins[0]} (nothing was added)")
        files.append(NewFile(path=src, name=src.name, sidecar=sidecar))
    filing = Filing(group=req.group, folder=folder, new_meeting=new_meeting, files=tuple(files))
    return file_documents(archive, filing, who or cli_user()).added
