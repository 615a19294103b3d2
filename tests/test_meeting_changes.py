"""A meeting corrected through the indexer's API: meeting.toml written atomically, audited, folder unchanged."""
from __future__ import annotations

import tomllib
from datetime import datetime, timezone

import pytest

from indexer import ChangeError, MeetingFields, Speaker, edit_meeting, meeting_fields, recent_changes

LERUM = "naturvard/2023-10-10-lerum"
WHEN = datetime(2026, 12, 2, 6, 0, tzinfo=timezone.utc)


@pytest.fixture
def arch(tiny):
    tiny.write(f"{LERUM}/minnesanteckningar.txt", "Minnesanteckningar om parkslide och lupin.")
    tiny.index()
    return tiny


def toml(arch) -> dict:
    return tomllib.loads((arch.root / LERUM / "meeting.toml").read_text(encoding="utf-8"))


def test_edit_writes_meeting_toml_and_the_index_follows(arch):
    fields = MeetingFields(title="Invasiva arter i Lerum", place="Lerums kommunhus", themes=("Invasiva arter",),
                           speakers=(Speaker("Anna Berg", "Länsstyrelsen"), Speaker("Per Ek")))
    change = edit_meeting(arch.root, LERUM, fields, "anna", now=WHEN)
    assert toml(arch) == {"title": "Invasiva arter i Lerum", "place": "Lerums kommunhus",
                          "themes": ["Invasiva arter"],
                          "speakers": [{"name": "Anna Berg", "organisation": "Länsstyrelsen"}, {"name": "Per Ek"}]}
    assert meeting_fields(arch.root, LERUM) == fields
    assert (arch.root / LERUM / "minnesanteckningar.txt").is_file()  # the folder keeps its name
    assert change.what == "meeting-edit" and change.file == LERUM and change.sha256_before is None
    assert change.detail["changed"]["speakers"] == [[], ["Anna Berg, Länsstyrelsen", "Per Ek"]]
    logged = recent_changes(arch.root, 1)[0]
    assert (logged.what, logged.who, logged.file, logged.when) == ("meeting-edit", "anna", LERUM, WHEN)
    arch.index()
    meeting = arch.open().document(f"{LERUM}/minnesanteckningar.txt").meeting
    assert (meeting.title, meeting.place, meeting.speakers[0].name) == ("Invasiva arter i Lerum",
                                                                         "Lerums kommunhus", "Anna Berg")


def test_the_same_fields_again_change_nothing(arch):
    fields = MeetingFields(title="Vårmöte")
    first = edit_meeting(arch.root, LERUM, fields, "anna")
    before = (arch.root / LERUM / "meeting.toml").read_bytes()
    assert edit_meeting(arch.root, LERUM, fields, "anna") is None
    assert (arch.root / LERUM / "meeting.toml").read_bytes() == before
    assert len(recent_changes(arch.root)) == 1 and first.sha256_after


def test_emptied_fields_remove_meeting_toml(arch):
    edit_meeting(arch.root, LERUM, MeetingFields(title="Vårmöte"), "anna")
    change = edit_meeting(arch.root, LERUM, MeetingFields(), "anna")
    assert not (arch.root / LERUM / "meeting.toml").exists()
    assert change.detail["changed"] == {"title": ["Vårmöte", None]} and change.sha256_after is None


def test_control_and_bidi_characters_are_dropped(arch):
    fields = MeetingFields(title="Möte\x00 om\x1b[31m \u202eparkslide\r\n", place="Ler\x85um",
                           speakers=(Speaker("Anna\tBerg", "Läns\x7fstyrelsen"),))
    edit_meeting(arch.root, LERUM, fields, "anna")
    data = toml(arch)
    assert data["title"] == "Möte om [31m parkslide" and data["place"] == "Ler um"
    assert data["speakers"] == [{"name": "Anna Berg", "organisation": "Läns styrelsen"}]


@pytest.mark.parametrize("fields", [
    MeetingFields(title="x" * 301),
    MeetingFields(title="x" * 10_000_000),
    MeetingFields(place="å" * 301),
    MeetingFields(speakers=(Speaker("a" * 301),)),
    MeetingFields(speakers=tuple(Speaker(f"Talare {i}") for i in range(31))),
    MeetingFields(speakers=(Speaker("", "Länsstyrelsen"),)),
    MeetingFields(themes=("Inget sådant tema",)),
], ids=["title", "10 MB title", "place", "speaker", "31 speakers", "no name", "unknown theme"])
def test_too_long_or_unknown_is_refused_and_nothing_is_written(arch, fields):
    with pytest.raises(ChangeError):
        edit_meeting(arch.root, LERUM, fields, "anna")
    assert not (arch.root / LERUM / "meeting.toml").exists() and recent_changes(arch.root) == []


@pytest.mark.parametrize("folder", ["naturvard/../naturvard/2023-10-10-lerum", "../arkiv/naturvard/2023-10-10-lerum",
                                    "naturvard/2023-10-11", "okand/2023-10-10-lerum", "naturvard/ovrigt",
                                    "naturvard", "/etc/2023-10-10", "naturvard/2023-10-10-lerum/x"])
def test_only_an_existing_meeting_folder_is_edited(arch, folder):
    with pytest.raises(ChangeError):
        edit_meeting(arch.root, folder, MeetingFields(title="X"), "anna")
    assert recent_changes(arch.root) == []


def test_a_linked_meeting_folder_or_file_is_refused(arch, tmp_path):
    outside = tmp_path / "utanfor"
    outside.mkdir()
    (arch.root / "naturvard/2024-01-01").symlink_to(outside)
    with pytest.raises(ChangeError):
        edit_meeting(arch.root, "naturvard/2024-01-01", MeetingFields(title="X"), "anna")
    (outside / "meeting.toml").write_text('title = "Utanför"\n')
    (arch.root / LERUM / "meeting.toml").symlink_to(outside / "meeting.toml")
    with pytest.raises(ChangeError):
        edit_meeting(arch.root, LERUM, MeetingFields(title="X"), "anna")
    assert (outside / "meeting.toml").read_text() == 'title = "Utanför"\n'


def test_keys_the_edit_does_not_know_are_not_lost(arch):
    path = arch.write(f"{LERUM}/meeting.toml", 'title = "Möte"\nprotokollforare = "Per"\n')
    with pytest.raises(ChangeError, match="protokollforare"):
        edit_meeting(arch.root, LERUM, MeetingFields(title="Nytt"), "anna")
    assert path.read_text() == 'title = "Möte"\nprotokollforare = "Per"\n'


def test_an_unreadable_meeting_toml_is_replaced_and_its_hash_logged(arch):
    arch.write(f"{LERUM}/meeting.toml", 'title = "Möte\n')
    change = edit_meeting(arch.root, LERUM, MeetingFields(title="Möte"), "anna")
    assert toml(arch) == {"title": "Möte"}
    assert change.sha256_before and change.detail["unreadable_before"] is True


def test_a_crash_while_writing_leaves_the_old_file(arch, monkeypatch):
    path = arch.write(f"{LERUM}/meeting.toml", 'title = "Gammal"\n')
    import os

    def crash(*args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError):
        edit_meeting(arch.root, LERUM, MeetingFields(title="Ny"), "anna")
    assert path.read_text() == 'title = "Gammal"\n'
    assert [p.name for p in path.parent.iterdir() if p.name.startswith(".tmp")] == []
    assert recent_changes(arch.root) == []
