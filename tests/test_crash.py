"""Crash safety and concurrent writers: `kill -9` of a real `arkiv index` at several points,
two writers at once, searches meanwhile, a damaged index.

The kill points are found by watching the index folder, not by hooks in the code:
cached texts appearing (extraction), Whoosh's write lock held by the process (the
writer is open: adding documents, committing), a new table of contents appearing
(just committed, state not yet saved).  The archive is big enough (generated PDFs,
~1 MB of text) that each phase lasts long enough to be caught.
"""
from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from builders import docx_bytes, pdf_bytes, pptx_bytes
from indexer import IndexSettings, IndexUnavailable, SearchRequest, problems, update_index
from indexer.index import folder
from indexer.index import STATE_FILE, TEXTS_DIR, load_state, write_lock
from test_hostile import children, long_pdf, pid_exists
from tiny import TODAY, TinyArchive

pytestmark = pytest.mark.skipif(not Path("/proc/locks").exists(), reason="watches /proc/locks (Linux)")

REPO = Path(__file__).resolve().parents[1]
BIG = 10  # generated PDFs of 50 pages: ~1 s to read them, ~1 s to write them


# -- helpers ------------------------------------------------------------------------------------


def baseline(tiny: TinyArchive) -> dict[str, str]:
    """A few documents indexed before anything goes wrong: word -> id."""
    docs = {
        "parkslide": ("naturvard/2023-10-10-lerum/minnesanteckningar.docx",
                      docx_bytes(["Vi talade om parkslide."], heading="Minnesanteckningar")),
        "hackspettar": ("naturvard/2023-10-10-lerum/skogsstyrelsen.pptx",
                        pptx_bytes([("Nyckelbiotoper", "Skogens värden", "Om hackspettar")])),
        "indikatorer": ("miljostrategi/ovrigt/rapport.pdf", pdf_bytes(["Indikatorer för miljömålen."])),
        "lupinerna": ("miljostrategi/2024-01-15/anteckningar.txt", "Lupinerna sprider sig."),
    }
    for rel, content in docs.values():
        tiny.write(rel, content)
    return {word: rel for word, (rel, _c) in docs.items()}


def add_big(tiny: TinyArchive) -> list[str]:
    ids = []
    for i in range(BIG):
        rel = f"miljostrategi/2025-{1 + i % 12:02d}-0{1 + i % 9}/rapport-{i}.pdf"
        tiny.write(rel, long_pdf(50, tag=f"nummer{i}"))
        ids.append(rel)
    return ids


def arkiv(tiny: TinyArchive, *args: str, stderr=None) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "indexer.cli", *args, "--archive", str(tiny.root), "--index", str(tiny.index_dir)],
        cwd=REPO, stdout=subprocess.PIPE, stderr=stderr if stderr is not None else subprocess.PIPE, text=True)


def flock_holders(path: Path) -> set[int]:
    """Pids holding an flock on `path`, from /proc/locks (looking does not take the lock)."""
    try:
        inode = os.stat(path).st_ino
    except OSError:
        return set()
    pids = set()
    for line in Path("/proc/locks").read_text().splitlines():
        parts = line.replace("->", "").split()
        if len(parts) >= 6 and parts[1] == "FLOCK" and int(parts[5].rsplit(":", 1)[1]) == inode:
            pids.add(int(parts[4]))
    return pids


def writing(proc: subprocess.Popen, index_dir: Path, folder: str = "whoosh") -> bool:
    return proc.pid in flock_holders(index_dir / folder / "MAIN_WRITELOCK")


def cached_texts(index_dir: Path) -> int:
    return sum(1 for _ in (index_dir / TEXTS_DIR).rglob("*.json"))


def wait_for(proc: subprocess.Popen, condition, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert proc.poll() is None, f"arkiv finished before {what}: make the test archive bigger"
        assert time.monotonic() < deadline, f"no {what} within {timeout:.0f} s"
        time.sleep(0.01)


def kill9(proc: subprocess.Popen) -> list[int]:
    """kill -9 the process; return its worker processes' pids, which must die with it."""
    workers = children(proc.pid)
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    deadline = time.monotonic() + 10
    while any(pid_exists(p) for p in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(pid_exists(p) for p in workers), "extraction workers outlived a killed indexer"
    return workers


def hits(tiny: TinyArchive, query: str) -> list[str]:
    return sorted(h.id for h in tiny.open().search(SearchRequest(query=query, per_page=100)).hits)


def all_ids(tiny: TinyArchive) -> list[str]:
    """Every document in the index, one entry per Whoosh document (duplicates would show)."""
    from whoosh import index as whoosh_index

    ix = whoosh_index.open_dir(str(tiny.index_dir / "whoosh"))
    with ix.searcher() as s:
        return sorted(stored["id"] for _, stored in s.reader().iter_docs())


def assert_baseline_intact(tiny: TinyArchive, words: dict[str, str]) -> None:
    for word, rel in words.items():
        assert hits(tiny, word) == [rel], word


# -- kill -9 of a real indexing process ---------------------------------------------------------


def test_kill_during_extraction_writing_and_commit_loses_nothing(tiny):
    words = baseline(tiny)
    tiny.index()
    big = add_big(tiny)
    state_before = (tiny.index_dir / STATE_FILE).read_bytes()

    # 1. During extraction: some texts cached, the Whoosh writer not yet open.
    proc = arkiv(tiny, "index", "--jobs", "1")
    wait_for(proc, lambda: cached_texts(tiny.index_dir) >= 3, "extraction")
    assert not writing(proc, tiny.index_dir)
    kill9(proc)
    assert (tiny.index_dir / STATE_FILE).read_bytes() == state_before
    assert_baseline_intact(tiny, words)
    assert hits(tiny, "kretslopp") == []

    # 2. During the Whoosh write: the writer holds Whoosh's lock.
    proc = arkiv(tiny, "index", "--jobs", "2")
    wait_for(proc, lambda: writing(proc, tiny.index_dir), "the Whoosh writer")
    time.sleep(0.3)  # well into adding documents
    kill9(proc)
    assert_baseline_intact(tiny, words)
    # Whoosh's lock is an flock: it died with the process, the file left behind is harmless.
    lock = tiny.index_dir / "whoosh" / "MAIN_WRITELOCK"
    with open(lock, "a") as f:
        fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.flock(f, fcntl.LOCK_UN)

    # 3. Right after the commit, before state.json is saved: a new table of contents appears
    #    a few milliseconds before the state is written, so look without pause and kill at
    #    once (the workers are gone by then).  Whether the kill lands before or after the
    #    state is saved, the next run must be right; test_state_older_than_the_index_is_reconciled
    #    makes the first case exactly.
    wdir = tiny.index_dir / "whoosh"
    tocs = {p.name for p in wdir.glob("_MAIN_*.toc")}
    proc = arkiv(tiny, "index", "--jobs", "2")
    wait_for(proc, lambda: writing(proc, tiny.index_dir), "the Whoosh writer")
    while not any(n.startswith("_MAIN_") and n.endswith(".toc") and n not in tocs for n in os.listdir(wdir)):
        assert proc.poll() is None, "arkiv finished before the commit was seen"
    proc.kill()
    proc.communicate()
    assert_baseline_intact(tiny, words)
    assert len(hits(tiny, "kretslopp")) == BIG  # the commit landed

    # 4. The next run completes the work, whatever the state file says.
    proc = arkiv(tiny, "index", "--json")
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    assert not json.loads(out)["failed"]
    assert_baseline_intact(tiny, words)
    assert hits(tiny, "kretslopp") == sorted(big)
    assert all_ids(tiny) == sorted([*words.values(), *big])  # each document once
    assert sorted(load_state(tiny.index_dir)) == sorted([*words.values(), *big])
    assert problems(tiny.index_dir) == []
    assert not any(p.name.startswith("whoosh.") for p in tiny.index_dir.iterdir())


def test_rebuild_killed_while_writing_keeps_the_live_index(tiny):
    words = baseline(tiny)
    big = add_big(tiny)
    tiny.index(jobs=2)
    proc = arkiv(tiny, "index", "--rebuild", "--jobs", "2")
    wait_for(proc, lambda: writing(proc, tiny.index_dir, "whoosh.new"), "the rebuild's writer")
    time.sleep(0.3)
    kill9(proc)
    assert_baseline_intact(tiny, words)
    assert hits(tiny, "kretslopp") == sorted(big)
    report = tiny.index()
    assert report.unchanged == len(words) + BIG and not report.failed
    assert not (tiny.index_dir / "whoosh.new").exists()
    assert all_ids(tiny) == sorted([*words.values(), *big])


# -- the same moments, made exactly ----------------------------------------------------------------


def test_state_older_than_the_index_is_reconciled(tiny):
    """A crash between the Whoosh commit and saving state.json: the next run re-checks and
    re-applies; update_document replaces by id, so nothing is doubled or lost."""
    words = baseline(tiny)
    tiny.index()
    old_state = (tiny.index_dir / STATE_FILE).read_bytes()
    # Changes: one modified, one deleted, one moved, one added.
    tiny.write("naturvard/2023-10-10-lerum/minnesanteckningar.docx",
               docx_bytes(["Nu om grönstruktur."], heading="Minnesanteckningar"))
    os.utime(tiny.root / "naturvard/2023-10-10-lerum/minnesanteckningar.docx", ns=(10**9, 10**9))
    (tiny.root / "miljostrategi/ovrigt/rapport.pdf").unlink()
    (tiny.root / "naturvard/2024-02-02").mkdir()
    shutil.move(tiny.root / "naturvard/2023-10-10-lerum/skogsstyrelsen.pptx",
                tiny.root / "naturvard/2024-02-02/skogsstyrelsen.pptx")
    tiny.write("naturvard/2024-02-02/ny.txt", "Ny text om sländor.")
    tiny.index()
    expected = sorted(["naturvard/2023-10-10-lerum/minnesanteckningar.docx", "naturvard/2024-02-02/ny.txt",
                       "naturvard/2024-02-02/skogsstyrelsen.pptx", words["lupinerna"]])
    assert all_ids(tiny) == expected

    (tiny.index_dir / STATE_FILE).write_bytes(old_state)  # as if killed before the state was saved
    report = tiny.index()
    assert not report.failed
    assert all_ids(tiny) == expected
    assert sorted(load_state(tiny.index_dir)) == expected
    assert hits(tiny, "grönstruktur") == ["naturvard/2023-10-10-lerum/minnesanteckningar.docx"]
    assert hits(tiny, "parkslide") == [] and hits(tiny, "indikatorer") == []
    assert hits(tiny, "hackspettar") == ["naturvard/2024-02-02/skogsstyrelsen.pptx"]
    assert hits(tiny, "sländor") == ["naturvard/2024-02-02/ny.txt"]
    # And with no state at all: everything is checked again, still once each.
    (tiny.index_dir / STATE_FILE).unlink()
    tiny.index()
    assert all_ids(tiny) == expected


def test_rebuild_killed_between_the_two_renames_is_finished(tiny, monkeypatch):
    """`_swap_in` renames live -> .old, then .new -> live; a kill in between leaves no live index."""
    words = baseline(tiny)
    tiny.index()

    def killed_mid_swap(index_dir, new_dir):
        (index_dir / "whoosh").rename(index_dir / "whoosh.old")
        raise KeyboardInterrupt  # the process dies here

    monkeypatch.setattr(folder, "swap_in", killed_mid_swap)
    tiny.write("naturvard/ovrigt/ny.txt", "Ny text om sländor.")
    with pytest.raises(KeyboardInterrupt):
        tiny.index(rebuild=True)
    assert not (tiny.index_dir / "whoosh").exists()
    monkeypatch.undo()

    report = tiny.index()
    assert not report.failed
    assert_baseline_intact(tiny, words)
    assert hits(tiny, "sländor") == ["naturvard/ovrigt/ny.txt"]
    assert sorted(p.name for p in tiny.index_dir.iterdir() if p.name.startswith("whoosh")) == ["whoosh"]


# -- two writers, and readers, at once ------------------------------------------------------------


def test_concurrent_runs_wait_for_each_other_and_searches_go_on(tiny, tmp_path):
    """Two `arkiv index` runs and an `arkiv add` at once: each waits its turn, saying so."""
    words = baseline(tiny)
    tiny.index()
    big = add_big(tiny)
    upload = tmp_path / "uppladdad.txt"
    upload.write_text("Uppladdad text om trollsländor.", encoding="utf-8")

    procs: dict[str, subprocess.Popen] = {}
    errs = {name: (tmp_path / f"{name}.err").open("w+") for name in ("first", "second", "upload")}
    try:
        # Another writer holds the lock while all three start, so all three must wait.
        with write_lock(tiny.index_dir):
            procs["first"] = arkiv(tiny, "index", "--jobs", "1", stderr=errs["first"])
            procs["second"] = arkiv(tiny, "index", "--json", stderr=errs["second"])
            procs["upload"] = arkiv(tiny, "add", str(upload), "--group", "naturvard", stderr=errs["upload"])
            for name, proc in procs.items():
                err = errs[name]
                wait_for(proc, lambda: "Väntar på indexets lås" in (err.seek(0) or err.read()),
                         f"the waiting message from {name}")
        # One of them now writes the big files; searches are answered from the last commit.
        writers = lambda: {p.pid for p in procs.values()} & flock_holders(  # noqa: E731
            tiny.index_dir / "whoosh" / "MAIN_WRITELOCK")
        wait_for(procs["first"], lambda: writers() or procs["first"].poll() is not None, "a writer")
        ix = tiny.open()
        for word, rel in words.items():
            assert [h.id for h in ix.search(SearchRequest(query=word)).hits] == [rel]
        outs = {name: proc.communicate(timeout=120)[0] for name, proc in procs.items()}
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
    for name, err in errs.items():
        err.seek(0)
        text = err.read()
        err.close()
        assert "Traceback" not in text and "LockError" not in text, (name, text)
        assert procs[name].returncode == 0, (name, text)
    assert "tillagd: naturvard/ovrigt/uppladdad.txt" in outs["upload"]
    assert hits(tiny, "trollsländor") == ["naturvard/ovrigt/uppladdad.txt"]
    assert hits(tiny, "kretslopp") == sorted(big)
    assert all_ids(tiny) == sorted([*words.values(), *big, "naturvard/ovrigt/uppladdad.txt"])


def test_a_run_that_waited_sees_what_the_run_before_it_indexed(tiny):
    """A run looks at the archive only once it holds the lock: one that scanned before
    waiting would, after the run before it indexed a new upload, remove it again."""
    import threading

    words = baseline(tiny)
    tiny.index()
    waiting = threading.Event()
    results: dict[str, object] = {}

    def waiter():
        try:
            results["report"] = update_index(IndexSettings(archive=tiny.root, index_dir=tiny.index_dir,
                                                           today=TODAY), on_wait=waiting.set)
        except BaseException as e:  # noqa: BLE001 - reported below
            results["error"] = e

    with write_lock(tiny.index_dir):
        thread = threading.Thread(target=waiter)
        thread.start()
        assert waiting.wait(30)
        tiny.write("naturvard/ovrigt/uppladdad.txt", "Uppladdad text om trollsländor.")
    # The waiting run retries every 0.2 s: this one takes the lock first and indexes the upload.
    assert tiny.index().added == ["naturvard/ovrigt/uppladdad.txt"]
    thread.join(60)
    assert "error" not in results, results
    assert not results["report"].removed
    assert hits(tiny, "trollsländor") == ["naturvard/ovrigt/uppladdad.txt"]
    assert_baseline_intact(tiny, words)


# -- a damaged index ----------------------------------------------------------------------------------


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:100])


def _segment_files(wdir: Path) -> list[Path]:
    """A segment's files: one .seg (compound), or .trm, .pst, .col... (separate, as written now)."""
    return [p for p in wdir.glob("MAIN_*") if p.name != "MAIN_WRITELOCK"]


DAMAGE = {
    "garbled table of contents": lambda w: [_truncate(p) for p in w.glob("_MAIN_*.toc")],
    "lost table of contents": lambda w: [p.unlink() for p in w.glob("_MAIN_*.toc")],
    "lost segment": lambda w: [p.unlink() for p in _segment_files(w)],
    "truncated segment": lambda w: [_truncate(p) for p in _segment_files(w) if p.suffix in (".seg", ".trm", ".pst")],
}


# Whoosh leaves the files of a segment it failed to open unclosed (folder._forget drops what
# it can); with separate segment files a truncated one leaks a handle or two, closed at exit.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_a_damaged_index_is_reported_kept_and_rebuilt_on_request(tiny, damage, capsys):
    words = baseline(tiny)
    tiny.index()
    wdir = tiny.index_dir / "whoosh"
    DAMAGE[damage](wdir)
    left = sorted(p.name for p in wdir.iterdir())

    with pytest.raises(IndexUnavailable, match=r"arkiv index --rebuild"):
        tiny.index()
    from indexer.cli import main as cli_main

    assert cli_main(["index", "--archive", str(tiny.root), "--index", str(tiny.index_dir)]) == 1
    err = capsys.readouterr().err
    assert "cannot be opened" in err and "arkiv index --rebuild" in err
    assert sorted(p.name for p in wdir.iterdir()) == left  # never deleted unasked

    report = tiny.index(rebuild=True)
    assert report.rebuilt_because == "asked for with --rebuild" and not report.failed
    assert_baseline_intact(tiny, words)

