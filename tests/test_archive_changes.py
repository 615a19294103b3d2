"""Changing the archive from the indexer's API and the CLI: filing, trash, edits, import, audit, crashes."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
import tomllib
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from builders import docx_bytes
from indexer import ChangeError, Filing, MeetingDraft, NewFile, Sidecar, edit_document, empty_trash, \
    file_documents, move_document, recent_changes, remove_document, restore, trashed
from indexer.cli import main

LERUM = "naturvard/2023-10-10-lerum"
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def arch(tiny):
    tiny.write(f"{LERUM}/minnesanteckningar.txt", "Minnesanteckningar om parkslide och lupin.")
    tiny.index()
    return tiny


def ids(tiny) -> list[str]:
    return sorted(d.id for d in tiny.open().documents())


def new_file(tmp_path, name: str, text: str) -> Path:
    path = tmp_path / "in" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def loc(t):
    return ["--archive", t.root, "--index", t.index_dir]


# -- filing ------------------------------------------------------------------------------
def test_filing_is_all_or_nothing(arch, tmp_path, monkeypatch):
    import indexer.changes.filing as filing

    real = filing.copy_atomic_new
    calls = []

    def fail_second(src, dest):
        calls.append(dest)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        real(src, dest)

    monkeypatch.setattr(filing, "copy_atomic_new", fail_second)
    before = sorted(p for p in arch.root.rglob("*"))
    with pytest.raises(OSError):
        file_documents(arch.root, Filing("naturvard", new_meeting=MeetingDraft(date(2024, 3, 14), "Borås"), files=(
            NewFile(new_file(tmp_path, "a.txt", "Ett"), "a.txt", Sidecar(title="A")),
            NewFile(new_file(tmp_path, "b.txt", "Två"), "b.txt"))), "anna")
    assert sorted(p for p in arch.root.rglob("*") if p.name != ".arkiv-write.lock") == \
        [p for p in before if p.name != ".arkiv-write.lock"]
    assert recent_changes(arch.root) == []


def test_filing_refuses_a_clash_unless_told(arch, tmp_path):
    f = new_file(tmp_path, "minnesanteckningar.txt", "Ny version.")
    with pytest.raises(ChangeError, match="already exists"):
        file_documents(arch.root, Filing("naturvard", folder="2023-10-10-lerum", files=(NewFile(f, f.name),)), "anna")
    filed = file_documents(arch.root, Filing("naturvard", folder="2023-10-10-lerum",
                                             files=(NewFile(f, f.name, on_clash="keep-both"),)), "anna")
    assert filed.added == [f"{LERUM}/minnesanteckningar-2.txt"]


@pytest.mark.parametrize("folder", ["../miljostrategi", "2023-10-11", "ingen-mote", "2023-10-10-lerum/../.."])
def test_filing_only_into_meetings_that_exist(arch, tmp_path, folder):
    f = new_file(tmp_path, "a.txt", "Text.")
    with pytest.raises(ChangeError):
        file_documents(arch.root, Filing("naturvard", folder=folder, files=(NewFile(f, f.name),)), "anna")


# -- the crash case ------------------------------------------------------------------------
CRASH_SCRIPT = textwrap.dedent("""
    import os, sys
    from datetime import date
    from pathlib import Path
    import indexer.changes.filing as filing
    from indexer import Filing, MeetingDraft, NewFile, Sidecar, file_documents

    archive, src = Path(sys.argv[1]), Path(sys.argv[2])
    real = filing.copy_atomic_new
    def copy_then_die(s, d):
        real(s, d)
        os._exit(9)  # killed right after the first file is written: no index update, no audit line
    filing.copy_atomic_new = copy_then_die
    file_documents(archive, Filing("naturvard", new_meeting=MeetingDraft(date(2024, 3, 14), "Borås", "Vårmöte"),
                   files=(NewFile(src / "a.txt", "a.txt", Sidecar(title="Rättad titel", type="minutes")),
                          NewFile(src / "b.txt", "b.txt", Sidecar(title="B")))), "anna")
""")


def test_killed_after_the_file_write_the_next_index_makes_it_consistent(arch, tmp_path, capsys):
    new_file(tmp_path, "a.txt", "Anteckningar från vårmötet om ålgräs.")
    new_file(tmp_path, "b.txt", "Bilaga om ålgräs.")
    proc = subprocess.run([sys.executable, "-c", CRASH_SCRIPT, str(arch.root), str(tmp_path / "in")],
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 9, proc.stderr
    folder = arch.root / "naturvard/2024-03-14-boras"
    # The first document is whole (its sidecar was written before it), the second never began.
    assert sorted(p.name for p in folder.iterdir()) == ["a.txt", "a.txt.toml", "meeting.toml"]
    assert "ålgräs" not in json.dumps([d.title for d in arch.open().documents()])
    code, out, _ = run(capsys, "index", *loc(arch), "--json")
    assert code == 0 and json.loads(out)["added"] == 1
    doc = arch.open().document("naturvard/2024-03-14-boras/a.txt")
    assert (doc.title, doc.type, doc.date, doc.meeting.title) == ("Rättad titel", "minutes", date(2024, 3, 14), "Vårmöte")
    code, out, _ = run(capsys, "index", *loc(arch), "--json")
    assert json.loads(out)["added"] == 0 and json.loads(out)["unchanged"] == 2


def test_web_save_that_dies_before_the_index_update(tmp_path, monkeypatch, capsys):
    """Raise after the files are written: the page fails, the next `arkiv index` finds the document."""
    sys.path.insert(0, str(Path(__file__).parent / "web"))
    try:
        from coord import build, review_fields, sign_in, upload
    finally:
        sys.path.pop(0)
    import webapp.upload

    coord = build(tmp_path)
    client = coord.app.test_client()
    sign_in(client)
    r = upload(client, [("vår.txt", "Anteckningar om ålgräs.".encode())], date="2024-03-14")
    url = r.headers["Location"]
    data = review_fields(client.get(url).get_data(as_text=True))

    def crash():
        raise RuntimeError("the server died here")

    monkeypatch.setattr(webapp.upload, "reindex", crash)
    assert client.post(url, data={**data, "title-0": "Vårmötet"}).status_code == 500
    assert client.get("/api/search?q=ålgräs").get_json()["total"] == 0
    code, _, _ = run(capsys, "index", "--archive", coord.archive, "--index", coord.tiny.index_dir)
    assert code == 0
    hits = client.get("/api/search?q=ålgräs").get_json()["hits"]
    assert [(h["id"], h["title"]) for h in hits] == [("naturvard/2024-03-14/vår.txt", "Vårmötet")]


# -- edit, move, trash ------------------------------------------------------------------------
def test_edit_move_remove_restore(arch):
    doc = f"{LERUM}/minnesanteckningar.txt"
    assert edit_document(arch.root, doc, Sidecar(date=date(2023, 10, 12)), "anna") is not None
    assert edit_document(arch.root, doc, Sidecar(date=date(2023, 10, 12)), "anna") is None  # nothing new
    moved = move_document(arch.root, doc, "miljostrategi", "ovrigt", "anna")
    assert moved == "miljostrategi/ovrigt/minnesanteckningar.txt"
    assert tomllib.loads((arch.root / (moved + ".toml")).read_text()) == {"date": date(2023, 10, 12)}
    item = remove_document(arch.root, moved, "anna")
    assert [i.key for i in trashed(arch.root)] == [item.key]
    assert restore(arch.root, item.key, "bertil") == moved
    assert (arch.root / (moved + ".toml")).is_file()
    arch.index()
    assert ids(arch) == [moved]
    assert [c.what for c in recent_changes(arch.root)] == ["restore", "remove", "move", "edit"]


@pytest.mark.parametrize("doc_id", ["../etc/passwd", "naturvard/../../x", "/etc/passwd", ".trash/x/files/a",
                                    "naturvard", f"{LERUM}/finns-inte.txt", f"{LERUM}/meeting.toml.toml"])
def test_changes_stay_inside_the_archive(arch, doc_id):
    with pytest.raises(ChangeError):
        remove_document(arch.root, doc_id, "anna")
    with pytest.raises(ChangeError):
        edit_document(arch.root, doc_id, Sidecar(title="x"), "anna")


def test_edit_refuses_unknown_themes_and_types(arch):
    with pytest.raises(ChangeError):
        edit_document(arch.root, f"{LERUM}/minnesanteckningar.txt", Sidecar(themes=("Påhittat tema",)), "anna")
    with pytest.raises(ChangeError):
        edit_document(arch.root, f"{LERUM}/minnesanteckningar.txt", Sidecar(type="roman"), "anna")


def test_audit_log_skips_a_torn_line(arch):
    remove_document(arch.root, f"{LERUM}/minnesanteckningar.txt", "anna")
    with open(arch.root / ".audit.jsonl", "a") as f:
        f.write('{"when": "2026-11-29T10:00:00+00:00", "who": "an')  # a crash mid-line
    assert [c.what for c in recent_changes(arch.root)] == ["remove"]


# -- arkiv trash ------------------------------------------------------------------------------------
def test_trash_empty_deletes_only_what_is_old_enough(arch, tmp_path, capsys):
    arch.write(f"{LERUM}/gammal.txt", "Gammal.")
    old_time = datetime.now(timezone.utc) - timedelta(days=120)
    old = remove_document(arch.root, f"{LERUM}/gammal.txt", "anna", now=old_time)
    recent = remove_document(arch.root, f"{LERUM}/minnesanteckningar.txt", "anna")
    code, out, _ = run(capsys, "trash", "list", "--archive", arch.root)
    assert code == 0 and "gammal.txt" in out and "minnesanteckningar.txt" in out
    code, out, _ = run(capsys, "trash", "empty", "--older-than", "90d", "--archive", arch.root)
    assert code == 0 and "Raderade 1 dokument" in out and f"{LERUM}/gammal.txt" in out
    assert [i.key for i in trashed(arch.root)] == [recent.key]
    assert not (arch.root / ".trash" / old.key).exists()
    emptied = recent_changes(arch.root)[0]
    assert emptied.what == "trash-empty" and emptied.file == f"{LERUM}/gammal.txt" and emptied.who.startswith("cli:")
    assert empty_trash(arch.root, timedelta(days=90), "x") == []


@pytest.mark.parametrize("age", ["90", "ninety", "-1d", "3y"])
def test_trash_empty_needs_a_duration(arch, capsys, age):
    with pytest.raises(SystemExit) as e:
        main(["trash", "empty", f"--older-than={age}", "--archive", str(arch.root)])
    assert e.value.code == 2 and "ingen tid som 90d" in capsys.readouterr().err


# -- arkiv import ----------------------------------------------------------------------------------
@pytest.fixture
def backlog(tmp_path, arch):
    src = tmp_path / "gamla filer"
    (src / "2023-10-10 Lerum").mkdir(parents=True)
    (src / "2023-10-10 Lerum" / "bilaga.txt").write_text("Bilaga om lupin.", encoding="utf-8")
    (src / "möten").mkdir()
    (src / "möten" / "anteckningar 14 mars 2018.docx").write_bytes(
        docx_bytes(["Anteckningar om grönstruktur."], heading="Anteckningar"))
    (src / "möten" / "inbjudan.txt").write_text("Inbjudan till mötet den 5/9 2019 om invasiva arter.",
                                                encoding="utf-8")
    (src / "utan datum.txt").write_text("Text om parkslide utan något datum.", encoding="utf-8")
    (src / "kopia.txt").write_bytes((arch.root / LERUM / "minnesanteckningar.txt").read_bytes())
    (src / "program.exe").write_bytes(bytes(range(256)))
    (src / ".DS_Store").write_bytes(b"junk")
    return src


def test_import_dry_run_changes_nothing(arch, backlog, capsys):
    before = sorted(p for p in arch.root.rglob("*"))
    code, out, _ = run(capsys, "import", backlog, "--group", "naturvard", *loc(arch))
    assert code == 0, out
    assert sorted(p for p in arch.root.rglob("*") if p.name != ".arkiv-write.lock") == \
        [p for p in before if p.name != ".arkiv-write.lock"]
    assert "Provkörning: ingenting ändrades" in out
    assert f"-> {LERUM}/bilaga.txt  (befintligt möte; datum ur sökvägen)" in out
    assert "-> naturvard/2018-03-14/anteckningar 14 mars 2018.docx  (nytt möte; datum ur sökvägen)" in out
    assert "-> naturvard/2019-09-05/inbjudan.txt  (nytt möte; datum ur texten)" in out
    assert "-> naturvard/osorterat/utan datum.txt" in out
    assert f"kopia.txt: finns redan i arkivet som {LERUM}/minnesanteckningar.txt" in out
    assert "program.exe: inget dokument" in out
    assert ".DS_Store" not in out


def test_import_yes_files_and_indexes(arch, backlog, capsys):
    code, out, _ = run(capsys, "import", backlog, "--group", "naturvard", "--yes", *loc(arch))
    assert code == 0, out
    assert ids(arch) == sorted([f"{LERUM}/bilaga.txt", f"{LERUM}/minnesanteckningar.txt",
                                "naturvard/2018-03-14/anteckningar 14 mars 2018.docx",
                                "naturvard/2019-09-05/inbjudan.txt", "naturvard/osorterat/utan datum.txt"])
    assert sorted(c.file for c in recent_changes(arch.root) if c.what == "import") == sorted(
        i for i in ids(arch) if i != f"{LERUM}/minnesanteckningar.txt")
    # Importing the same folder again finds everything already there.
    code, out, _ = run(capsys, "import", backlog, "--group", "naturvard", *loc(arch))
    assert "Skulle lägga 0 filer" in out and "i naturvard/osorterat/; 7 filer hoppades" not in out


def test_import_refuses_unknown_group_and_a_folder_inside_the_archive(arch, backlog, capsys):
    code, _, err = run(capsys, "import", backlog, "--group", "okänd", *loc(arch))
    assert code == 1 and "not a group" in err
    code, _, err = run(capsys, "import", arch.root / "naturvard", "--group", "naturvard", *loc(arch))
    assert code == 1 and "inside the archive" in err


# -- arkiv user --------------------------------------------------------------------------------------
def test_user_add_passwd_remove(arch, capsys, monkeypatch):
    import io

    from webapp import cli as webcli
    from webapp.accounts import Accounts, users_file

    def user(*argv, stdin="ett långt lösenord\n"):
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        code = webcli.main(["user", *argv, "--archive", str(arch.root)])
        out, err = capsys.readouterr()
        return code, out, err

    code, out, _ = user("add", "Anna", "--password-stdin")
    assert code == 0 and "Kontot ”anna” finns nu i" in out
    store = Accounts(users_file(arch.root))
    assert store.verify("anna", "ett långt lösenord") and not store.verify("anna", "fel")
    assert user("add", "anna", "--password-stdin")[0] == 2  # already there
    assert user("add", "bertil", "--password-stdin", stdin="kort\n")[0] == 2  # too short
    code, _, err = user("passwd", "anna", "--password-stdin", stdin="ett annat långt lösenord\n")
    assert code == 0 and store.verify("anna", "ett annat långt lösenord")
    assert user("passwd", "nobody", "--password-stdin")[0] == 2
    assert user("remove", "anna")[0] == 0 and store.names() == []
    assert [(c.what, c.file) for c in recent_changes(arch.root)] == [
        ("user-remove", "anna"), ("user-passwd", "anna"), ("user-add", "anna")]
    assert all(c.who.startswith("cli:") for c in recent_changes(arch.root))
    assert "hash" not in (arch.root / ".audit.jsonl").read_text()


def test_user_prompts_twice_without_stdin(arch, capsys, monkeypatch):
    import getpass

    from webapp import cli as webcli

    answers = iter(["ett långt lösenord", "ett annat lösenord"])
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": next(answers))
    assert webcli.main(["user", "add", "anna", "--archive", str(arch.root)]) == 2
    assert "skiljer sig åt" in capsys.readouterr().err
    assert not os.path.exists(arch.root.parent / "arkiv-users.json")


def test_arkiv_add_is_in_the_audit_log(arch, tmp_path, capsys):
    f = new_file(tmp_path, "inbjudan.txt", "Inbjudan till mötet om lupin.")
    code, _, _ = run(capsys, "add", f, "--group", "naturvard", "--meeting", "2024-03-14", "--title", "Inbjudan",
                     *loc(arch))
    assert code == 0
    # A new meeting folder is a change of its own, as when a coordinator makes one in the web app.
    change, meeting = recent_changes(arch.root)
    assert (meeting.what, meeting.file) == ("meeting", "naturvard/2024-03-14")
    assert (change.what, change.file) == ("upload", "naturvard/2024-03-14/inbjudan.txt")
    assert change.who.startswith("cli:") and change.sha256_after and "Inbjudan" in change.detail["sidecar"]
    assert not (arch.root / "naturvard/2024-03-14/meeting.toml").exists()  # nothing was said about it

    g = new_file(tmp_path, "bilaga.txt", "Bilaga om lupin.")
    assert run(capsys, "add", g, "--group", "naturvard", "--meeting", "2024-03-14", *loc(arch))[0] == 0
    assert [c.what for c in recent_changes(arch.root)] == ["upload", "upload", "meeting"]


def test_arkiv_add_waits_for_the_archive_lock(arch, tmp_path):
    from indexer import AddRequest, add_files
    from indexer.changes.files import archive_lock

    f = new_file(tmp_path, "inbjudan.txt", "Inbjudan till mötet om lupin.")
    done = threading.Event()

    def add():
        add_files(arch.root, AddRequest(files=(f,), group="naturvard"))
        done.set()

    with archive_lock(arch.root):  # another change is being made
        t = threading.Thread(target=add)
        t.start()
        assert not done.wait(0.5)
        assert not (arch.root / "naturvard/ovrigt/inbjudan.txt").exists()
    t.join(10)
    assert done.is_set() and (arch.root / "naturvard/ovrigt/inbjudan.txt").is_file()


def test_arkiv_add_writes_the_sidecar_before_the_file(arch, tmp_path, monkeypatch, capsys):
    import indexer.changes.filing as filing

    f = new_file(tmp_path, "inbjudan.txt", "Inbjudan till mötet om lupin.")
    seen = []
    real = filing.copy_atomic_new

    def copy(src, dest):
        seen.append(filing.sidecar_path(dest).is_file())
        return real(src, dest)

    monkeypatch.setattr(filing, "copy_atomic_new", copy)
    assert run(capsys, "add", f, "--group", "naturvard", "--title", "Inbjudan", *loc(arch))[0] == 0
    assert seen == [True]
