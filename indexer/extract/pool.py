"""Extraction in a pool of warm worker processes, each file under a time and a memory limit.

A hostile or broken file may make a parser loop, allocate gigabytes or crash the
interpreter.  Each file is therefore read in a worker process that lives for many
files, so starting one and importing pypdf, python-docx and python-pptx is paid
once per worker, not per file.

Workers are fresh interpreters (`python -c`, like multiprocessing's "spawn", never
"fork": nothing is inherited from the parent, not its threads, not its open locks)
that import only this module and the parsers.  Unlike multiprocessing's spawn they
do not run the parent's `__main__` again, so it works from any host program (the
`arkiv` script would otherwise make every worker import Flask; a script without a
`__main__` guard, or code fed on stdin, would not work at all).  The parent's
sys.path is sent first, so a target function anywhere the parent can import works.

The parent gives a worker one file at a time and:
- kills it when the file takes longer than `timeout_base` seconds plus
  `timeout_per_page` per page (the worker says the page count as soon as it knows
  it), and records the file as "timeout";
- caps its address space (`RLIMIT_AS`), so a file that needs too much memory ends
  as a MemoryError in the worker ("too much memory") instead of swapping the machine;
- replaces a worker that died (killed by the system's out-of-memory killer, or a
  crash in a C library) and records the file it was reading.

A worker dies with the process that started it (Linux: PR_SET_PDEATHSIG; elsewhere
a watchdog thread), so `kill -9` of `arkiv index` leaves no worker behind.
"""
from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Callable, Iterator, Sequence

from ..errors import ArkivError, ExtractionError
from ..models import TIMEOUT, TOO_MUCH_MEMORY, Failure, Result
from .ocr import OcrOptions
from .read import DEFAULT_MAX_BYTES, extract

# A target reads one file: target(path, max_bytes, on_pages) -> Result, or, when run() is
# given a job for the file, target(path, max_bytes, on_pages, job).  `on_pages(n)` says the
# page count; `on_pages.ocr(done, total)` says how far OCR is (each page OCR'd adds
# `timeout_per_ocr_page` to the file's time limit).  It must be a
# module-level function or a functools.partial of one (workers unpickle it by name); a
# target may return any picklable object besides a Failure.
Target = Callable[..., Result]

GiB = 1024 ** 3
OUT_OF_MEMORY = Failure(TOO_MUCH_MEMORY, "ran out of memory while reading the file")

EXIT_OUT_OF_MEMORY = 86  # a worker that could not even report its MemoryError
STARTUP_TIMEOUT = 120.0  # seconds a new worker may take to import the libraries
MAX_STARTUP_FAILURES = 3
TASKS_PER_WORKER = 500  # then the worker is replaced: parsers leak, fragmentation grows
# More workers than one start only when the files are not all read after this long: a
# worker costs ~0.3 s of CPU to start, more than a small batch of files takes to read.
RAMP_UP = 0.5
PRELOAD = ("indexer.extract.pdf", "indexer.extract.docx", "indexer.extract.pptx",
           "indexer.extract.odt", "indexer.extract.text", "indexer.extract.image", "charset_normalizer", "pypdf",
           "docx.package", "pptx.package", "pypdfium2", "PIL.Image")


class WorkerStartError(ArkivError):
    """Extraction worker processes cannot be started (a broken installation)."""


@dataclass(frozen=True)
class PoolLimits:
    timeout_base: float = 30.0  # seconds per file ...
    timeout_per_page: float = 0.5  # ... plus this per page or slide, once the count is known
    # ... plus this per page to OCR, once the worker says how many: Tesseract takes ~2 s of CPU
    # a page at 300 dpi, and a page read turned (orientation detection) three times that.
    timeout_per_ocr_page: float = 30.0
    memory_limit: int | None = 2 * GiB  # address space per worker; None: no limit
    max_bytes: int = DEFAULT_MAX_BYTES  # larger files are refused as "too large" unread

    def timeout(self, pages: int | None, ocr_pages: int = 0) -> float:
        return self.timeout_base + self.timeout_per_page * (pages or 0) + self.timeout_per_ocr_page * ocr_pages


def extract_file(path: str, max_bytes: int, on_pages: Callable[[int], None], ocr: OcrOptions | None = None) -> Result:
    """The default target: extract() with every failure turned into a Failure; OCR with `ocr`."""
    try:
        return extract(Path(path), max_bytes, on_pages=on_pages, ocr=ocr, on_ocr=getattr(on_pages, "ocr", None))
    except ExtractionError as e:
        return Failure(e.reason, e.detail)
    except MemoryError:
        return OUT_OF_MEMORY
    except Exception as e:  # noqa: BLE001 - a bug in an extractor costs this file, not the run
        return Failure("corrupt", f"{type(e).__name__}: {e}")


# -- the worker side ----------------------------------------------------------------------


def _die_with_parent(parent: int) -> None:
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        PR_SET_PDEATHSIG = 1
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0:
            if os.getppid() != parent:  # the parent died before prctl took effect
                os._exit(1)
            return
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:
        os._exit(1)

    def watch() -> None:  # not Linux: look every half second
        while True:
            time.sleep(0.5)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="parent-watchdog", daemon=True).start()


def _limit_memory(limit: int | None) -> None:
    if not limit:
        return
    try:
        import resource

        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ImportError, ValueError, OSError):  # no RLIMIT_AS here: the timeout still holds
        pass


# What a worker interpreter runs: stdlib only until the parent's sys.path is in place.
_BOOT = ("import sys\n"
         "from multiprocessing.connection import Connection\n"
         "conn = Connection(int(sys.argv[1]))\n"
         "sys.path[:] = conn.recv()\n"
         "from indexer.extract.pool import worker_main\n"
         "worker_main(conn, int(sys.argv[2]))\n")


class _Reporter:
    """A target's `on_pages`: tells the parent the page count, and OCR's progress."""

    def __init__(self, conn: Connection, task_id: int):
        self.conn, self.task_id = conn, task_id

    def __call__(self, n: int) -> None:
        self.conn.send(("pages", self.task_id, int(n)))

    def ocr(self, done: int, total: int) -> None:
        self.conn.send(("ocr", self.task_id, int(done), int(total)))


def worker_main(conn: Connection, parent: int) -> None:
    """A worker's life: limit itself, import the parsers, then read files until told to stop."""
    _die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    memory_limit, target = conn.recv()
    _limit_memory(memory_limit)
    # pypdf logs every repaired oddity; the report already says what matters.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    import importlib

    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except ImportError:
            pass  # extract() reports the missing library for the files that need it
    conn.send(("ready",))
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        task_id, path, max_bytes, job = task
        on_pages = _Reporter(conn, task_id)

        try:
            result = target(path, max_bytes, on_pages) if job is None else target(path, max_bytes, on_pages, job)
        except MemoryError:
            result = OUT_OF_MEMORY
        except Exception as e:  # noqa: BLE001 - a target that raises costs this file
            result = Failure("corrupt", f"{type(e).__name__}: {e}")
        try:
            conn.send(("done", task_id, result))
        except MemoryError:
            os._exit(EXIT_OUT_OF_MEMORY)
        except (OSError, EOFError):
            return


# -- the parent side ------------------------------------------------------------------------


class _Worker:
    def __init__(self, limits: PoolLimits, target: Target):
        ours, theirs = socket.socketpair()
        self.conn = Connection(ours.detach())
        child_fd = theirs.detach()
        # The worker's stderr, read only to say why a worker would not start.
        self.stderr = tempfile.TemporaryFile()
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-c", _BOOT, str(child_fd), str(os.getpid())], pass_fds=(child_fd,),
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self.stderr)
        except BaseException:
            self.conn.close()
            self.stderr.close()
            raise
        finally:
            os.close(child_fd)
        try:
            self.conn.send([p for p in sys.path if isinstance(p, str)])
            self.conn.send((limits.memory_limit, target))
        except OSError:
            pass  # died at once: seen as end of file on the connection
        self.ready = False
        self.started = time.monotonic()
        self.task: int | None = None
        self.task_started = 0.0
        self.pages: int | None = None
        self.ocr_total = 0  # pages the file being read has to OCR
        self.done = 0

    def deadline(self, limits: PoolLimits) -> float:
        if not self.ready:
            return self.started + STARTUP_TIMEOUT
        if self.task is None:
            return float("inf")
        return self.task_started + limits.timeout(self.pages, self.ocr_total)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def kill(self) -> int:
        """Kill the worker (if it still runs), reap it, free its resources; the exit code."""
        if self.proc.poll() is None:
            self.proc.kill()
        code = self.proc.wait()
        self.conn.close()
        self.stderr.close()
        return code

    def stop(self) -> None:
        """Ask an idle worker to leave; kill it if it does not within a second."""
        try:
            self.conn.send(None)
            self.proc.wait(1.0)
        except (OSError, subprocess.TimeoutExpired):
            pass
        self.kill()

    def last_words(self) -> str:
        try:
            self.stderr.seek(0)
            lines = self.stderr.read()[-2000:].decode("utf-8", "replace").strip().splitlines()
        except (OSError, ValueError):
            return ""
        return lines[-1] if lines else ""


def _death_reason(exitcode: int | None) -> Failure:
    if exitcode == EXIT_OUT_OF_MEMORY:
        return OUT_OF_MEMORY
    if exitcode == -signal.SIGKILL:
        return Failure(TOO_MUCH_MEMORY, "the reader was killed while reading the file (out of memory?)")
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        return Failure("corrupt", f"the reader crashed on this file ({name})")
    return Failure("corrupt", f"the reader stopped on this file (exit code {exitcode})")


class ExtractionPool:
    """Warm worker processes that read files, each under the pool's limits.

        with ExtractionPool(jobs, limits) as pool:
            for i, result in pool.run(paths):   # in the order files finish
                ...

    `result` is an Extraction or (reason, detail).  Workers are started when the
    first file is given: one at once, up to `jobs` (never more than there are files)
    if the files are not all read within RAMP_UP seconds.  Use a pool from one thread:
    on Linux a worker dies with the thread that started it.
    """

    def __init__(self, jobs: int = 1, limits: PoolLimits = PoolLimits(), target: Target = extract_file):
        self.jobs = max(1, jobs)
        self.limits = limits
        self.target = target
        self.workers: list[_Worker] = []
        self.replaced = 0  # workers killed or lost and replaced, for the curious
        self._startup_failures = 0
        self._ramp_at = 0.0

    def __enter__(self) -> ExtractionPool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Stop every worker; the ones still reading are killed."""
        workers, self.workers = self.workers, []
        for w in workers:
            if w.ready and w.task is None:
                w.stop()
            else:
                w.kill()

    def pids(self) -> list[int]:
        return [w.pid for w in self.workers]

    # -- running ------------------------------------------------------------------------
    def _start(self) -> _Worker:
        w = _Worker(self.limits, self.target)
        self.workers.append(w)
        return w

    def _retire(self, w: _Worker, kill: bool) -> None:
        self.workers.remove(w)
        if kill:
            w.kill()
        else:
            w.stop()

    def _lost(self, w: _Worker) -> Iterator[tuple[int, Result]]:
        """A worker died (its connection reads as end of file): record the file it was reading."""
        task = w.task
        self.workers.remove(w)
        words = w.last_words()
        exitcode = w.kill()
        if not w.ready:
            self._startup_failures += 1
            if self._startup_failures >= MAX_STARTUP_FAILURES:
                raise WorkerStartError(
                    f"the extraction worker processes cannot start (exit code {exitcode}"
                    f"{': ' + words if words else ''}); is the installation complete?")
            return
        self.replaced += 1
        if task is not None:
            yield task, _death_reason(exitcode)

    def _dispatch(self, pending: deque[int], paths: Sequence[str | os.PathLike[str]],
                  jobs: Sequence | None) -> None:
        """Give files to idle workers; start workers while there are files for them."""
        for w in list(self.workers):
            if not pending:
                break
            if w.ready and w.task is None:
                if w.done >= TASKS_PER_WORKER:
                    self._retire(w, kill=False)
                    continue
                i = pending.popleft()
                try:
                    w.conn.send((i, str(paths[i]), self.limits.max_bytes, jobs[i] if jobs is not None else None))
                except OSError:
                    pending.appendleft(i)  # it died idle: its end of file is read next
                    continue
                w.task, w.task_started, w.pages, w.ocr_total = i, time.monotonic(), None, 0
        starting = sum(1 for w in self.workers if not w.ready)
        while len(self.workers) < self.jobs and len(pending) > starting and \
                (not self.workers or time.monotonic() >= self._ramp_at):
            self._start()
            starting += 1

    def _read(self, w: _Worker, on_ocr: Callable[[int, int, int], None] | None) -> Iterator[tuple[int, Result]]:
        while w in self.workers and w.conn.poll():  # poll() is true at end of file too
            try:
                msg = w.conn.recv()
            except (EOFError, OSError):
                yield from self._lost(w)
                return
            kind = msg[0]
            if kind == "ready":
                w.ready = True
                self._startup_failures = 0
            elif kind == "pages" and msg[1] == w.task:
                w.pages = msg[2]
            elif kind == "ocr" and msg[1] == w.task:
                w.ocr_total = msg[3]
                if on_ocr:
                    on_ocr(w.task, msg[2], msg[3])
            elif kind == "done" and msg[1] == w.task:
                task, result = w.task, msg[2]
                w.task = None
                w.done += 1
                if isinstance(result, Failure) and result.reason == TOO_MUCH_MEMORY:
                    # A worker that hit its limit may be fragmented or half-broken.
                    self._retire(w, kill=True)
                    self.replaced += 1
                yield task, result

    def _overdue(self, w: _Worker) -> Iterator[tuple[int, Result]]:
        self._retire(w, kill=True)
        if not w.ready:
            self._startup_failures += 1
            if self._startup_failures >= MAX_STARTUP_FAILURES:
                raise WorkerStartError(
                    f"the extraction worker processes do not start within {STARTUP_TIMEOUT:.0f} s")
            return
        self.replaced += 1
        seconds = time.monotonic() - w.task_started
        limit = self.limits.timeout(w.pages, w.ocr_total)
        yield w.task, Failure(TIMEOUT, f"reading took over {seconds:.{0 if limit >= 10 else 1}f} s and was "
                                       f"stopped (limit {limit:.{0 if limit >= 10 else 1}f} s)")

    def run(self, paths: Sequence[str | os.PathLike[str]], jobs: Sequence | None = None,
            on_ocr: Callable[[int, int, int], None] | None = None) -> Iterator[tuple[int, Result]]:
        """Read every path; yield (position in `paths`, result) as each one finishes.

        With `jobs` (one picklable value per path), the target is given the path's job too.
        `on_ocr(position, done, total)` is called as a file's pages are OCR'd.
        """
        pending = deque(range(len(paths)))
        self._ramp_at = time.monotonic() + RAMP_UP
        while pending or any(w.task is not None for w in self.workers):
            self._dispatch(pending, paths, jobs)
            now = time.monotonic()
            deadline = min((w.deadline(self.limits) for w in self.workers), default=now)
            if now < self._ramp_at and len(self.workers) < self.jobs and \
                    len(pending) > sum(1 for w in self.workers if not w.ready):
                deadline = min(deadline, self._ramp_at)  # wake up to start more workers
            # A worker that dies closes its end: its connection reads as end of file.
            ready = wait([w.conn for w in self.workers], timeout=min(max(0.0, deadline - now), 1.0))
            for w in [w for w in self.workers if w.conn in ready]:
                yield from self._read(w, on_ocr)
            now = time.monotonic()
            for w in [w for w in self.workers if now >= w.deadline(self.limits)]:
                yield from self._overdue(w)
