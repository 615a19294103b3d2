"""The app's archive and its index: opened once, reached from any request (flaskr's db.py)."""
from __future__ import annotations

import re
import threading
from pathlib import Path

from flask import Flask, abort, current_app, request

from indexer import ArkivError, SearchIndex, id_parts

from .meetings import folder_date

EXTENSION = "arkiv"
_ENCODED_SEPARATOR = re.compile(r"%(2f|5c|00)", re.IGNORECASE)


class IndexHolder:
    """Opens the archive's SearchIndex once, on first use, and hands the same one out after."""

    def __init__(self, archive: Path, index_dir: Path):
        self.archive = archive
        self.index_dir = index_dir
        self._lock = threading.Lock()
        self._index: SearchIndex | None = None

    def get(self) -> SearchIndex:
        with self._lock:
            if self._index is None:
                self._index = SearchIndex(self.archive, self.index_dir)
            return self._index


def init_archive(app: Flask, archive: Path, index_dir: Path) -> None:
    app.extensions[EXTENSION] = IndexHolder(archive, index_dir)


def holder(app: Flask | None = None) -> IndexHolder:
    return (app or current_app).extensions[EXTENSION]


def get_index(app: Flask | None = None) -> SearchIndex:
    """The app's SearchIndex, opened on first use (IndexMissing etc. surface as 503 pages)."""
    return holder(app).get()


def warm(app: Flask) -> None:
    """Open the app's index and load the Swedish tables before the first visitor pays for them."""
    try:
        get_index(app).warm()
    except ArkivError:
        pass  # a missing or unreadable index is said on every page, and a first search says it again


def archive_dir() -> Path:
    return holder().archive


def checked_id(doc_id: str) -> str:
    """404 for ids that try to leave the archive: '..', absolute, encoded separators, NUL."""
    raw = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI") or ""
    if _ENCODED_SEPARATOR.search(raw.split("?", 1)[0]) or id_parts(doc_id) is None:
        abort(404)
    return doc_id


def meeting_or_404(group: str, folder: str):
    """The meeting's record; unknown groups and folders, and names that try to leave the archive, are 404."""
    index = get_index()
    where = checked_id(f"{group}/{folder}")
    if index.config.group(group) is None or folder_date(folder) is None:
        abort(404)
    record = index.meeting(where)
    if record is None:
        abort(404)
    return record
