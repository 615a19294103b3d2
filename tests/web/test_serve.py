"""`arkiv serve`: the indexer's CLI extended by the web app, in waitress or in gunicorn's workers."""
from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import waitress
from tiny import TinyArchive

from webapp import cli, serving

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def served(monkeypatch):
    calls = []
    monkeypatch.setattr(waitress, "serve", lambda app, **kw: calls.append((app, kw)))
    # Nothing listens here, so the ports these tests name need not be free on this machine
    # (tests/test_cli_swedish.py checks a taken port for real).
    monkeypatch.setattr(serving, "check_port", lambda host, port: None)
    return calls


def _open_index_files(index_dir: Path) -> list[str]:
    """The files under index_dir that this process holds open (Linux's /proc)."""
    found = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith(str(index_dir.resolve())):
            found.append(target)
    return found


@pytest.fixture
def forked(monkeypatch):
    """gunicorn's master up to the fork: the Prefork application and what this process holds open."""
    pytest.importorskip("gunicorn", reason="gunicorn is not installed")
    from webapp import prefork

    calls = []

    def run(self):
        calls.append((self, _open_index_files(self.site.index_dir)))

    monkeypatch.setattr(prefork.Prefork, "run", run)
    monkeypatch.setattr(serving, "check_port", lambda host, port: None)
    return calls


def _args(indexed, *more: str) -> list[str]:
    return ["serve", *more, "--archive", str(indexed.archive), "--index", str(indexed.index_dir)]


# -- waitress: one process ------------------------------------------------------------
def test_serve_runs_waitress_with_host_and_port(served, web_archive, capsys):
    code = cli.main(_args(web_archive, "--server", "waitress", "--host", "127.0.0.2", "--port", "8123"))
    assert code == 0
    (app, kw), = served
    assert kw["host"] == "127.0.0.2" and kw["port"] == 8123 and kw["threads"] == serving.WAITRESS_THREADS
    assert app.extensions["arkiv"].archive == web_archive.archive
    assert app.test_client().get("/?q=parkslide").status_code == 200
    assert "http://127.0.0.2:8123/" in capsys.readouterr().err


def test_serve_defaults(served, web_archive):
    assert cli.main(_args(web_archive, "--server", "waitress")) == 0
    (_, kw), = served
    assert (kw["host"], kw["port"]) == ("127.0.0.1", 5000)


def test_serve_indexes_first_when_there_is_no_index(served, tmp_path, capsys):
    archive = tmp_path / "arkiv"
    (archive / "naturvard" / "2024-01-01").mkdir(parents=True)
    (archive / "arkiv.toml").write_text('[[groups]]\nslug = "naturvard"\nname = "Naturvårdsgruppen"\n',
                                        encoding="utf-8")
    (archive / "naturvard" / "2024-01-01" / "anteckningar.txt").write_text("Om lupin.", encoding="utf-8")
    index_dir = tmp_path / "index"
    assert cli.main(["serve", "--server", "waitress", "--archive", str(archive), "--index", str(index_dir)]) == 0
    assert "indexerar" in capsys.readouterr().err
    (app, _), = served
    assert app.test_client().get("/api/search?q=lupin").get_json()["total"] == 1


def test_waitress_where_gunicorn_cannot_run(served, web_archive, monkeypatch, capsys):
    monkeypatch.delattr(os, "fork")
    assert cli.main(_args(web_archive, "--workers", "3")) == 0
    assert len(served) == 1
    assert "cannot fork" in capsys.readouterr().err
    assert cli.main(_args(web_archive, "--server", "gunicorn")) == 2
    assert "--server gunicorn: this system cannot fork" in capsys.readouterr().err


def test_waitress_takes_no_workers(served, web_archive, capsys):
    assert cli.main(_args(web_archive, "--server", "waitress", "--workers", "2")) == 2
    assert served == [] and "en process" in capsys.readouterr().err


@pytest.mark.parametrize("port", ["0", "70000", "http"])
def test_serve_rejects_bad_port(served, port, capsys):
    with pytest.raises(SystemExit) as e:
        cli.main(["serve", "--port", port])
    assert e.value.code == 2 and served == []
    assert "port" in capsys.readouterr().err


@pytest.mark.parametrize("workers", ["0", "-1", "two"])
def test_serve_rejects_bad_workers(served, workers, capsys):
    with pytest.raises(SystemExit) as e:
        cli.main(["serve", "--workers", workers])
    assert e.value.code == 2 and served == []
    assert "arbetsprocesser" in capsys.readouterr().err


def test_indexer_commands_still_there(web_archive, capsys):
    assert cli.main(["search", "parkslide", "--archive", str(web_archive.archive),
                     "--index", str(web_archive.index_dir)]) == 0
    assert "parkslide" in capsys.readouterr().out.lower()


# -- gunicorn: a master and pre-forked workers, each with its own app ------------------
def test_serve_runs_gunicorn_with_its_settings(forked, served, web_archive, capsys):
    assert cli.main(_args(web_archive, "--host", "127.0.0.2", "--port", "8123", "--workers", "3")) == 0
    assert served == []
    (application, _), = forked
    cfg = application.cfg
    assert cfg.bind == ["127.0.0.2:8123"]
    assert (cfg.workers, cfg.threads) == (3, serving.THREADS)
    assert cfg.worker_connections == serving.worker_connections() > serving.THREADS
    from gunicorn.workers.gthread import ThreadWorker

    assert issubclass(cfg.worker_class, ThreadWorker)
    assert not cfg.preload_app and cfg.accesslog is None
    assert (cfg.timeout, cfg.graceful_timeout) == (serving.TIMEOUT, serving.GRACEFUL_TIMEOUT)
    assert (cfg.max_requests, cfg.max_requests_jitter) == (serving.MAX_REQUESTS, serving.MAX_REQUESTS_JITTER)
    assert (cfg.limit_request_line, cfg.limit_request_fields, cfg.limit_request_field_size) == (8190, 100, 8190)
    assert cfg.forwarded_allow_ips == []
    if "control_socket_disable" in cfg.settings:  # gunicorn 25.1+
        assert cfg.control_socket_disable
    capsys.readouterr()
    cfg.when_ready(None)  # the master has bound the port
    assert "http://127.0.0.2:8123/" in capsys.readouterr().err


def test_each_worker_loads_its_own_app(forked, web_archive):
    assert cli.main(_args(web_archive)) == 0
    (application, _), = forked
    first, second = application.load(), application.load()  # what two workers run after the fork
    assert first is not second and first.extensions["arkiv"] is not second.extensions["arkiv"]
    assert first.test_client().get("/api/search?q=parkslide").get_json()["total"] >= 1
    # Each worker opens its index when it starts (after the fork): no visitor's first search
    # pays for opening it and loading the Swedish tables.
    warmed = second.extensions["arkiv"]._index
    assert warmed is not None and warmed._snapshot is not None


def test_a_setting_that_cannot_work_stops_the_master_before_it_forks(forked, web_archive, tmp_path, monkeypatch,
                                                                     capsys):
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    monkeypatch.setenv("ARKIV_SECRET_KEY_FILE", str(tmp_path / "a-file" / "key"))
    assert cli.main(_args(web_archive)) == 1
    assert forked == []
    err = capsys.readouterr().err
    assert err.startswith("arkiv: ") and "a-file" in err and "Traceback" not in err


def test_gunicorn_defaults(forked, web_archive, monkeypatch):
    monkeypatch.setattr(serving, "cores", lambda: 5)
    assert cli.main(_args(web_archive)) == 0
    (application, _), = forked
    assert application.cfg.bind == ["127.0.0.1:5000"] and application.cfg.workers == 5


def test_ipv6_host_in_brackets(forked, web_archive):
    assert cli.main(_args(web_archive, "--host", "::1", "--port", "8124")) == 0
    (application, _), = forked
    assert application.cfg.bind == ["[::1]:8124"]


@pytest.mark.parametrize("soft, connections", [(20_000, serving.WORKER_CONNECTIONS), (1024, 1024 - serving.FILES_KEPT_FREE),
                                               (50, serving.THREADS + 1)])
def test_worker_connections_fit_the_open_files_limit(monkeypatch, soft, connections):
    import resource

    monkeypatch.setattr(resource, "getrlimit", lambda what: (soft, 1 << 20))
    assert serving.worker_connections() == connections


def test_cores_follow_the_affinity(monkeypatch):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 3, 5}, raising=False)
    assert serving.cores() == 3


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs Linux's /proc to see open files")
@pytest.mark.parametrize("indexed_before", [True, False], ids=["index-there", "index-built-first"])
def test_the_master_holds_no_index_open_when_it_forks(forked, tmp_path, indexed_before):
    tiny = TinyArchive(tmp_path)
    tiny.write("naturvard/2024-01-01/anteckningar.txt", "Om lupin och parkslide.")
    if indexed_before:
        tiny.index()
    assert cli.main(["serve", "--archive", str(tiny.root), "--index", str(tiny.index_dir)]) == 0
    (application, open_files), = forked
    assert (tiny.index_dir / "whoosh").is_dir()
    assert open_files == []


# -- the real thing: `arkiv serve --workers 2` in a subprocess --------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> set[int]:
    """The processes whose parent is `pid`, from /proc/*/stat."""
    kids = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rpartition(")")[2].split()[1]) == pid:
                kids.add(int(entry.name))
    return kids


def _socket_owner(server_port: int, client_port: int, pids: set[int]) -> int | None:
    """Which of `pids` holds the server's end of the connection from `client_port`.

    Every worker shares the listening socket, but an accepted connection is a socket of its
    own in the one worker that accepted it: its inode is in /proc/net/tcp, and the process
    is the one with a descriptor on that inode.
    """
    inode = None
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote = fields[1], fields[2]
        if int(local.rpartition(":")[2], 16) == server_port and int(remote.rpartition(":")[2], 16) == client_port:
            inode = fields[9]
    if inode is None or inode == "0":
        return None
    for pid in pids:
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}") == f"socket:[{inode}]":
                    return pid
            except OSError:
                continue
    return None


def _ask(port: int, path: str, workers: set[int]) -> tuple[int | None, int, bytes]:
    """One request over a new connection: (the worker that answered, status, body)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        body = response.read()
        # The connection is kept alive, so the worker still holds its end of it.
        worker = _socket_owner(port, conn.sock.getsockname()[1], workers) if conn.sock else None
        return worker, response.status, body
    finally:
        conn.close()


class Server:
    """`arkiv serve` as a user starts it, in a process group of its own so nothing outlives the test."""

    def __init__(self, tiny: TinyArchive, tmp_path: Path, *options: str):
        self.port = _free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("ARKIV_")}
        env["PYTHONPATH"] = os.pathsep.join([str(REPO), *filter(None, [env.get("PYTHONPATH")])])
        self.env = env
        self.tiny = tiny
        self.log = tmp_path / "serve.log"
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "webapp.cli", "serve", "--host", "127.0.0.1", "--port", str(self.port),
                 *options, "--archive", str(tiny.root), "--index", str(tiny.index_dir)],
                cwd=tmp_path, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True)

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def wait_for_workers(self, count: int, within: float = 60) -> set[int]:
        """Wait until the site answers and the master has `count` workers; their pids."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, f"arkiv serve ended early:\n{self.output()}"
            workers = _children(self.proc.pid)
            if len(workers) == count:
                try:
                    worker, status, _ = _ask(self.port, "/api/search?q=lupin", workers)
                    if status == 200 and worker is not None:
                        return workers
                except OSError:
                    pass
            time.sleep(0.2)
        raise AssertionError(f"arkiv serve did not answer within {within} s:\n{self.output()}")

    def index(self) -> None:
        done = subprocess.run([sys.executable, "-m", "webapp.cli", "index", "--archive", str(self.tiny.root),
                               "--index", str(self.tiny.index_dir)],
                              env=self.env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr

    def stop(self, sig: int) -> int:
        """Send `sig` to the master; its exit code. Idle, it must not need the graceful timeout."""
        start = time.monotonic()
        os.kill(self.proc.pid, sig)
        code = self.proc.wait(timeout=serving.GRACEFUL_TIMEOUT + 15)
        took = time.monotonic() - start
        assert took < serving.GRACEFUL_TIMEOUT / 3, f"stopping took {took:.1f} s:\n{self.output()}"
        return code

    def kill(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


def _gone(pids: set[int], within: float = 10) -> set[int]:
    """The pids still alive (not zombies) after `within` seconds."""
    deadline = time.monotonic() + within
    while True:
        alive = set()
        for pid in pids:
            try:
                state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
            except OSError:
                continue
            if state != "Z":
                alive.add(pid)
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.1)


def _answers(server: Server, workers: set[int], query: str, each: int, most: int = 800) -> dict[int, list[int]]:
    """Ask `query` over new connections until every worker answered `each` times: totals by worker.

    Eight at a time: asked one by one, the worker that just answered is the last to wait in
    accept() and the kernel wakes it first again, so one worker can take nearly every
    connection; with several in flight the others get theirs.
    """
    from concurrent.futures import ThreadPoolExecutor

    seen: dict[int, list[int]] = {pid: [] for pid in workers}
    with ThreadPoolExecutor(8) as pool:
        for _ in range(most // 8):
            for worker, status, body in pool.map(lambda _: _ask(server.port, f"/api/search?q={query}", workers),
                                                 range(8)):
                assert status == 200, body
                if worker is not None:
                    seen[worker].append(json.loads(body)["total"])
            if all(len(totals) >= each for totals in seen.values()):
                break
    return seen


needs_linux = pytest.mark.skipif(not Path("/proc/net/tcp").is_file(), reason="finds workers through Linux's /proc")


@needs_linux
def test_two_workers_answer_and_both_see_a_new_commit(tmp_path):
    pytest.importorskip("gunicorn", reason="gunicorn is not installed")
    tiny = TinyArchive(tmp_path)
    tiny.write("naturvard/2024-01-01-lerum/anteckningar.txt", "Minnesanteckningar. Om lupin och parkslide.")
    tiny.write("miljostrategi/2024-02-02/anteckningar.txt", "Agenda 2030 och globala målen i kommunerna.")
    server = Server(tiny, tmp_path, "--workers", "2")  # no index yet: serve builds it, then forks
    try:
        workers = server.wait_for_workers(2)
        out = server.output()
        assert f"http://127.0.0.1:{server.port}/" in out and "2 arbetsprocesser" in out, out
        master_files = [os.readlink(f"/proc/{server.proc.pid}/fd/{fd}")
                        for fd in os.listdir(f"/proc/{server.proc.pid}/fd")]
        assert not [f for f in master_files if f.startswith(str(tiny.index_dir))], master_files
        # Nor a thread left over from indexing first: a process forks safely with one thread.
        assert len(os.listdir(f"/proc/{server.proc.pid}/task")) == 1

        seen = _answers(server, workers, "lupin", each=5)
        assert all(len(totals) >= 5 for totals in seen.values()), {p: len(t) for p, t in seen.items()}
        assert {t for totals in seen.values() for t in totals} == {1}

        # Every worker remembers this answer (none) for the committed state it has...
        assert {t for totals in _answers(server, workers, "grodinventering", each=2).values()
                for t in totals} == {0}
        tiny.write("naturvard/2024-05-05-boras/anteckningar.txt", "Om grodinventering i Borås.")
        server.index()  # a commit by another process
        # ...and answers from the new one on its next search, without a restart.
        after = _answers(server, workers, "grodinventering", each=5)
        assert all(len(totals) >= 5 for totals in after.values()), {p: len(t) for p, t in after.items()}
        assert {pid: set(totals) for pid, totals in after.items()} == {pid: {1} for pid in workers}
        assert _children(server.proc.pid) == workers  # the same workers, none restarted

        assert server.stop(signal.SIGTERM) == 0, server.output()
        assert _gone(workers | {server.proc.pid}) == set()
        assert "Traceback" not in server.output()
    finally:
        server.kill()


def _one_worker(tmp_path) -> Server:
    """`arkiv serve --workers 1` over a one-document archive."""
    pytest.importorskip("gunicorn", reason="gunicorn is not installed")
    tiny = TinyArchive(tmp_path)
    tiny.write("naturvard/2024-01-01/anteckningar.txt", "Om lupin.")
    tiny.index()
    return Server(tiny, tmp_path, "--workers", "1")


@needs_linux
def test_one_worker_keeps_the_url_checks_and_limits_and_stops_on_ctrl_c(tmp_path):
    server = _one_worker(tmp_path)
    try:
        workers = server.wait_for_workers(1)
        worker, status, _ = _ask(server.port, "/documents/naturvard%2f..%2f..%2fetc%2fpasswd", workers)
        assert status == 404 and worker in workers  # the encoded-separator check sees gunicorn's RAW_URI
        long_query = "/api/search?q=" + "%C3%A5" * 1000  # å a thousand times: a 6 kB request line
        assert _ask(server.port, long_query, workers)[1] == 200
        # Past the request-line limit: refused before the app sees it (400 from gunicorn 23, 414 later).
        assert _ask(server.port, long_query * 2, workers)[1] in (400, 414)
        assert server.stop(signal.SIGINT) == 0, server.output()
        assert _gone(workers | {server.proc.pid}) == set()
        assert "Traceback" not in server.output()
    finally:
        server.kill()


@needs_linux
def test_a_body_over_the_upload_limit_is_refused_from_its_headers(tmp_path):
    """An anonymous POST saying 400 MB gets its 413 before a byte of the body is sent."""
    import socket

    server = _one_worker(tmp_path)
    try:
        server.wait_for_workers(1)
        for path in ("/upload", "/login"):
            with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
                s.sendall(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; "
                          f"boundary=x\r\nContent-Length: 400000000\r\n\r\n".encode())
                started = time.monotonic()
                answer = s.recv(4096).decode("latin-1")  # nothing of the body has been sent
                assert answer.startswith("HTTP/1.1 413"), (path, answer[:200])
                assert time.monotonic() - started < 5
    finally:
        server.kill()


# -- slow clients: a half-sent request holds a socket, never a thread ------------------
def _half_sent(port: int, what: bytes, count: int) -> list[socket.socket]:
    held = []
    for _ in range(count):
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        s.sendall(what)
        held.append(s)
    return held


@needs_linux
def test_a_hundred_half_sent_requests_do_not_stall_the_site(tmp_path):
    """gthread gave each half-sent request a thread (4 a worker): the fifth client got no answer."""
    server = _one_worker(tmp_path)
    held = []
    try:
        workers = server.wait_for_workers(1)
        head = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n"  # one header, then silence
        body = (b"POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                b"Content-Length: 1000\r\n\r\nname=a")  # the head, a little of the body, then silence
        held = _half_sent(server.port, head, 100) + _half_sent(server.port, body, 20)
        time.sleep(0.5)  # every one of them is in the worker by now
        started = time.monotonic()
        worker, status, answer = _ask(server.port, "/api/search?q=lupin", workers)
        took = time.monotonic() - started
        assert status == 200 and json.loads(answer)["total"] == 1
        assert took < 3, f"the search took {took:.1f} s behind 120 half-sent requests"
        assert worker in workers
    finally:
        for s in held:
            s.close()
        server.kill()


def _trickle(port: int, start: bytes, most: float) -> tuple[float, bytes]:
    """Send `start`, then a byte a second until the server answers or closes: (seconds, answer)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        began = time.monotonic()
        s.sendall(start)
        s.settimeout(1)
        while time.monotonic() - began < most:
            try:
                s.sendall(b"a")
                answer = s.recv(4096)
                return time.monotonic() - began, answer
            except socket.timeout:
                continue
            except OSError:  # reset: closed without an answer
                return time.monotonic() - began, b""
        return time.monotonic() - began, b"still open"


@needs_linux
def test_a_client_sending_a_byte_a_second_is_cut_off(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    server = _one_worker(tmp_path)
    try:
        server.wait_for_workers(1)
        form = b"POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        slow = {
            # The loop waits for these: a head, and a form body (under BODY_BUFFER).
            "head": (b"GET /api/search?q=lupin HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ", serving.HEAD_TIMEOUT),
            "form body": (form + b"Content-Length: 200\r\n\r\n", serving.BODY_TIMEOUT),
            # Past BODY_BUFFER a thread reads the body, under the same deadline.
            "long body": (form + b"Content-Length: 400000\r\n\r\n" + b"a" * (serving.BODY_BUFFER + 1000),
                          serving.BODY_TIMEOUT + (serving.BODY_BUFFER + 1000) / serving.MIN_BODY_RATE),
        }
        with ThreadPoolExecutor(len(slow)) as pool:
            ended = dict(zip(slow, pool.map(lambda what: _trickle(server.port, what[0], what[1] + 20),
                                            slow.values())))
        for name, (took, answer) in ended.items():
            assert slow[name][1] - 1 < took < slow[name][1] + 3, (name, took, answer)
            status = answer[:12]
            assert status in (b"HTTP/1.1 408", b"HTTP/1.1 400"), (name, answer)
        assert _ask(server.port, "/api/search?q=lupin", {server.proc.pid})[1] == 200
        assert "Traceback" not in server.output()
    finally:
        server.kill()
