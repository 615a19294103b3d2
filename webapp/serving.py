"""How `arkiv serve` runs: which server, how many processes and threads, and gunicorn's settings.

On POSIX the site runs in gunicorn (webapp/prefork.py): a master that holds the port and
pre-forked worker processes, each building its own app after the fork. Where there is no
fork, or when asked, one waitress process serves. Nothing here imports a server.
"""
from __future__ import annotations

import errno
import importlib.util
import os
import socket
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
# Slow clients (webapp/incoming.py): each worker's event loop, not a thread, waits for a
# request's head and its first BODY_BUFFER bytes of body, so a client that sends half a
# request holds a socket, never a thread. A head must be complete HEAD_TIMEOUT s after the
# loop began to wait for it; a body is given BODY_TIMEOUT s from the end of the head plus
# 1 s for every MIN_BODY_RATE bytes that arrive (Apache's mod_reqtimeout works the same
# way), whether the loop reads it or, past BODY_BUFFER, a thread. What is too slow is closed:
# with a 408 from the loop, or a 400 from the app when its thread saw the body cut off. A real browser sends a head in one packet and a form at once;
# 16 KiB/s is a poor mobile uplink, and an upload at that pace still keeps going.
HEAD_TIMEOUT = 10
BODY_TIMEOUT = 10
MIN_BODY_RATE = 16 * 1024
BODY_BUFFER = 64 * 1024  # bytes of body read in the loop: every form but an upload fits
MAX_HEAD = 64 * 1024  # a request line and headers longer than this are answered 431 by the loop
# Connections a worker holds at once, waiting or served (gunicorn's default). Each one
# waiting in the loop holds at most MAX_HEAD + BODY_BUFFER bytes, so 1,000 hold at most
# 128 MiB, for at most HEAD_TIMEOUT + BODY_TIMEOUT s unless bytes keep arriving.
WORKER_CONNECTIONS = 1000
FILES_KEPT_FREE = 100  # descriptors a worker keeps for its index, uploads and logs


class ServeUsage(ArkivError, ValueError):
    """Options of `arkiv serve` that cannot go together (exit 2, like any usage error)."""


class PortTaken(ArkivError):
    """The port `arkiv serve` was to listen on cannot be had (exit 1, with how to choose another)."""


def check_port(host: str, port: int) -> None:
    """PortTaken unless this process could listen on host:port now (as the servers bind, SO_REUSEADDR).

    gunicorn and waitress, given a taken port, print a banner and then an error that
    names no port ("arkiv: : Address already in use"); this says which, and what to do.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as e:
        raise PortTaken(f"adressen {host} går inte att lyssna på ({e.strerror}); ange en annan med --host") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(address)
            sock.listen(1)
        except OSError as e:
            where = f"{host}:{port}" if ":" not in host else f"[{host}]:{port}"
            if e.errno == errno.EADDRINUSE:
                raise PortTaken(f"porten {port} på {host} används redan av ett annat program (kanske en annan "
                                f"arkiv serve); välj en annan med --port, till exempel --port {_other(port)} "
                                f"(make run PORT={_other(port)})") from None
            if e.errno == errno.EACCES:
                raise PortTaken(f"{where}: den här användaren får inte lyssna på port {port} (portar under "
                                f"1024 kräver särskild behörighet); välj en annan med --port, till exempel "
                                "--port 5000") from None
            raise PortTaken(f"det går inte att lyssna på {where} ({e.strerror}); välj en annan adress med "
                            "--host eller port med --port") from None


def _other(port: int) -> int:
    return port + 1 if port < 65535 else 5000


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
        return f"Nätverksarkivet: http://{self.address}/  (arkiv {self.archive}{detail}; Ctrl+C stoppar)"

    def app_config(self) -> dict:
        return {"ARKIV_ARCHIVE": str(self.archive), "ARKIV_INDEX": str(self.index_dir)}


def cores() -> int:
    """The cores this process may run on (its CPU affinity), else the machine's."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def worker_connections() -> int:
    """WORKER_CONNECTIONS, or fewer when this process may not open that many files."""
    try:
        import resource

        soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    except (ImportError, OSError, ValueError):
        return WORKER_CONNECTIONS
    if soft == resource.RLIM_INFINITY:
        return WORKER_CONNECTIONS
    return max(THREADS + 1, min(WORKER_CONNECTIONS, soft - FILES_KEPT_FREE))


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
        raise ServeUsage("--server waitress svarar från en process; --workers behöver gunicorn")
    if asked == "auto" and problem:
        print(f"{problem}: svarar från en process med waitress", file=sys.stderr)
        return "waitress"
    return "waitress" if asked == "waitress" else "gunicorn"


def gunicorn_settings(site: Site, workers: int) -> dict:
    """gunicorn's settings for `site`, named as in gunicorn's documentation.

    The worker class, gunicorn's threaded gthread worker with safer signal handlers, is
    webapp/prefork.py's Worker.
    """
    def ready(arbiter) -> None:  # the port is bound: say where the site is
        noun = "arbetsprocess" if workers == 1 else "arbetsprocesser"
        print(site.startup_line(f"{workers} {noun}"), file=sys.stderr)

    return {
        "bind": [site.address],
        "workers": workers,
        "threads": THREADS,
        "worker_connections": worker_connections(),
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
