"""`arkiv serve` on POSIX: the web app in gunicorn's pre-fork worker processes behind one port.

The master only binds the port and keeps the workers alive; each worker builds its own app
after the fork (gunicorn's `load()`), so each has its own SearchIndex, searcher and answer
cache, and notices a new committed index state on its next search by itself.
"""
from __future__ import annotations

import errno
import selectors
import time
from functools import partial

from gunicorn import http
from gunicorn.app.base import BaseApplication
from gunicorn.workers.gthread import ThreadWorker

from .incoming import CONTINUE, READY, REFUSED, TIMED_OUT, Arrival
from .serving import MIN_BODY_RATE, Site, gunicorn_settings

RECV_SIZE = 64 * 1024
# accept() errors that mean "not now": the client went away, or the process is out of
# descriptors for a moment. gthread's own accept() lets the last two end the worker.
ACCEPT_LATER = (errno.EAGAIN, errno.EWOULDBLOCK, errno.ECONNABORTED, errno.EMFILE, errno.ENFILE)


class DeadlineSocket:
    """A client socket as a thread's request parser reads it: no read waits past a deadline.

    What of a request the event loop did not read (a body past BODY_BUFFER: an upload) is
    read in the thread through this; the deadline grows by 1 s per MIN_BODY_RATE bytes.
    Once it has passed, a read returns end-of-file: the app sees a cut-off body (a 400) and
    the connection is closed. Everything but recv is the socket's own.
    """

    def __init__(self, sock):
        self._sock = sock
        self.deadline: float | None = None
        self.expired = False

    def arm(self, deadline: float) -> None:
        self.deadline, self.expired = deadline, False

    def recv(self, size: int) -> bytes:
        if self.deadline is not None:
            left = self.deadline - time.monotonic()
            if left <= 0 or not _readable(self._sock, left):
                self.expired = True
                return b""
        data = self._sock.recv(size)
        if self.deadline is not None:
            self.deadline += len(data) / MIN_BODY_RATE
        return data

    def __getattr__(self, name):
        return getattr(self._sock, name)


def _readable(sock, timeout: float) -> bool:
    with selectors.DefaultSelector() as sel:
        sel.register(sock, selectors.EVENT_READ)
        return bool(sel.select(timeout))


class Worker(ThreadWorker):
    """gunicorn's gthread worker that reads requests in its event loop and stops by a flag alone.

    Slow clients: gthread gives a connection to a thread as soon as a byte arrives, and the
    thread then waits for the rest of the request, so each half-sent request held one of the
    worker's 4 threads until the client gave up (100 of them stalled the site). Here the loop
    reads the head and a small body without blocking (webapp/incoming.py), a thread gets the
    request once it is all there, and the loop answers a request that is too slow with 408.

    Signals: gunicorn's own handlers shut the thread pool down (SIGQUIT, and SIGINT from
    Ctrl+C) or, since 25, queue a wake-up (SIGTERM) inside the signal handler. A signal that
    lands while the main loop holds that same lock, handing a request to the pool, deadlocks
    the worker (CPython issue 121649) until the master kills it after the graceful timeout:
    here about one Ctrl+C in twelve took 30 s. Setting `alive` is all these handlers do; the
    main loop sees it within its one-second poll, stops accepting and finishes the requests
    in flight.
    """

    def handle_exit(self, sig, frame) -> None:
        self.alive = False

    def handle_quit(self, sig, frame) -> None:
        self.alive = False

    def init_process(self) -> None:
        self.arriving: dict = {}  # TConn -> Arrival: the requests the loop is reading
        self._body_limit: int | None | bool = False  # the app's MAX_CONTENT_LENGTH, once it is loaded
        super().init_process()  # ends in the worker's loop

    def body_limit(self) -> int | None:
        if self._body_limit is False:
            config = getattr(self.wsgi, "config", None) or {}
            self._body_limit = config.get("MAX_CONTENT_LENGTH")
        return self._body_limit

    def accept(self, listener) -> None:
        try:
            super().accept(listener)
        except OSError as e:
            if e.errno not in ACCEPT_LATER:
                raise

    def enqueue_req(self, conn) -> None:
        """Read conn's next request in the loop; _hand_over gives it to a thread once it is there."""
        if self.cfg.is_ssl:  # `arkiv serve` has no TLS: gunicorn's own path, should a setting add it
            return super().enqueue_req(conn)
        early = conn.parser.unreader.take_buffered() if conn.parser else b""
        arrival = Arrival(time.monotonic(), self.body_limit())
        self.arriving[conn] = arrival
        conn.sock.setblocking(False)
        self.poller.register(conn.sock, selectors.EVENT_READ, partial(self._readable, conn))
        if early:  # pipelined behind the last request, or read ahead while draining its body
            self._took(conn, arrival, early)

    def _readable(self, conn, sock) -> None:
        try:
            data = sock.recv(RECV_SIZE)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:  # the client closed before its request was complete
            self._drop(conn)
            return
        self._took(conn, self.arriving[conn], data)

    def _took(self, conn, arrival: Arrival, data: bytes) -> None:
        state = arrival.feed(data, time.monotonic())
        if arrival.send_continue:
            arrival.send_continue = False
            self._send(conn, CONTINUE)
        if state == READY:
            self._hand_over(conn, arrival)
        elif state == REFUSED:
            self._drop(conn, arrival.answer)

    def _hand_over(self, conn, arrival: Arrival) -> None:
        self._forget(conn)
        if conn.parser is None:
            conn.parser = http.get_parser(self.cfg, DeadlineSocket(conn.sock), conn.client)
        conn.parser.unreader.unread(bytes(arrival.data))
        sock = getattr(conn.parser.unreader, "sock", None)
        if isinstance(sock, DeadlineSocket):
            sock.arm(arrival.deadline)
        conn.data_ready = True  # gthread's own wait for a first byte is over
        super().enqueue_req(conn)

    def murder_pending(self) -> None:
        """Close what waited too long: gthread's deferred connections, and requests arriving too slowly."""
        super().murder_pending()
        now = time.monotonic()
        for conn, arrival in list(self.arriving.items()):
            if not self.alive:  # stopping: a request not all here yet will not be served
                self._drop(conn)
            elif arrival.expired(now):
                self._drop(conn, TIMED_OUT if arrival.data else b"")

    def _forget(self, conn) -> None:
        del self.arriving[conn]
        try:
            self.poller.unregister(conn.sock)
        except (KeyError, ValueError, OSError):
            pass

    def _drop(self, conn, answer: bytes = b"") -> None:
        self._forget(conn)
        if answer:
            self._send(conn, answer)
        self.nr_conns -= 1
        conn.close()

    @staticmethod
    def _send(conn, data: bytes) -> None:
        """A short answer into the socket's buffer, never waiting on a client that does not read."""
        try:
            conn.sock.send(data)
        except OSError:
            pass

    def handle(self, conn):
        """gthread's handle; a connection whose body came too slowly is closed, never kept alive."""
        keep = super().handle(conn)
        sock = getattr(getattr(conn.parser, "unreader", None), "sock", None)
        if isinstance(sock, DeadlineSocket) and sock.expired:
            return False
        return keep


class Prefork(BaseApplication):
    """gunicorn's custom application (its documented API): settings in, one app per worker out."""

    def __init__(self, site: Site, workers: int):
        self.site = site
        self.options = gunicorn_settings(site, workers)
        super().__init__(prog="arkiv serve")

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings:  # a setting an older gunicorn lacks is a feature it lacks
                self.cfg.set(key, value)
        self.cfg.set("worker_class", Worker)  # gthread's, with signal handlers that cannot deadlock

    def load(self):
        """Runs in each worker after the fork: the worker's own app, index and caches."""
        from .app import create_app
        from .archive import warm

        app = create_app(self.site.app_config())
        warm(app)
        return app


def serve(site: Site, workers: int) -> int:
    """Run the master until SIGINT (Ctrl+C) or SIGTERM stops it and its workers; its exit code."""
    try:
        Prefork(site, workers).run()
    except SystemExit as e:  # gunicorn's master ends with sys.exit: 0 when stopped, else why not
        return e.code if isinstance(e.code, int) else 1
    return 0
