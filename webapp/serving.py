"""How `arkiv serve` runs: which server, how many processes and threads, and gunicorn's settings.

On POSIX the site runs in gunicorn (webapp/prefork.py): a master that holds the port and
pre-forked worker processes, each building its own app after the fork. Where there is no
fork, or when asked, one waitress process serves. Nothing here imports a server.
"""
from __future__ import annotations

import importlib.util
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from indexer import ArkivError

SERVERS = ("auto", "gunicorn", "waitress")
WAITRESS_THREADS = 8  # one process: this many requests at once
# Threads in each gunicorn worker. Searches are CPU-bound Python under one GIL, so more
# threads in a worker do not search faster: they are there so that a long download, an
# upload waiting for its extraction or for the index lock, or a slow client does not hold up
# the worker's other requests. Two cores x 4 is the 8 requests at once one waitress took.
THREADS = 4
TIMEOUT = 120  # s without a heartbeat from a worker's main loop: it is hung, so it is replaced
GRACEFUL_TIMEOUT = 30  # s a worker has to finish its requests on SIGTERM or a restart
KEEPALIVE = 5  # s an idle keep-alive connection is kept open
# A worker is replaced after this many requests, plus a random 0..JITTER so that workers do
# not restart together: whatever a long-lived worker has accumulated is given back.
MAX_REQUESTS = 10_000
MAX_REQUESTS_JITTER = 1_000
# The longest request line gunicorn bounds (its default is 4094). Every facet value of the
# sample archive chosen at once is a 1 kB line, but themes are the network's own data, a
# pasted query can be long, and each å/ä/ö is 6 bytes percent-encoded.
LIMIT_REQUEST_LINE = 8190
LIMIT_REQUEST_FIELDS = 100
LIMIT_REQUEST_FIELD_SIZE = 8190


class ServeUsage(ArkivError, ValueError):
    """Options of `arkiv serve` that cannot go together (exit 2, like any usage error)."""


@dataclass(frozen=True)
class Site:
    archive: Path
    index_dir: Path
    host: str
    port: int

    @property
    def address(self) -> str:
        """host:port as a URL and gunicorn's bind write it: an IPv6 address in brackets."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    def startup_line(self, processes: str | None = None) -> str:
        detail = f"; {processes}" if processes else ""
        return f"Nätverksarkivet: http://{self.address}/  (archive {self.archive}{detail}; Ctrl+C stops)"

    def app_config(self) -> dict:
        return {"ARKIV_ARCHIVE": str(self.archive), "ARKIV_INDEX": str(self.index_dir)}


def cores() -> int:
    """The cores this process may run on (its CPU affinity), else the machine's."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def gunicorn_problem() -> str | None:
    """Why gunicorn cannot run here, or None when it can."""
    if not hasattr(os, "fork"):
        return "this system cannot fork processes, which gunicorn needs"
    if importlib.util.find_spec("gunicorn") is None:
        return "gunicorn is not installed"
    return None


def choose_server(asked: str, workers: int | None) -> str:
    """gunicorn or waitress for `--server asked --workers workers`; ServeUsage when impossible."""
    problem = gunicorn_problem()
    if asked == "gunicorn" and problem:
        raise ServeUsage(f"--server gunicorn: {problem}")
    if asked == "waitress" and workers and workers > 1:
        raise ServeUsage("--server waitress serves from one process; --workers needs gunicorn")
    if asked == "auto" and problem:
        print(f"{problem}: serving from one process with waitress", file=sys.stderr)
        return "waitress"
    return "waitress" if asked == "waitress" else "gunicorn"


def gunicorn_settings(site: Site, workers: int) -> dict:
    """gunicorn's settings for `site`, named as in gunicorn's documentation.

    The worker class, gunicorn's threaded gthread worker with safer signal handlers, is
    webapp/prefork.py's Worker.
    """
    def ready(arbiter) -> None:  # the port is bound: say where the site is
        noun = "worker process" if workers == 1 else "worker processes"
        print(site.startup_line(f"{workers} {noun}"), file=sys.stderr)

    return {
        "bind": [site.address],
        "workers": workers,
        "threads": THREADS,
        "timeout": TIMEOUT,
        "graceful_timeout": GRACEFUL_TIMEOUT,
        "keepalive": KEEPALIVE,
        "max_requests": MAX_REQUESTS,
        "max_requests_jitter": MAX_REQUESTS_JITTER,
        "limit_request_line": LIMIT_REQUEST_LINE,
        "limit_request_fields": LIMIT_REQUEST_FIELDS,
        "limit_request_field_size": LIMIT_REQUEST_FIELD_SIZE,
        "preload_app": False,  # never: the app, and with it the index, is made in each worker
        "accesslog": None,  # no access log, as with waitress; problems go to stderr
        "errorlog": "-",
        "loglevel": "warning",
        # Trust no client's X-Forwarded-* headers, as waitress does (README: not configured here).
        "forwarded_allow_ips": "",
        "proc_name": "arkiv serve",
        "when_ready": ready,
        # gunicorn 25.1+ opens a control socket, by default one per user under $HOME, which two
        # sites served by one user would share; this site is run by `arkiv serve`, not gunicornc.
        "control_socket_disable": True,
    }
