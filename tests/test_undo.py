"""Undo from the audit log: an edit, a move, an upload batch; refused when later changes make it unsafe."""
from __future__ import annotations

import threading
from datetime import date

import pytest

from indexer import Filing, MeetingDraft, NewFile, Sidecar, UndoRefused, edit_document, file_documents, \
    move_document, recent_changes, remove_document, trashed, undo_change, undo_problem
from indexer.config import load_sidecar

LERUM = "naturvard/2023-10-10-lerum"
DOC = f"{LERUM}/minnesanteckningar.txt"


@pytest.fixture
def arch(tiny):
    tiny.write(f"{DOC}", "Minnesanteckningar om parkslide och lupin.")
    tiny.write(f"{LERUM}/meeting.toml", 'place = "Lerum"\n')
    return tiny


def last(arch, what: str):
    return next(c for c in recent_changes(arch.root) if c.what == what)


def upload(arch, tmp_path, names=("a.txt", "b.txt"), meeting=True):
    files = []
    for n in names:
        p = tmp_path / "in" / n
        p.parent.mkdir(exist_ok=True)
        p.write_text(f"Innehåll i {n}", encoding="utf-8")
        files.append(NewFile(p, n))
    draft = MeetingDraft(date(2026, 3, 4), place="Alingsås") if meeting else None
    return file_documents(arch.root, Filing("naturvard", folder=None if meeting else "ovrigt", new_meeting=draft,
                                            files=tuple(files), batch="batch-1"), "anna")


def test_undo_an_edit_restores_the_earlier_sidecar(arch):
    path = arch.root / DOC
    edit_document(arch.root, DOC, Sidecar(title="Första"), "anna")
    edit_document(arch.root, DOC, Sidecar(title="Andra", date=date(2023, 10, 12)), "anna")
    undo = undo_change(arch.root, last(arch, "edit").id, "bertil")
    assert load_sidecar(path) == Sidecar(title="Första")
    assert undo.what == "undo" and undo.who == "bertil" and recent_changes(arch.root)[0].id == undo.id
    # The first edit's undo was unsafe while the second stood; with it undone, it may go too.
    undo_change(arch.root, [c for c in recent_changes(arch.root) if c.what == "edit"][-1].id, "bertil")
    assert load_sidecar(path) == Sidecar() and not (arch.root / f"{DOC}.toml").exists()


def test_undo_a_move_puts_it_and_its_sidecar_back(arch):
    edit_document(arch.root, DOC, Sidecar(title="Flyttad"), "anna")
    new_id = move_document(arch.root, DOC, "miljostrategi", "ovrigt", "anna")
    undo_change(arch.root, last(arch, "move").id, "anna")
    assert (arch.root / DOC).is_file() and load_sidecar(arch.root / DOC) == Sidecar(title="Flyttad")
    assert not (arch.root / new_id).exists() and not (arch.root / f"{new_id}.toml").exists()


def test_undo_an_upload_batch_trashes_its_files_and_the_new_meeting(arch, tmp_path):
    filed = upload(arch, tmp_path)
    assert filed.batch == "batch-1" and len(filed.added) == 2
    row = next(c for c in recent_changes(arch.root) if c.what == "upload")
    undo = undo_change(arch.root, row.id, "anna")
    assert sorted(undo.detail["undoes"]) == sorted(c.id for c in recent_changes(arch.root)[1:4])
    assert not (arch.root / filed.meeting).exists()  # the meeting it made, empty again, is gone
    assert sorted(i.original for i in trashed(arch.root)) == sorted(filed.added)  # in the trash, not deleted
    assert {i.why for i in trashed(arch.root)} == {"undo"}


def test_undo_a_replace_brings_the_old_version_back(arch, tmp_path):
    p = tmp_path / "minnesanteckningar.txt"
    p.write_text("Ny version", encoding="utf-8")
    file_documents(arch.root, Filing("naturvard", folder="2023-10-10-lerum",
                                     files=(NewFile(p, p.name, on_clash="replace"),)), "anna")
    assert (arch.root / DOC).read_text(encoding="utf-8") == "Ny version"
    undo_change(arch.root, last(arch, "replace").id, "anna")
    assert (arch.root / DOC).read_text(encoding="utf-8") == "Minnesanteckningar om parkslide och lupin."
    assert [i.why for i in trashed(arch.root)] == ["undo"]


@pytest.mark.parametrize("later", ["edit", "move", "remove"])
def test_undo_is_refused_when_the_document_changed_since(arch, tmp_path, later):
    edit_document(arch.root, DOC, Sidecar(title="Rättad"), "anna")
    target = last(arch, "edit")
    if later == "edit":
        edit_document(arch.root, DOC, Sidecar(title="Igen"), "bertil")
    elif later == "move":
        move_document(arch.root, DOC, "miljostrategi", "ovrigt", "bertil")
    else:
        remove_document(arch.root, DOC, "bertil")
    before = sorted(p.relative_to(arch.root) for p in arch.root.rglob("*") if ".audit" not in p.name)
    with pytest.raises(UndoRefused, match="efter det, av bertil"):
        undo_change(arch.root, target.id, "anna")
    assert sorted(p.relative_to(arch.root) for p in arch.root.rglob("*") if ".audit" not in p.name) == before
    assert undo_problem(target, recent_changes(arch.root)) is not None
    assert recent_changes(arch.root)[0].what != "undo"


def test_undo_of_a_batch_is_refused_when_one_of_its_files_was_edited(arch, tmp_path):
    filed = upload(arch, tmp_path, meeting=False)
    edit_document(arch.root, filed.added[1], Sidecar(title="Rättad"), "bertil")
    with pytest.raises(UndoRefused, match="rättats efter det"):
        undo_change(arch.root, last(arch, "upload").id, "anna")
    assert all((arch.root / i).is_file() for i in filed.added) and trashed(arch.root) == []


def test_undo_a_move_is_refused_when_the_old_place_is_taken(arch):
    new_id = move_document(arch.root, DOC, "miljostrategi", "ovrigt", "anna")
    arch.write(DOC, "En annan fil med samma namn")
    with pytest.raises(UndoRefused, match="gamla platsen"):
        undo_change(arch.root, last(arch, "move").id, "anna")
    assert (arch.root / new_id).is_file()


def test_what_cannot_be_undone_says_so(arch):
    remove_document(arch.root, DOC, "anna")
    with pytest.raises(UndoRefused, match="kan inte ångras härifrån"):
        undo_change(arch.root, last(arch, "remove").id, "anna")
    with pytest.raises(UndoRefused, match="finns inte i loggen"):
        undo_change(arch.root, "0123456789abcdef", "anna")


def test_two_undos_at_once_undo_it_once(arch):
    edit_document(arch.root, DOC, Sidecar(title="Rättad"), "anna")
    target = last(arch, "edit").id
    results: list[object] = []
    start = threading.Barrier(2)

    def go():
        start.wait()
        try:
            results.append(undo_change(arch.root, target, "anna"))
        except UndoRefused as e:
            results.append(e)

    threads = [threading.Thread(target=go) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    refused = [r for r in results if isinstance(r, UndoRefused)]
    assert len(refused) == 1 and "redan ångrad" in str(refused[0])
    assert [c.what for c in recent_changes(arch.root)].count("undo") == 1
    assert load_sidecar(arch.root / DOC) == Sidecar()
