"""`arkiv serve`: the indexer's CLI extended by the web app."""
from __future__ import annotations

import pytest
import waitress

from webapp import cli


@pytest.fixture
def served(monkeypatch):
    calls = []
    monkeypatch.setattr(waitress, "serve", lambda app, **kw: calls.append((app, kw)))
    return calls


def test_serve_runs_waitress_with_host_and_port(served, web_archive, capsys):
    code = cli.main(["serve", "--host", "127.0.0.2", "--port", "8123", "--archive", str(web_archive.archive),
                     "--index", str(web_archive.index_dir)])
    assert code == 0
    (app, kw), = served
    assert kw["host"] == "127.0.0.2" and kw["port"] == 8123
    assert app.extensions["arkiv"].archive == web_archive.archive
    assert app.test_client().get("/?q=parkslide").status_code == 200
    assert "http://127.0.0.2:8123/" in capsys.readouterr().err


def test_serve_defaults(served, web_archive):
    assert cli.main(["serve", "--archive", str(web_archive.archive), "--index", str(web_archive.index_dir)]) == 0
    (_, kw), = served
    assert (kw["host"], kw["port"]) == ("127.0.0.1", 5000)


def test_serve_indexes_first_when_there_is_no_index(served, tmp_path, capsys):
    archive = tmp_path / "arkiv"
    (archive / "naturvard" / "2024-01-01").mkdir(parents=True)
    (archive / "arkiv.toml").write_text('[[groups]]\nslug = "naturvard"\nname = "Naturvårdsgruppen"\n',
                                        encoding="utf-8")
    (archive / "naturvard" / "2024-01-01" / "anteckningar.txt").write_text("Om lupin.", encoding="utf-8")
    index_dir = tmp_path / "index"
    assert cli.main(["serve", "--archive", str(archive), "--index", str(index_dir)]) == 0
    assert "indexing" in capsys.readouterr().err
    (app, _), = served
    assert app.test_client().get("/api/search?q=lupin").get_json()["total"] == 1


@pytest.mark.parametrize("port", ["0", "70000", "http"])
def test_serve_rejects_bad_port(served, port, capsys):
    with pytest.raises(SystemExit) as e:
        cli.main(["serve", "--port", port])
    assert e.value.code == 2 and served == []
    assert "port" in capsys.readouterr().err


def test_indexer_commands_still_there(web_archive, capsys):
    assert cli.main(["search", "parkslide", "--archive", str(web_archive.archive),
                     "--index", str(web_archive.index_dir)]) == 0
    assert "parkslide" in capsys.readouterr().out.lower()
