"""Write files so that a crash leaves either the old or the new content, never half.

File modes: everything written here gets 0666 less the process's umask (0644 under the
usual 022), as `cp` or an editor would give it, whoever wrote it (an upload, a sidecar,
`arkiv add`, a move, the index): the archive's documents are what the site publishes,
and a backup or a second account may need to read them. A server that must keep them to
itself runs with umask 027 or 077. mkstemp's 0600 made uploads and sidecars unreadable to
the group while files copied in by hand and the audit log were 0644. Secrets pass
`mode=0o600` (the accounts file).
"""
from __future__ import annotations

import os
import tempfile
from functools import lru_cache
from pathlib import Path

FILE_MODE = 0o666  # before the umask


@lru_cache(maxsize=1)
def umask() -> int:
    """The process's umask, read without changing it (Linux shows it in /proc), else set and restored."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)  # no /proc: the only way to read it is to set it
    os.umask(mask)
    return mask


def file_mode() -> int:
    """The mode every file of the archive and the index is written with."""
    return FILE_MODE & ~umask()


def write_bytes_atomic(path: Path, data: bytes, durable: bool = True, mode: int | None = None) -> None:
    """Write `data` to `path` through a temporary file in the same folder, then rename.

    `durable=False` skips the fsyncs: for caches, whose torn entries are simply
    read as missing after a power cut. `mode` is file_mode() unless given.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=path.suffix, dir=path.parent)
    try:
        os.fchmod(fd, file_mode() if mode is None else mode)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            if durable:
                f.flush()
                os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    if durable:
        fsync_dir(path.parent)


def copy_atomic_new(src: Path, dest: Path) -> None:
    """Copy `src` to `dest`, which must not exist; never overwrite, never leave a partial file."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=dest.suffix, dir=dest.parent)
    try:
        os.fchmod(fd, file_mode())
        with os.fdopen(fd, "wb") as out, open(src, "rb") as inp:
            while chunk := inp.read(1 << 20):
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        # link() fails if dest exists, unlike rename(): a file that appeared meanwhile survives.
        os.link(tmp, dest)
    finally:
        Path(tmp).unlink(missing_ok=True)
    fsync_dir(dest.parent)


def fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
