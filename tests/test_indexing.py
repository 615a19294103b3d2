"""Incremental indexing: what changed is handled, what did not is not read again."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from builders import docx_bytes, encrypted_pdf_bytes, pdf_bytes, pptx_bytes
from indexer import SearchRequest
from indexer.index import SCHEMA_VERSION, folder, update


def ids(ix, query="", **kw):
    return sorted(h.id for h in ix.search(SearchRequest(query=query, per_page=100, **kw)).hits)


@pytest.fixture
def filled(tiny):
    tiny.write("naturvard/2023-10-10-lerum/minnesanteckningar.docx",
               docx_bytes(["Vi talade om parkslide och parkslidens spridning."], heading="Minnesanteckningar"))
    tiny.write("naturvard/2023-10-10-lerum/skogsstyrelsen.pptx",
               pptx_bytes([("Nyckelbiotoper", "Skogens värden", "Anteckning om hackspettar"),
                           ("Grön infrastruktur", "Handlingsplan", "")]))
    tiny.write("miljostrategi/ovrigt/rapport.pdf",
               pdf_bytes(["Möte den 14 mars 2018.", "Agenda 2030 och globala målen.", "Indikatorer."]))
    return tiny


def count_extractions(monkeypatch):
    calls = []
    real = update.ExtractionPool.run

    def spy(self, paths):
        calls.extend(Path(p).name for p in paths)
        return real(self, paths)
    monkeypatch.setattr(update.ExtractionPool, "run", spy)
    return calls


def test_first_run_adds_everything(filled):
    report = filled.index()
    assert len(report.added) == 3 and not report.failed
    assert ids(filled.open(), "hackspettar") == ["naturvard/2023-10-10-lerum/skogsstyrelsen.pptx"]


def test_nothing_changed_reads_nothing(filled, monkeypatch):
    filled.index()
    calls = count_extractions(monkeypatch)
    report = filled.index()
    assert report.unchanged == 3 and not (report.added or report.updated or report.removed)
    assert calls == []


def test_modified_file_is_updated(filled):
    filled.index()
    ix = filled.open()
    assert ids(ix, "parkslide")
    path = filled.write("naturvard/2023-10-10-lerum/minnesanteckningar.docx",
                        docx_bytes(["Nu handlar det om lupiner."], heading="Minnesanteckningar"))
    os.utime(path, ns=(1, 1))
    report = filled.index()
    assert report.updated == ["naturvard/2023-10-10-lerum/minnesanteckningar.docx"]
    assert ids(ix, "parkslide") == []  # the open SearchIndex sees the new commit
    assert ids(ix, "lupiner") == ["naturvard/2023-10-10-lerum/minnesanteckningar.docx"]


def test_touched_but_same_bytes_is_unchanged(filled):
    filled.index()
    os.utime(filled.root / "miljostrategi/ovrigt/rapport.pdf", ns=(10**18, 10**18))
    report = filled.index()
    assert report.unchanged == 3 and not report.updated


def test_moved_file_is_recognised_and_not_read_again(filled, monkeypatch):
    filled.index()
    calls = count_extractions(monkeypatch)
    (filled.root / "naturvard/2024-05-02-alingsas").mkdir()
    shutil.move(filled.root / "naturvard/2023-10-10-lerum/skogsstyrelsen.pptx",
                filled.root / "naturvard/2024-05-02-alingsas/skogsstyrelsen.pptx")
    report = filled.index()
    assert report.moved == [("naturvard/2023-10-10-lerum/skogsstyrelsen.pptx",
                             "naturvard/2024-05-02-alingsas/skogsstyrelsen.pptx")]
    assert not report.added and not report.removed and calls == []
    ix = filled.open()
    hit = ix.search(SearchRequest(query="hackspettar")).hits[0]
    assert hit.id == "naturvard/2024-05-02-alingsas/skogsstyrelsen.pptx"
    assert hit.date.isoformat() == "2024-05-02"


def test_deleted_file_is_removed(filled):
    filled.index()
    (filled.root / "miljostrategi/ovrigt/rapport.pdf").unlink()
    report = filled.index()
    assert report.removed == ["miljostrategi/ovrigt/rapport.pdf"]
    assert ids(filled.open(), "indikatorer") == []


def test_sidecar_change_updates_metadata_without_reading_file(filled, monkeypatch):
    filled.index()
    calls = count_extractions(monkeypatch)
    filled.write("miljostrategi/ovrigt/rapport.pdf.toml", 'title = "Rätt titel"\ntype = "follow-up"\n')
    report = filled.index()
    assert report.updated == ["miljostrategi/ovrigt/rapport.pdf"] and calls == []
    doc = filled.open().document("miljostrategi/ovrigt/rapport.pdf")
    assert doc.title == "Rätt titel" and doc.type == "follow-up" and doc.sources["title"] == "sidecar"


def test_meeting_toml_change_updates_its_documents(filled):
    filled.index()
    filled.write("naturvard/2023-10-10-lerum/meeting.toml",
                 'title = "Landskapsplanering"\nplace = "Lerums kommunhus"\n'
                 '[[speakers]]\nname = "Greta Lind"\norganisation = "Länsstyrelsen"\n')
    report = filled.index()
    assert len(report.updated) == 2
    assert len(ids(filled.open(), "Länsstyrelsen")) == 2


def test_broken_and_encrypted_files_do_not_stop_the_run(filled):
    filled.write("miljostrategi/ovrigt/trasig.pdf", pdf_bytes(["hel text"])[:300])
    filled.write("miljostrategi/ovrigt/hemlig.pdf", encrypted_pdf_bytes())
    filled.write("miljostrategi/ovrigt/tom.docx", b"")
    report = filled.index()
    reasons = {p.id.rsplit("/", 1)[-1]: p.reason for p in report.failed}
    assert reasons == {"trasig.pdf": "corrupt", "hemlig.pdf": "encrypted", "tom.docx": "empty"}
    assert len(report.added) == 3
    ix = filled.open()
    # A failed file stays findable by its name, carrying its status.
    assert ids(ix, "hemlig") == ["miljostrategi/ovrigt/hemlig.pdf"]
    assert ix.document("miljostrategi/ovrigt/hemlig.pdf").status == "encrypted"
    again = filled.index()
    assert {p.id for p in again.failed} == {p.id for p in report.failed}


def test_unknown_group_folder_is_reported_not_guessed(filled):
    filled.write("okand-grupp/2020-01-01/minnesanteckningar.txt", "text")
    report = filled.index()
    assert any(p.id == "okand-grupp/" and "not a group" in p.reason for p in report.warnings)
    assert ids(filled.open(), "text") == []


def test_broken_sidecar_is_a_warning_and_ignored(filled):
    filled.write("miljostrategi/ovrigt/rapport.pdf.toml", "title = [oavslutad")
    report = filled.index()
    assert any(p.id == "miljostrategi/ovrigt/rapport.pdf.toml" for p in report.warnings)
    assert not report.failed


def test_rebuild_gives_the_same_results(filled):
    filled.index()
    before = filled.open().search(SearchRequest(query="parkslide")).to_json()
    report = filled.index(rebuild=True)
    assert report.rebuilt_because and len(report.updated) == 3
    shutil.rmtree(filled.index_dir)
    filled.index()
    assert filled.open().search(SearchRequest(query="parkslide")).to_json() == before


def test_older_schema_is_rebuilt_saying_so(filled):
    filled.index()
    (filled.index_dir / "whoosh" / folder.STAMP_FILE).write_text(str(SCHEMA_VERSION - 1))
    report = filled.index()
    assert "schema version" in report.rebuilt_because
    assert ids(filled.open(), "parkslide")


def test_index_whose_analyzers_moved_away_is_rebuilt(filled, tmp_path, monkeypatch):
    """An index of an older version pickles analyzers under import paths that are gone now."""
    import sys
    import textwrap

    from whoosh import index as whoosh_index
    from whoosh.fields import ID, TEXT, Schema

    from indexer import IndexUnavailable

    filled.index()
    (tmp_path / "arkiv_moved_analysis.py").write_text(textwrap.dedent("""
        from whoosh.analysis import Filter, RegexTokenizer
        class OldFilter(Filter):
            def __call__(self, tokens):
                yield from tokens
        def analyzer():
            return RegexTokenizer() | OldFilter()
    """))
    monkeypatch.syspath_prepend(str(tmp_path))
    import arkiv_moved_analysis

    wdir = filled.index_dir / "whoosh"
    shutil.rmtree(wdir)
    wdir.mkdir()
    whoosh_index.create_in(str(wdir), Schema(id=ID(stored=True), content=TEXT(analyzer=arkiv_moved_analysis.analyzer())))
    (wdir / folder.STAMP_FILE).write_text("4\n")
    monkeypatch.delitem(sys.modules, "arkiv_moved_analysis")
    (tmp_path / "arkiv_moved_analysis.py").unlink()
    with pytest.raises(ModuleNotFoundError) as gone:  # what Whoosh itself makes of it
        whoosh_index.open_dir(str(wdir))
    folder._forget(gone.value)  # the files Whoosh left open

    with pytest.raises(IndexUnavailable, match="schema version 4.*arkiv index"):
        filled.open().search(SearchRequest(query="parkslide"))
    calls = count_extractions(monkeypatch)
    report = filled.index()
    assert "schema version 4" in report.rebuilt_because and calls == []  # from the text cache
    assert ids(filled.open(), "parkslide") == ["naturvard/2023-10-10-lerum/minnesanteckningar.docx"]


def test_rebuild_after_schema_change_reuses_text_cache(filled, monkeypatch):
    filled.index()
    calls = count_extractions(monkeypatch)
    filled.index(rebuild=True)
    assert calls == []


def test_parallel_jobs_give_the_same_index(filled, tmp_path):
    filled.index(jobs=2)
    assert ids(filled.open(), "hackspettar") == ["naturvard/2023-10-10-lerum/skogsstyrelsen.pptx"]


def test_a_second_writer_waits_then_gives_up_clearly(filled):
    from indexer import IndexLocked
    from indexer.index import write_lock
    waited = []
    with write_lock(filled.index_dir):
        with pytest.raises(IndexLocked, match="another process"):
            from indexer import IndexSettings, update_index
            update_index(IndexSettings(archive=filled.root, index_dir=filled.index_dir, lock_timeout=0.3),
                         on_wait=lambda: waited.append(1))
    assert waited == [1]


def test_file_name_too_long_for_a_sidecar_is_indexed(tiny):
    name = "å" * 120 + ".txt"  # 244 bytes: the sidecar's name would pass the 255-byte limit
    tiny.write(f"naturvard/ovrigt/{name}", "Möte den 14 mars 2018 om parkslide.")
    report = tiny.index()
    assert report.added == [f"naturvard/ovrigt/{name}"] and not report.failed


def test_an_open_search_index_sees_a_rebuild(filled):
    filled.index()
    ix = filled.open()
    assert ids(ix, "hackspettar")
    (filled.root / "naturvard/2023-10-10-lerum/skogsstyrelsen.pptx").unlink()
    filled.index(rebuild=True)
    assert ids(ix, "hackspettar") == []


# Whoosh leaves the damaged segment's file open when it fails to read it.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_unreadable_segments_are_reported_with_what_to_do(filled):
    from indexer import IndexUnavailable
    filled.index()
    for seg in (filled.index_dir / "whoosh").glob("MAIN_*"):
        if seg.suffix in (".seg", ".trm", ".pst"):  # one compound file, or the terms and postings
            seg.write_bytes(b"\0" * 10)
    with pytest.raises(IndexUnavailable, match="--rebuild"):
        filled.open().search(SearchRequest(query="parkslide"))
