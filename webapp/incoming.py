"""How much of a request has arrived: what gunicorn's event loop reads before a thread takes it.

A thread of a gunicorn gthread worker that parses a request reads the socket until the
request is there, so a client that sends half a request and then waits holds the thread;
four such clients stalled a worker, and 100 the site. webapp/prefork.py's worker reads
each request's head, and a body of up to BODY_BUFFER bytes, here in its event loop
without blocking, under deadlines, and hands the request to a thread once it has arrived.
Nothing here touches a socket: bytes and times in, a decision out.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .serving import BODY_BUFFER, BODY_TIMEOUT, HEAD_TIMEOUT, MAX_HEAD, MIN_BODY_RATE

# What the event loop answers when it refuses a request itself, then closes the connection.
TIMED_OUT = b"HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
HEAD_TOO_LARGE = b"HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
# Browsers never send a request body in chunks: a chunked body has no length to wait for,
# so it could only be read in a thread, at whatever pace the client likes.
LENGTH_REQUIRED = b"HTTP/1.1 411 Length Required\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"

WAITING, READY, REFUSED = "waiting", "ready", "refused"


@dataclass
class Arrival:
    """One request as it arrives: its bytes so far, its deadline and what to do with it."""

    started: float  # when the loop began waiting for it (accepted, or readable again after keep-alive)
    body_limit: int | None = None  # the app's MAX_CONTENT_LENGTH: a longer body the app refuses unread
    data: bytearray = field(default_factory=bytearray)
    state: str = WAITING
    answer: bytes = b""  # when REFUSED: what to send before closing
    send_continue: bool = False  # the client waits for a 100 Continue before it sends the body
    deadline: float = 0.0
    _head_end: int | None = None
    _body_wanted: int = 0

    def __post_init__(self) -> None:
        self.deadline = self.started + HEAD_TIMEOUT

    def feed(self, data: bytes, now: float) -> str:
        """Take the bytes that arrived at `now`; the state after them."""
        self.data += data
        if self._head_end is None:
            self._find_head(now)
        else:
            self.deadline += len(data) / MIN_BODY_RATE
        if self._head_end is not None and self.state == WAITING:
            if len(self.data) - self._head_end >= self._body_wanted:
                self.state = READY
        return self.state

    def expired(self, now: float) -> bool:
        return self.state == WAITING and now >= self.deadline

    def _find_head(self, now: float) -> None:
        # gunicorn drops one CRLF before the request line; a bare LF ends nothing it reads, so a
        # head ending in "\n\n" is handed on for gunicorn to refuse rather than waited on here.
        start = 2 if self.data[:2] == b"\r\n" else 0
        ends = [(i, len(mark)) for mark in (b"\r\n\r\n", b"\n\n") if (i := self.data.find(mark, start)) >= 0]
        if not ends:
            if len(self.data) > MAX_HEAD:
                self.state, self.answer = REFUSED, HEAD_TOO_LARGE
            return
        at, length = min(ends)
        self._head_end = at + length
        self.deadline = now + BODY_TIMEOUT + (len(self.data) - self._head_end) / MIN_BODY_RATE
        self._body_wanted = self._body_to_wait_for(bytes(self.data[start:at]))

    def _body_to_wait_for(self, head: bytes) -> int:
        """How many bytes of body to read here; what the headers do not make clear, gunicorn decides."""
        lines = head.split(b"\n")
        lengths, expect = [], b""
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"transfer-encoding":
                self.state, self.answer = REFUSED, LENGTH_REQUIRED
                return 0
            if name == b"content-length":
                lengths.append(value.strip())
            elif name == b"expect":
                expect = value.strip().lower()
        if len(lengths) != 1 or not lengths[0].isdigit():
            return 0  # none, or a malformed one that gunicorn answers with a 400
        length = int(lengths[0])
        if self.body_limit is not None and length > self.body_limit:
            return 0  # the app's 413, from the headers alone
        wanted = min(length, BODY_BUFFER)
        # An HTTP/1.0 client is never sent a 1xx (RFC 9110 15.2); gunicorn sends its own 100
        # again when the thread takes the request, and a client reads any number of them.
        self.send_continue = (expect == b"100-continue" and lines[0].rstrip().endswith(b"HTTP/1.1")
                              and wanted > len(self.data) - (self._head_end or 0))
        return wanted
