"""Walk the archive folder and list the files that are documents."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .config import ARCHIVE_FILE, MEETING_FILE, SIDECAR_SUFFIX, parse_meeting_folder
from .models import ArchiveConfig, Problem

TRASH_DIR = ".trash"
# Editors and operating systems leave these behind; they are never documents.
JUNK_NAMES = {"thumbs.db", "desktop.ini", ".ds_store"}


@dataclass(frozen=True)
class ScannedFile:
    id: str  # path relative to the archive root, "/"-separated
    path: Path
    group: str
    meeting_folder: str | None  # "group/YYYY-MM-DD-place" when inside a meeting folder
    size: int
    mtime_ns: int


@dataclass
class Scan:
    files: list[ScannedFile] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


def is_document_name(name: str) -> bool:
    low = name.lower()
    return not (
        name.startswith((".", "~$", "~"))
        or low in JUNK_NAMES
        or low.endswith(SIDECAR_SUFFIX)
        or low.endswith((".tmp", ".part", ".crdownload"))
    )


def scan_archive(root: Path, config: ArchiveConfig) -> Scan:
    """List every document file under the group folders, reporting what is not a group."""
    root = Path(root)
    scan = Scan()
    slugs = {g.slug for g in config.groups}
    for entry in sorted(os.scandir(root), key=lambda e: e.name):
        if entry.name.startswith(".") or entry.name == ARCHIVE_FILE:
            continue
        if not entry.is_dir(follow_symlinks=False):
            if is_document_name(entry.name):
                scan.warnings.append(Problem(entry.name, "outside any group folder: not indexed"))
            continue
        if entry.name not in slugs:
            scan.warnings.append(Problem(
                entry.name + "/", f"folder '{entry.name}' is not a group in {ARCHIVE_FILE}: not indexed"))
            continue
        _walk_group(root, Path(entry.path), entry.name, scan)
    return scan


def _walk_group(root: Path, group_dir: Path, group: str, scan: Scan) -> None:
    for dirpath, dirnames, filenames in os.walk(group_dir, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        rel_dir = Path(dirpath).relative_to(root).as_posix()
        parts = rel_dir.split("/")
        meeting = "/".join(parts[:2]) if len(parts) >= 2 and parse_meeting_folder(parts[1]) else None
        for name in sorted(filenames):
            if name == MEETING_FILE or not is_document_name(name):
                continue
            path = Path(dirpath) / name
            try:
                st = path.lstat()
            except OSError:
                continue
            if not path.is_file() or path.is_symlink():
                # A link could point outside the archive: the archive holds real files only.
                scan.warnings.append(Problem(f"{rel_dir}/{name}", "symbolic link: not indexed"))
                continue
            scan.files.append(ScannedFile(id=f"{rel_dir}/{name}", path=path, group=group,
                                          meeting_folder=meeting, size=st.st_size,
                                          mtime_ns=st.st_mtime_ns))
