"""The `arkiv` command line: a contract users' scripts rely on."""
from __future__ import annotations

import json

import pytest

from builders import docx_bytes, encrypted_pdf_bytes, pdf_bytes
from indexer.cli import main


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def arch(tiny):
    tiny.write("naturvard/2023-10-10-lerum/minnesanteckningar.docx",
               docx_bytes(["Parkslide och lupiner i Lerum."], heading="Minnesanteckningar"))
    tiny.write("miljostrategi/ovrigt/rapport.pdf", pdf_bytes(["Möte den 14 mars 2018 om Agenda 2030."]))
    return tiny


def loc(t):
    return ["--archive", t.root, "--index", t.index_dir]


def test_index_json_summary_and_exit_0(arch, capsys):
    code, out, _ = run(capsys, "index", *loc(arch), "--json")
    data = json.loads(out)
    assert code == 0
    assert {"added", "updated", "removed", "unchanged", "failed", "warnings"} <= set(data)
    assert data["added"] == 2 and data["failed"] == []
    code, out, _ = run(capsys, "index", *loc(arch), "--json")
    assert json.loads(out)["unchanged"] == 2


def test_index_exit_3_when_some_files_fail(arch, capsys):
    arch.write("miljostrategi/ovrigt/hemlig.pdf", encrypted_pdf_bytes())
    code, out, _ = run(capsys, "index", *loc(arch))
    assert code == 3
    assert "encrypted" in out and "miljostrategi/ovrigt/hemlig.pdf" in out


def test_index_exit_1_when_nothing_can_be_done(tmp_path, capsys):
    code, _, err = run(capsys, "index", "--archive", tmp_path / "nowhere", "--index", tmp_path / "ix")
    assert code == 1 and "arkiv.toml" in err


def test_usage_errors_exit_2(arch, capsys):
    with pytest.raises(SystemExit) as e:
        main(["index", "--jobs", "zero"])
    assert e.value.code == 2
    with pytest.raises(SystemExit) as e:
        main(["search", "x", "--sort", "best"])
    assert e.value.code == 2
    with pytest.raises(SystemExit) as e:
        main(["search", "x", "--from", "14 mars"])
    assert e.value.code == 2
    capsys.readouterr()


def test_search_json_matches_design(arch, capsys):
    run(capsys, "index", *loc(arch))
    code, out, _ = run(capsys, "search", "parkslide", *loc(arch), "--json")
    data = json.loads(out)
    assert code == 0
    assert list(data) == ["query", "total", "page", "per_page", "suggestion", "expanded", "hits", "facets"]
    hit = data["hits"][0]
    assert list(hit) == ["id", "title", "group", "date", "type", "themes", "meeting", "page", "item", "score",
                         "snippet"]
    assert hit["meeting"] == "naturvard/2023-10-10-lerum"
    assert hit["id"] == "naturvard/2023-10-10-lerum/minnesanteckningar.docx" and hit["date"] == "2023-10-10"
    assert "<mark>Parkslide</mark>" in hit["snippet"]
    assert set(data["facets"]) == {"group", "type", "year", "theme", "municipality"}


def test_search_filters_sort_and_paging(arch, capsys):
    run(capsys, "index", *loc(arch))
    code, out, _ = run(capsys, "search", "", *loc(arch), "--group", "miljostrategi", "--group", "naturvard",
                       "--sort", "oldest", "--limit", "1", "--page", "2", "--json")
    data = json.loads(out)
    assert data["total"] == 2 and data["page"] == 2 and data["per_page"] == 1
    assert [h["date"] for h in data["hits"]] == ["2023-10-10"]
    code, out, _ = run(capsys, "search", *loc(arch), "--year", "2018", "--from", "2018-01-01",
                       "--to", "2018-12-31", "--type", "other", "--json")
    assert json.loads(out)["total"] == 1


def test_search_human_output(arch, capsys):
    run(capsys, "index", *loc(arch))
    code, out, _ = run(capsys, "search", "lupiner", *loc(arch))
    assert code == 0 and "1 document(s)" in out and "Minnesanteckningar" in out and "[lupiner]" in out


def test_search_without_index_says_what_to_do(arch, capsys):
    code, _, err = run(capsys, "search", "x", *loc(arch))
    assert code == 1 and "arkiv index" in err


def test_add_copies_into_meeting_and_indexes(arch, capsys, tmp_path):
    src = tmp_path / "Bilder från Borås.pdf"
    src.write_bytes(pdf_bytes(["Fladdermöss i Borås stadspark."]))
    code, out, _ = run(capsys, "add", src, *loc(arch), "--group", "naturvard", "--meeting", "2024-05-02-boras",
                       "--theme", "Grön infrastruktur", "--title", "Fladdermöss")
    assert code == 0
    dest = arch.root / "naturvard/2024-05-02-boras/Bilder från Borås.pdf"
    assert dest.read_bytes() == src.read_bytes()
    assert "Grön infrastruktur" in (dest.parent / (dest.name + ".toml")).read_text(encoding="utf-8")
    code, out, _ = run(capsys, "search", "fladdermöss", *loc(arch), "--json")
    hit = json.loads(out)["hits"][0]
    assert hit["title"] == "Fladdermöss" and hit["date"] == "2024-05-02" and hit["themes"] == ["Grön infrastruktur"]


def test_add_never_overwrites(arch, capsys, tmp_path):
    src = tmp_path / "minnesanteckningar.docx"
    src.write_bytes(docx_bytes(["Helt annan text"]))
    target = arch.root / "naturvard/2023-10-10-lerum/minnesanteckningar.docx"
    before = target.read_bytes()
    code, _, err = run(capsys, "add", src, *loc(arch), "--group", "naturvard", "--meeting", "2023-10-10-lerum")
    assert code == 1 and "already exists" in err
    assert target.read_bytes() == before


def test_add_all_or_nothing(arch, capsys, tmp_path):
    good = tmp_path / "ny.pdf"
    good.write_bytes(pdf_bytes(["ny"]))
    code, _, err = run(capsys, "add", good, tmp_path / "saknas.pdf", *loc(arch), "--group", "naturvard")
    assert code == 1 and "no such file" in err
    assert not (arch.root / "naturvard/ovrigt/ny.pdf").exists()


def test_add_detects_same_content(arch, capsys, tmp_path):
    copy = tmp_path / "kopia.docx"
    copy.write_bytes((arch.root / "naturvard/2023-10-10-lerum/minnesanteckningar.docx").read_bytes())
    code, _, err = run(capsys, "add", copy, *loc(arch), "--group", "naturvard", "--meeting", "2023-10-10-lerum")
    assert code == 1 and "already in the archive as naturvard/2023-10-10-lerum/minnesanteckningar.docx" in err


@pytest.mark.parametrize("args, message", [
    (["--group", "okand"], "not a group"),
    (["--group", "naturvard", "--meeting", "2023-02-30"], "real date"),
    (["--group", "naturvard", "--meeting", "../../etc"], "YYYY-MM-DD"),
    (["--group", "naturvard", "--theme", "Påhittat tema"], "unknown theme"),
])
def test_add_refuses_bad_targets(arch, capsys, tmp_path, args, message):
    src = tmp_path / "x.pdf"
    src.write_bytes(pdf_bytes(["x"]))
    code, _, err = run(capsys, "add", src, *loc(arch), *args)
    assert code == 1 and message in err
