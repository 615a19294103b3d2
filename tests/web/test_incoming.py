"""webapp/incoming.py: when a request the event loop reads is all there, refused, or too slow."""
from __future__ import annotations

import pytest

from webapp import incoming, serving
from webapp.incoming import READY, REFUSED, WAITING, Arrival

GET = b"GET /?q=lupin HTTP/1.1\r\nHost: arkiv\r\n\r\n"


def _post(length: int, *extra: bytes) -> bytes:
    return b"POST /login HTTP/1.1\r\nHost: arkiv\r\n" + b"".join(extra) + b"Content-Length: %d\r\n\r\n" % length


def _fed(*pieces: bytes, limit: int | None = 1000) -> Arrival:
    arrival = Arrival(0.0, limit)
    for piece in pieces:
        arrival.feed(piece, 0.0)
    return arrival


@pytest.mark.parametrize("pieces, state", [
    pytest.param([GET], READY, id="whole-get"),
    pytest.param([GET[:10], GET[10:30], GET[30:]], READY, id="get-in-pieces"),
    pytest.param([GET[:-2]], WAITING, id="head-without-its-blank-line"),
    pytest.param([b"\r\n" + GET], READY, id="leading-crlf"),
    pytest.param([b"GET / HTTP/1.1\nHost: a\n\n"], READY, id="bare-lf-gunicorn-refuses"),
    pytest.param([_post(6) + b"name=a"], READY, id="form-all-there"),
    pytest.param([_post(6) + b"nam"], WAITING, id="form-half-there"),
    pytest.param([_post(6), b"name", b"=a"], READY, id="form-in-pieces"),
    pytest.param([_post(0)], READY, id="empty-body"),
    pytest.param([_post(5000)], READY, id="over-the-app-limit-refused-by-the-app"),
    pytest.param([b"POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"], READY,
                 id="two-lengths-gunicorn-refuses"),
    pytest.param([b"POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n"], READY, id="bad-length-gunicorn-refuses"),
    pytest.param([GET + GET], READY, id="pipelined"),
])
def test_when_a_request_is_all_there(pieces, state):
    assert _fed(*pieces).state == state


def test_a_body_past_the_buffer_is_the_threads_to_read():
    head = _post(10 * serving.BODY_BUFFER)
    assert _fed(head, b"a" * (serving.BODY_BUFFER - 1), limit=None).state == WAITING
    assert _fed(head, b"a" * serving.BODY_BUFFER, limit=None).state == READY


@pytest.mark.parametrize("request_bytes, answer", [
    pytest.param(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", incoming.LENGTH_REQUIRED, id="chunked"),
    pytest.param(b"GET / HTTP/1.1\r\nX: " + b"a" * serving.MAX_HEAD, incoming.HEAD_TOO_LARGE, id="endless-head"),
])
def test_refused_by_the_loop(request_bytes, answer):
    arrival = _fed(request_bytes)
    assert (arrival.state, arrival.answer) == (REFUSED, answer)


def test_the_head_has_its_own_deadline_however_it_trickles():
    arrival = Arrival(100.0)
    for second in range(serving.HEAD_TIMEOUT):
        arrival.feed(b"a", 100.0 + second)
    assert not arrival.expired(100.0 + serving.HEAD_TIMEOUT - 0.1)
    assert arrival.expired(100.0 + serving.HEAD_TIMEOUT)


def test_a_body_gets_more_time_as_it_arrives():
    arrival = Arrival(0.0)
    arrival.feed(_post(10 * serving.BODY_BUFFER), 2.0)
    assert arrival.deadline == 2.0 + serving.BODY_TIMEOUT
    arrival.feed(b"a" * serving.MIN_BODY_RATE, 5.0)
    assert arrival.deadline == 3.0 + serving.BODY_TIMEOUT  # one second more for MIN_BODY_RATE bytes


@pytest.mark.parametrize("version, continued", [(b"HTTP/1.1", True), (b"HTTP/1.0", False)])
def test_a_client_that_expects_100_continue_gets_it(version, continued):
    arrival = _fed(_post(6, b"Expect: 100-continue\r\n").replace(b"HTTP/1.1", version, 1))
    assert arrival.send_continue is continued and arrival.state == WAITING
    assert _fed(_post(6, b"Expect: 100-continue\r\n") + b"name=a").send_continue is False  # sent already
