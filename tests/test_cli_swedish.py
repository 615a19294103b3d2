"""The command line for people: Swedish output, names resolved, a taken port, a --help that answers at once."""
from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from indexer.cli import main
from webapp import cli as web_cli

REPO = Path(__file__).resolve().parents[1]
HEAVY = ("whoosh", "numpy", "flask", "werkzeug", "docx", "pptx", "pypdf", "argon2", "gunicorn", "waitress")


def run(capsys, *argv, cli=main):
    code = cli([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def loc(sample_copy):
    archive, index_dir = sample_copy
    return ["--archive", archive, "--index", index_dir]


# -- Swedish for people, English JSON in UTF-8 for scripts -------------------------------------
def test_search_speaks_swedish_names_dates_and_types(sample_copy, capsys):
    code, out, _ = run(capsys, "search", "", "--group", "naturvard", "--sort", "newest", "--limit", "3",
                       *loc(sample_copy))
    assert code == 0
    head = out.splitlines()[0]
    assert head.endswith("– sida 1 av 8") and head.startswith("22 dokument"), head
    assert "Naturvårdsgruppen · 12 september 2024 ·" in out
    assert "\nGrupper: " in out and "\nTyper: " in out and "\nÅr: " in out and "\nTeman: " in out
    typer = next(line for line in out.splitlines() if line.startswith("Typer: "))
    assert "minnesanteckningar (" in typer and "presentation (" in typer and "minutes" not in typer
    for english in ("document(s)", "page 1 of", "themes:", "no date", "\ngroup:", "\ntype:"):
        assert english not in out


def test_presentations_say_bild_and_word_files_no_page(sample_copy, capsys):
    code, out, _ = run(capsys, "search", "lupin", "--limit", "100", *loc(sample_copy))
    pptx_lines = [line for line in out.splitlines() if line.rstrip().endswith(".pptx")]
    assert code == 0 and pptx_lines and not any("· sida " in line for line in pptx_lines)
    assert any("· bild " in line for line in pptx_lines)
    code, out, _ = run(capsys, "search", "landskapsplanering", "--limit", "100", *loc(sample_copy))
    docx_lines = [line for line in out.splitlines() if line.rstrip().endswith(".docx")]
    assert docx_lines and not any("sida" in line or "bild" in line for line in docx_lines)


def test_json_keeps_english_keys_and_writes_aao_as_utf8(sample_copy, capsys):
    code, out, _ = run(capsys, "search", "", "--group", "naturvard", "--limit", "1", "--json", *loc(sample_copy))
    assert code == 0
    assert "\\u00e5" not in out and "\\u00f6" not in out and "Biologisk mångfald" in out
    data = json.loads(out)
    assert list(data)[:3] == ["query", "total", "page"] and data["hits"][0]["type"] in (
        "minutes", "presentation", "follow-up", "agenda", "other")


def test_index_and_problems_summaries_in_swedish(sample_copy, capsys, tmp_path):
    import shutil

    archive = tmp_path / "archive"
    shutil.copytree(sample_copy[0], archive)
    code, out, _ = run(capsys, "index", "--archive", archive, "--index", tmp_path / "ix")
    assert code == 0 and " nya, 0 ändrade, 0 flyttade, 0 borttagna, 0 oförändrade, 0 oläsbara" in out
    code, out, _ = run(capsys, "problems", "--archive", archive, "--index", tmp_path / "ix")
    assert code == 0 and out.startswith("61 dokument i indexet: 0 kunde inte läsas, 0 inskannade filer utan läsbar text, "
                                   "0 lästes bara delvis.")
    code, out, _ = run(capsys, "problems", "--json", "--archive", archive, "--index", tmp_path / "ix")
    assert json.loads(out)["documents"] == 61


def test_errors_and_usage_in_swedish(sample_copy, tmp_path, capsys):
    code, _, err = run(capsys, "search", "x", "--archive", sample_copy[0], "--index", tmp_path / "ix")
    assert code == 1 and err.startswith("arkiv: det finns inget sökindex än: ") and "arkiv index" in err
    with pytest.raises(SystemExit) as e:
        main(["search", "x", "--sort", "bäst"])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert "användning: arkiv search" in err and "fel: --sort: ogiltigt val: 'bäst'" in err
    assert "arkiv search --help" in err
    with pytest.raises(SystemExit):
        main(["search", "--limit", "noll"])
    assert "”noll” är inget positivt heltal" in capsys.readouterr().err


# -- names resolved where they say one thing --------------------------------------------------
@pytest.mark.parametrize("option, value, field, expected", [
    pytest.param("--group", "naturvårdsgruppen", "group", {"naturvard"}, id="group-name-lowercase"),
    pytest.param("--group", "NATURVARD", "group", {"naturvard"}, id="slug-uppercase"),
    pytest.param("--group", "natur", "group", {"naturvard"}, id="group-unique-start"),
    pytest.param("--theme", "klimat 2030", "themes", {"Klimat 2030"}, id="theme-wrong-case"),
    pytest.param("--theme", "invasiva", "themes", {"Invasiva arter"}, id="theme-unique-start"),
])
def test_names_resolve_case_insensitively(sample_copy, capsys, option, value, field, expected):
    code, out, err = run(capsys, "search", "", option, value, "--limit", "100", "--json", *loc(sample_copy))
    assert code == 0, err
    hits = json.loads(out)["hits"]
    assert hits
    got = {h["group"] for h in hits} if field == "group" else {t for h in hits for t in h["themes"]} & expected
    assert got == expected


@pytest.mark.parametrize("option, value, listed", [
    pytest.param("--theme", "klimat", ("Klimat 2030", "Klimatanpassning"), id="ambiguous-theme"),
    pytest.param("--group", "skogen", ("Naturvårdsgruppen (naturvard)", "Miljöstrategigruppen (miljostrategi)"),
                 id="unknown-group"),
    pytest.param("--theme", "rymden", ("Invasiva arter", "Klimat 2030"), id="unknown-theme"),
])
def test_an_ambiguous_or_unknown_name_exits_2_listing_the_values(sample_copy, capsys, option, value, listed):
    code, out, err = run(capsys, "search", "", option, value, *loc(sample_copy))
    assert code == 2 and out == ""
    assert f"”{value}”" in err and all(v in err for v in listed), err


# -- serve on a taken port ------------------------------------------------------------------
def test_serve_on_a_taken_port_says_which_and_how_to_choose_another(sample_copy, capsys, monkeypatch):
    import waitress

    monkeypatch.setattr(waitress, "serve", lambda *a, **k: pytest.fail("served on a taken port"))
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        code, out, err = run(capsys, "serve", "--server", "waitress", "--port", port, *loc(sample_copy),
                             cli=web_cli.main)
    assert code == 1
    assert f"porten {port} på 127.0.0.1 används redan" in err and f"--port {port + 1}" in err
    assert "Nätverksarkivet: http" not in err  # no banner for a site that is not there


def test_makefile_run_takes_a_port():
    text = (REPO / "Makefile").read_text()
    assert "PORT ?= 5000" in text and "--port $(PORT)" in text


# -- --help at once: nothing heavy imported -------------------------------------------------
@pytest.mark.parametrize("argv", [["--help"], ["search", "--help"], ["serve", "--help"], ["search", "x", "--sort", "?"]],
                         ids=["help", "search-help", "serve-help", "usage-error"])
def test_help_and_usage_errors_import_nothing_heavy(argv):
    code = ("import sys\nfrom webapp.cli import main\ntry:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
            f"print(sorted({{m.split('.')[0] for m in sys.modules}} & {set(HEAVY)!r}), file=sys.stderr)\n")
    done = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True,
                          env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"}, timeout=60)
    assert done.stderr.strip().splitlines()[-1] == "[]", done.stderr
    assert "användning: arkiv" in done.stdout + done.stderr


def test_trash_list_loads_no_search_engine(tmp_path):
    code = ("import sys\nfrom webapp.cli import main\nmain(sys.argv[1:])\n"
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'whoosh', 'numpy', 'flask'}))\n")
    done = subprocess.run([sys.executable, "-c", code, "trash", "list", "--archive", str(REPO / "archive")],
                          capture_output=True, text=True, env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
                          timeout=60)
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stdout + done.stderr
