"""Where the archive and the index are when nobody says."""
from __future__ import annotations

import os
from pathlib import Path

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
