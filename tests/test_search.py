"""Search: facets, filters, sorting, pages, snippets and odd queries."""
from __future__ import annotations

import os
from datetime import date

import pytest

from builders import docx_bytes, pdf_bytes, pptx_bytes
from indexer import BadRequest, SearchRequest
from tiny import TinyArchive


@pytest.fixture(scope="module")
def ix(tmp_path_factory):
    t = TinyArchive(tmp_path_factory.mktemp("search"))
    t.write("naturvard/2023-10-10-lerum/minnesanteckningar.docx", docx_bytes(
        ["Parkslide och lupiner sprids. Parkslide bekämpas.", "Kommunen <b>beslutade</b> & <script>x</script>."],
        heading="Minnesanteckningar Lerum"))
    t.write("naturvard/2023-10-10-lerum/meeting.toml",
            'title = "Ekologisk landskapsplanering"\nplace = "Lerum"\n'
            '[[speakers]]\nname = "Greta Lind"\norganisation = "Skogsstyrelsen"\n')
    t.write("naturvard/2021-04-20-boras/presentation.pptx", pptx_bytes([
        ("Våtmarker", "Våtmarker i landskapet", "Talaren nämnde fladdermöss"),
        ("Grön infrastruktur", "Grön infrastruktur och grönstruktur i planen", "Parkslide längs vägen")]))
    t.write("miljostrategi/2019-09-05-vanersborg/uppfoljning.pdf", pdf_bytes([
        "Uppföljning av miljömålen.", "Agenda 2030 och globala målen.", "Indikatorer för grön infrastruktur."]))
    t.write("miljostrategi/2016-02-01/protokoll.docx", docx_bytes(["Protokoll om Agenda 2030 och Agenda 2030."]))
    t.write("miljostrategi/ovrigt/odaterad.txt", "Ett dokument utan datum om parkslide.")
    t.index()
    return t.open()


def search(ix, query="", **kw):
    return ix.search(SearchRequest(query=query, per_page=kw.pop("per_page", 100), **kw))


def test_hit_carries_metadata_and_best_page(ix):
    res = search(ix, "indikatorer")
    assert res.total == 1
    hit = res.hits[0]
    assert (hit.id, hit.group, hit.date, hit.type, hit.page) == (
        "miljostrategi/2019-09-05-vanersborg/uppfoljning.pdf", "miljostrategi", date(2019, 9, 5), "follow-up", 3)
    assert "<mark>Indikatorer</mark>" in hit.snippet


def test_slide_number_and_notes_are_searchable(ix):
    hit = search(ix, "fladdermöss").hits[0]
    assert hit.page == 1 and hit.type == "presentation"
    assert search(ix, "grönstruktur").hits[0].page == 2


def test_snippet_escapes_document_html(ix):
    hit = search(ix, "beslutade").hits[0]
    assert "<b>" not in hit.snippet and "<script>" not in hit.snippet
    assert "&lt;b&gt;" in hit.snippet and "&amp;" in hit.snippet
    assert hit.snippet.replace("<mark>", "").replace("</mark>", "").count("<") == 0


def test_meeting_title_place_and_speakers_are_searchable(ix):
    for q in ("landskapsplanering", "Greta Lind", "Skogsstyrelsen", "Lerum"):
        assert [h.id for h in search(ix, q).hits] == ["naturvard/2023-10-10-lerum/minnesanteckningar.docx"], q


def test_title_matches_weigh_more(ix):
    # The minutes say "parkslide" twice in the text; the undated note once, but in its title.
    res = search(ix, "parkslide")
    assert res.hits[0].id == "miljostrategi/ovrigt/odaterad.txt"


def test_facets_count_documents_and_are_multi_select(ix):
    res = search(ix, "parkslide")
    assert res.facets["group"] == {"naturvard": 2, "miljostrategi": 1}
    res = search(ix, "parkslide", groups=("naturvard",))
    assert res.total == 2
    # A facet's own counts ignore its own filter…
    assert res.facets["group"] == {"naturvard": 2, "miljostrategi": 1}
    # …but every other facet's counts apply it.
    assert res.facets["type"] == {"minutes": 1, "presentation": 1}
    res = search(ix, "parkslide", groups=("naturvard", "miljostrategi"))
    assert res.total == 3
    res = search(ix, "parkslide", groups=("naturvard",), types=("presentation",))
    assert res.total == 1 and res.facets["type"] == {"minutes": 1, "presentation": 1}
    assert res.facets["group"] == {"naturvard": 1}


def test_counts_count_documents_not_pages(ix):
    res = search(ix, "grön infrastruktur")
    assert sum(res.facets["group"].values()) == res.total == len(res.hits)


def test_browse_with_filters_only(ix):
    res = search(ix, "", groups=("miljostrategi",))
    assert res.total == 3
    assert [h.date for h in res.hits] == [date(2019, 9, 5), date(2016, 2, 1), None]  # newest first, undated last
    assert res.facets["year"] == {"2019": 1, "2016": 1}


def test_theme_and_year_filters(ix):
    assert search(ix, "", themes=("Agenda 2030",)).total == 2
    assert search(ix, "", years=("2016", "2021")).total == 2


def test_date_range(ix):
    res = search(ix, "", date_from=date(2019, 1, 1), date_to=date(2021, 12, 31))
    assert sorted(h.date.year for h in res.hits) == [2019, 2021]


@pytest.mark.parametrize("sort, first", [("newest", date(2023, 10, 10)), ("oldest", date(2016, 2, 1))])
def test_sort(ix, sort, first):
    hits = search(ix, "", sort=sort).hits
    assert hits[0].date == first and hits[-1].date is None


@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_query_sorted_by_date_keeps_snippets(ix, sort):
    res = search(ix, "parkslide", sort=sort)
    dates = [h.date for h in res.hits if h.date]
    assert dates == sorted(dates, reverse=sort == "newest") and len(res.hits) == 3
    assert all("<mark>" in h.snippet for h in res.hits) and all(h.score == 0.0 for h in res.hits)


def test_filters_that_drop_matches_page_safely(ix):
    res = search(ix, "parkslide", types=("presentation", "follow-up"), per_page=2)
    assert res.total == 1 and len(res.hits) == 1
    assert search(ix, "parkslide", groups=("naturvard",), page=2, per_page=1).hits


def test_highlighter_marks_what_the_search_matches(ix):
    spans = ix.highlighter("uppföljning")
    text = "Om miljömålsuppföljningen och uppföljningar, inte följning."
    assert [text[a:b] for a, b in spans(text)] == ["miljömålsuppföljningen", "uppföljningar"]
    assert ix.highlighter("")("text") == []


def test_paging(ix):
    all_ids = [h.id for h in search(ix, "").hits]
    paged = [h.id for p in (1, 2, 3) for h in search(ix, "", page=p, per_page=2).hits]
    assert paged == all_ids and len(all_ids) == 5
    assert search(ix, "", page=9, per_page=2).hits == ()


def test_field_queries(ix):
    assert [h.type for h in search(ix, "typ:presentation").hits] == ["presentation"]
    assert search(ix, "grupp:miljostrategi").total == 3
    assert search(ix, "titel:minnesanteckningar").total == 1
    assert search(ix, 'tema:"Agenda 2030"').total == 2


def test_exclusion_and_phrases(ix):
    assert search(ix, "parkslide -lupiner").total == 2
    assert search(ix, '"grön infrastruktur"').total == 2


def test_question_mark_is_punctuation(ix):
    assert search(ix, "Var finns parkslide?").total == 3


@pytest.mark.parametrize("query", [
    '"unclosed', "(((", ")", "AND", "OR OR", "NOT", "title:", "foo:bar", "[a TO", "{", "~~", "^^^", "*", "?",
    "a*b?c", "\x00\x01", "å" * 2000, '"" "" ""', "grupp:", "år:abc", "-", "+", "parkslide^", "parkslide~",
    "\\", "';DROP TABLE", "<script>alert(1)</script>",
])
def test_malformed_queries_never_crash(ix, query):
    res = search(ix, query)
    assert res.total >= 0


def test_suggestion_for_unknown_word(ix):
    res = search(ix, "parksilde", exact=True)
    assert res.total == 0 and res.suggestion == "parkslide"
    assert search(ix, "parksilde").corrected == "parkslide"
    assert search(ix, "parkslide").suggestion is None


@pytest.mark.parametrize("typed, meant", [
    ("prakslide", "parkslide"),  # the second and third letters swapped: Whoosh's two-letter prefix missed it
    ("lupnier", "lupiner"),
    ("våtmrker", "våtmarker"),
    ("lreum", "lerum"),  # a short word allows one edit, and a swap is one
])
def test_two_neighbouring_letters_swapped_are_one_typo(ix, typed, meant):
    assert search(ix, typed, exact=True).suggestion == meant
    assert search(ix, typed).corrected == meant


def test_a_suggestion_keeps_the_first_letter_as_typed(ix):
    # The candidates are the words that begin as the typed word does: a first letter left
    # out is not guessed (it would compare each word with the whole vocabulary).
    assert search(ix, "arkslide", exact=True).suggestion is None


@pytest.mark.parametrize("req", [
    SearchRequest(sort="best"), SearchRequest(page=0), SearchRequest(per_page=1000),
    SearchRequest(years=("20x4",)), SearchRequest(date_from=date(2020, 1, 1), date_to=date(2019, 1, 1)),
])
def test_bad_requests_are_refused(ix, req):
    with pytest.raises(BadRequest):
        ix.search(req)


def test_document_has_pages_and_meeting(ix):
    doc = ix.document("naturvard/2021-04-20-boras/presentation.pptx")
    assert len(doc.pages) == 2 and "fladdermöss" in doc.pages[0]
    assert doc.meeting.place == "Borås"  # the folder says "boras"; the municipality list spells it
    assert ix.document("nope/none.pdf") is None


def test_similar_documents_prefer_other_meetings(ix):
    similar = ix.similar("naturvard/2023-10-10-lerum/minnesanteckningar.docx")
    assert similar and all(d.id != "naturvard/2023-10-10-lerum/minnesanteckningar.docx" for d in similar)


@pytest.mark.parametrize("bad", [
    "../arkiv.toml", "/etc/passwd", "naturvard/../../etc/passwd", "naturvard/./x", "", "naturvard\\x",
    "naturvard/2023-10-10-lerum/meeting.toml", "arkiv.toml",
])
def test_file_path_never_leaves_the_archive(ix, bad):
    assert ix.file_path(bad) is None


def test_file_path_refuses_symlinks(ix, tmp_path):
    good = "naturvard/2023-10-10-lerum/minnesanteckningar.docx"
    path = ix.file_path(good)
    assert path is not None and path.is_file()
    backup = path.with_name("backup.docx")
    os.rename(path, backup)
    try:
        os.symlink("/etc/passwd", path)
        assert ix.file_path(good) is None
    finally:
        path.unlink()
        os.rename(backup, path)
