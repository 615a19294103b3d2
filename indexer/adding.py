"""Copy new files into the archive: the right folder, atomically, never over another file."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .atomic import copy_atomic_new, write_bytes_atomic
from .audit import Change, cli_user, record_change
from .config import Sidecar, load_archive_config, parse_meeting_folder, sidecar_path
from .errors import AddError
from .files import sidecar_text
from .models import DOCUMENT_TYPES
from .store import file_sha256

OTHER_FOLDER = "ovrigt"  # files that belong to no meeting


@dataclass(frozen=True)
class AddRequest:
    files: tuple[Path, ...]
    group: str
    meeting: str | None = None  # "YYYY-MM-DD[-place]"
    type: str | None = None
    themes: tuple[str, ...] = ()
    title: str | None = None


def safe_filename(name: str) -> str:
    """Keep a file name's letters (å/ä/ö included); drop path parts and control characters."""
    name = unicodedata.normalize("NFC", name.replace("\\", "/").rsplit("/", 1)[-1])
    name = re.sub(r"[\x00-\x1f\x7f]", "", name)
    name = re.sub(r'[<>:"|?*]', "_", name).strip().lstrip(".")
    if not name or name.lower().endswith(".toml"):
        raise AddError(f"'{name or '(empty)'}' is not a usable file name")
    return name[:200]


def _existing_hashes(folder: Path) -> dict[str, Path]:
    found = {}
    if folder.is_dir():
        for p in folder.iterdir():
            if p.is_file() and not p.name.endswith(".toml"):
                found[file_sha256(p)] = p
    return found


def add_files(archive: Path, req: AddRequest, who: str | None = None) -> list[str]:
    """Copy `req.files` into the archive and return their ids; all are added or none.

    Each addition is a line in the audit log, by `who` (default: the CLI's user).
    """
    archive = Path(archive)
    config = load_archive_config(archive)
    if config.group(req.group) is None:
        known = ", ".join(g.slug for g in config.groups)
        raise AddError(f"'{req.group}' is not a group in arkiv.toml (groups: {known})")
    if req.meeting is not None and parse_meeting_folder(req.meeting) is None:
        raise AddError(f"meeting '{req.meeting}' must be YYYY-MM-DD or YYYY-MM-DD-place, with a real date")
    if req.meeting and not re.fullmatch(r"[\w-]+", req.meeting):
        raise AddError(f"meeting '{req.meeting}' may hold only letters, digits and '-'")
    if req.type is not None and req.type not in DOCUMENT_TYPES:
        raise AddError(f"type '{req.type}' is not one of {', '.join(DOCUMENT_TYPES)}")
    unknown = [t for t in req.themes if t not in {th.name for th in config.themes}]
    if unknown:
        raise AddError(f"unknown theme(s): {', '.join(unknown)} (see arkiv.toml)")
    folder = archive / req.group / (req.meeting or OTHER_FOLDER)

    plan: list[tuple[Path, Path]] = []
    seen_names = set()
    already = _existing_hashes(folder)
    for src in req.files:
        src = Path(src)
        if not src.is_file():
            raise AddError(f"{src}: no such file")
        dest = folder / safe_filename(src.name)
        if dest.name in seen_names:
            raise AddError(f"two files are named {dest.name}")
        seen_names.add(dest.name)
        if dest.exists():
            raise AddError(f"{dest.relative_to(archive).as_posix()} already exists: "
                           "rename your file or remove the old one first (nothing was added)")
        twin = already.get(file_sha256(src))
        if twin is not None:
            raise AddError(f"{src.name} is already in the archive as "
                           f"{twin.relative_to(archive).as_posix()} (nothing was added)")
        plan.append((src, dest))

    said = Sidecar(title=req.title, type=req.type, themes=req.themes or None)
    sidecar = sidecar_text(said).encode() if said != Sidecar() else None
    done: list[Path] = []
    try:
        for src, dest in plan:
            copy_atomic_new(src, dest)
            done.append(dest)
            if sidecar:
                write_bytes_atomic(sidecar_path(dest), sidecar)
                done.append(sidecar_path(dest))
    except BaseException:
        for p in done:  # nothing half-added: take back what this call wrote
            p.unlink(missing_ok=True)
        raise
    ids = [d.relative_to(archive).as_posix() for _, d in plan]
    who = who or cli_user()
    for i in ids:
        record_change(archive, Change("upload", who, file=i, sha256_after=file_sha256(archive / i),
                                      detail={"sidecar": sidecar.decode().strip()} if sidecar else {}))
    return ids
