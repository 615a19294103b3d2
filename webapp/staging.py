"""Uploads waiting for the coordinator's review: outside the archive, until saved or abandoned.

    <index folder>/uploads/<key>/manifest.json   who, when, where to, each file and what was inferred
    <index folder>/uploads/<key>/<n><ext>        the uploaded bytes
    <index folder>/uploads/<key>.saving/         the same, taken by the one request saving it
    <index folder>/uploads/<key>.saved/          this batch was saved: saved.json says who and where its
                                                 documents went (for a late second submit, a reopened URL)

Nothing here is in the archive until the coordinator saves; a batch nobody
saves is removed after a day.  A batch belongs to the coordinator who made it.
"""
from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from werkzeug.datastructures import FileStorage

from indexer import write_bytes_atomic

UPLOADS_DIR = "uploads"
MANIFEST = "manifest.json"
MAX_AGE_SECONDS = 24 * 3600
CHUNK = 1 << 20
_KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_SUFFIX = re.compile(r"^\.[a-z0-9]{1,8}$")


SAVING, SAVED = ".saving", ".saved"
SAVED_RECORD = "saved.json"


class FileTooLarge(Exception):
    def __init__(self, name: str, limit: int):
        super().__init__(name)
        self.name, self.limit = name, limit


@dataclass
class Batch:
    key: str
    folder: Path
    manifest: dict

    def path(self, n: int) -> Path:
        return self.folder / self.manifest["files"][n]["staged"]

    def save(self) -> None:
        write_bytes_atomic(self.folder / MANIFEST, json.dumps(self.manifest, ensure_ascii=False).encode("utf-8"))


class Staging:
    def __init__(self, index_dir: Path):
        self.root = Path(index_dir) / UPLOADS_DIR

    def create(self, owner: str) -> Batch:
        self.cleanup()
        key = secrets.token_urlsafe(18)
        folder = self.root / key
        folder.mkdir(parents=True, mode=0o700)
        return Batch(key, folder, {"owner": owner, "created": time.time(), "files": []})

    def add(self, batch: Batch, upload: FileStorage, limit: int) -> dict:
        """Copy one uploaded file in, refusing it past `limit` bytes."""
        n = len(batch.manifest["files"])
        original = upload.filename or ""
        suffix = Path(original.replace("\\", "/").rsplit("/", 1)[-1]).suffix.lower()
        staged = str(n) + (suffix if _SUFFIX.match(suffix) else "")
        size = 0
        with open(batch.folder / staged, "wb") as out:
            while chunk := upload.stream.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise FileTooLarge(original, limit)
                out.write(chunk)
        entry = {"staged": staged, "original": original, "size": size}
        batch.manifest["files"].append(entry)
        return entry

    def load(self, key: str, owner: str) -> Batch | None:
        if not _KEY.match(key or ""):
            return None
        folder = self.root / key
        try:
            manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if manifest.get("owner") != owner or time.time() - manifest.get("created", 0) > MAX_AGE_SECONDS:
            return None
        return Batch(key, folder, manifest)

    def claim(self, batch: Batch) -> Batch | None:
        """The batch taken for saving by this request alone, or None when another one took it first.

        A rename is atomic: of two submits of one review form (a double click, a second
        tab), one gets the folder and saves, the other is told, and nothing is saved twice.
        """
        claimed = self.root / (batch.key + SAVING)
        try:
            os.rename(batch.folder, claimed)
        except OSError:
            return None
        return Batch(batch.key, claimed, batch.manifest)

    def release(self, claimed: Batch) -> None:
        """Saving failed: the batch is back, to review and save again."""
        try:
            os.rename(claimed.folder, self.root / claimed.key)
        except OSError:
            pass

    def saved(self, claimed: Batch, record: dict | None = None) -> None:
        """Saving succeeded: the files go; a folder with `record` (where they went) says so for a day.

        The marker comes first: a second submit asking in between finds "saving" or
        "saved", never neither (which read as an unknown batch, a 404).
        """
        marker = self.root / (claimed.key + SAVED)
        marker.mkdir(mode=0o700, exist_ok=True)
        if record is not None:
            data = {"owner": claimed.manifest.get("owner"), "created": time.time(), **record}
            write_bytes_atomic(marker / SAVED_RECORD, json.dumps(data, ensure_ascii=False).encode("utf-8"))
        shutil.rmtree(claimed.folder, ignore_errors=True)

    def saved_record(self, key: str, owner: str) -> dict | None:
        """Where a saved batch's documents went, for its owner; None when it is not saved (or not theirs)."""
        if not _KEY.match(key or ""):
            return None
        try:
            data = json.loads((self.root / (key + SAVED) / SAVED_RECORD).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("owner") != owner or not isinstance(data.get("added"), list):
            return None
        return data

    def state(self, key: str) -> str | None:
        """"saving" or "saved" for a batch no longer waiting for review, else None."""
        if not _KEY.match(key or ""):
            return None
        if (self.root / (key + SAVED)).is_dir():
            return "saved"
        if (self.root / (key + SAVING)).is_dir():
            return "saving"
        return None

    def discard(self, batch: Batch) -> None:
        shutil.rmtree(batch.folder, ignore_errors=True)

    def cleanup(self) -> None:
        if not self.root.is_dir():
            return
        now = time.time()
        for p in self.root.iterdir():
            try:
                if p.is_dir() and now - p.stat().st_mtime > MAX_AGE_SECONDS:
                    shutil.rmtree(p, ignore_errors=True)
            except OSError:
                continue
