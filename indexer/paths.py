"""Where the archive and the index are when nobody says, and which file a document id names."""
from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

BUNDLED_ARCHIVE = Path(__file__).resolve().parent.parent / "archive"


def resolve_archive(given: str | None, environ=os.environ) -> Path:
    """--archive, else $ARKIV_ARCHIVE, else the bundled sample archive."""
    return Path(given or environ.get("ARKIV_ARCHIVE") or BUNDLED_ARCHIVE).expanduser()


def resolve_index(given: str | None, archive: Path, environ=os.environ) -> Path:
    """--index, else $ARKIV_INDEX, else a folder beside the archive (never inside it)."""
    if given or environ.get("ARKIV_INDEX"):
        return Path(given or environ["ARKIV_INDEX"]).expanduser()
    archive = archive.resolve()
    return archive.parent / f"{archive.name}-index"


def id_parts(doc_id: str) -> tuple[str, ...] | None:
    """Return the parts of a document id (`group/…/name`), or None when it could leave the archive.

    Refused: empty parts, `.` and `..`, absolute paths, backslashes, NUL, and parts
    starting with a dot (the archive's own .trash and lock files are no documents).
    """
    path = PurePosixPath(doc_id)
    if (not doc_id or "\\" in doc_id or "\x00" in doc_id or path.is_absolute() or len(path.parts) < 2
            or any(p in ("", ".", "..") or p.startswith(".") for p in doc_id.split("/"))):
        return None
    return path.parts


def unlinked_path(archive: Path, parts: tuple[str, ...]) -> Path | None:
    """Return `archive/parts…` when no step on the way is a symbolic link, else None."""
    walked = Path(archive)
    for p in parts:
        walked = walked / p
        if walked.is_symlink():
            return None
    return walked
