"""URL arguments -> SearchRequest, and the URLs that change one thing: pure functions, tables."""
from __future__ import annotations

from datetime import date
from urllib.parse import parse_qsl, urlsplit

import pytest
from werkzeug.datastructures import MultiDict

from indexer import SearchRequest, SearchResult
from webapp import params
from webapp.formatting import sv_date


def args(*pairs) -> MultiDict:
    return MultiDict(list(pairs))


def many(name: str, n: int, width: int = 0) -> list[tuple[str, str]]:
    """`n` distinct values of parameter `name`, each padded to `width` characters."""
    return [(name, f"{name}-{i}".ljust(width, "x")) for i in range(n)]


THEMES_50 = tuple(v for _, v in many("theme", 50))


@pytest.mark.parametrize("given, expected", [
    pytest.param(args(), SearchRequest(), id="nothing"),
    pytest.param(args(("q", "  landskapsplanering ")), SearchRequest(query="landskapsplanering"), id="query-stripped"),
    pytest.param(args(("group", "naturvard"), ("group", "miljostrategi")),
                 SearchRequest(groups=("naturvard", "miljostrategi")), id="multi-group"),
    pytest.param(args(("type", "minutes"), ("type", "minutes"), ("type", "agenda")),
                 SearchRequest(types=("minutes", "agenda")), id="duplicates-dropped"),
    pytest.param(args(("theme", "Invasiva arter"), ("year", "2023"), ("year", "2021")),
                 SearchRequest(themes=("Invasiva arter",), years=("2023", "2021")), id="theme-and-years"),
    pytest.param(args(("from", "2020-01-01"), ("to", "2023-12-31")),
                 SearchRequest(date_from=date(2020, 1, 1), date_to=date(2023, 12, 31)), id="date-range"),
    pytest.param(args(("sort", "oldest"), ("page", "3"), ("limit", "25")),
                 SearchRequest(sort="oldest", page=3, per_page=25), id="sort-page-limit"),
    pytest.param(args(("q", ""), ("group", ""), ("from", ""), ("to", ""), ("sort", ""), ("page", "")),
                 SearchRequest(), id="empty-form-fields-are-defaults"),
    pytest.param(args(("unknown", "x")), SearchRequest(), id="unknown-parameters-ignored"),
    # The bounds, at their limits.
    pytest.param(args(*many("theme", 50)), SearchRequest(themes=THEMES_50), id="50-themes"),
    pytest.param(args(*many("theme", 50), *many("theme", 50)), SearchRequest(themes=THEMES_50),
                 id="repeated-values-count-once"),
    pytest.param(args(*[("theme", "Invasiva arter")] * 1000), SearchRequest(themes=("Invasiva arter",)),
                 id="1000-copies-are-one-parameter"),
    pytest.param(args(*many("utm", 250)), SearchRequest(), id="250-parameters"),
    pytest.param(args(("municipality", "Lerum"), ("municipality", "Borås"), ("municipality", "Lerum")),
                 SearchRequest(municipalities=("Lerum", "Borås")), id="multi-municipality"),
    pytest.param(args(("group", "g" * 200)), SearchRequest(groups=("g" * 200,)), id="value-at-length-limit"),
    pytest.param(args(("theme", " " * 300 + "Skog ")), SearchRequest(themes=("Skog",)), id="length-after-strip"),
    pytest.param(args(("q", "a" * 600)), SearchRequest(query="a" * 500), id="query-cut"),
    pytest.param(args(("q", "a" * 499 + " " + "b" * 100)), SearchRequest(query="a" * 499), id="query-cut-at-space"),
    pytest.param({"q": "å" * 501, "theme": "Skog"}, SearchRequest(query="å" * 500, themes=("Skog",)),
                 id="plain-dict"),
    # The cut query alone stays within MAX_URL_LENGTH, even in 4-byte characters (12 in a URL).
    pytest.param(args(("q", "😀" * 600)), SearchRequest(query="😀" * 500), id="cut-query-fits-the-url"),
])
def test_search_request(given, expected):
    assert params.search_request(given) == expected


@pytest.mark.parametrize("given, fragment", [
    pytest.param(args(("type", "protokoll")), "dokumenttyp", id="unknown-type"),
    pytest.param(args(("year", "23")), "årtal", id="short-year"),
    pytest.param(args(("year", "2023a")), "årtal", id="year-letters"),
    pytest.param(args(("from", "2023-13-01")), "datum", id="impossible-month"),
    pytest.param(args(("to", "10/10/2023")), "datum", id="not-iso"),
    pytest.param(args(("from", "2024-01-01"), ("to", "2023-01-01")), "efter", id="from-after-to"),
    pytest.param(args(("sort", "random")), "sortering", id="unknown-sort"),
    pytest.param(args(("page", "0")), "Sidnumret", id="page-zero"),
    pytest.param(args(("page", "-1")), "Sidnumret", id="page-negative"),
    pytest.param(args(("page", "two")), "Sidnumret", id="page-word"),
    pytest.param(args(("page", "1001")), "Sidnumret", id="page-too-far"),
    pytest.param(args(("limit", "101")), "träffar per sida", id="limit-too-big"),
    # Other scripts' digits pass str.isdigit() and \d; int() crashes on "²" and reads "١" as 1.
    pytest.param(args(("page", "²")), "Sidnumret", id="page-superscript"),
    pytest.param(args(("limit", "³")), "träffar per sida", id="limit-superscript"),
    pytest.param(args(("page", "١")), "Sidnumret", id="page-arabic-indic"),
    pytest.param(args(("limit", "２５")), "träffar per sida", id="limit-fullwidth"),
    pytest.param(args(("year", "２０２３")), "årtal", id="year-fullwidth"),
    pytest.param(args(("year", "٢٠٢٣")), "årtal", id="year-arabic-indic"),
    pytest.param(args(("from", "２０２３-01-01")), "datum", id="from-fullwidth"),
    pytest.param(args(("to", "2023-0١-01")), "datum", id="to-one-arabic-indic-digit"),
    # The bounds, one past their limits.
    pytest.param(args(*many("theme", 51)), "Högst 50 val åt gången under Tema; adressen har 51", id="51-themes"),
    pytest.param(args(*many("group", 51)), "under Grupp", id="51-groups"),
    pytest.param(args(*[("year", str(1900 + i)) for i in range(51)]), "under År", id="51-years"),
    pytest.param(args(*many("theme", 2000)), "2000 olika parametrar", id="2000-themes"),
    pytest.param(args(*many("utm", 251)), "251 olika parametrar; en sökning kan ha högst 250", id="251-parameters"),
    pytest.param(args(*many("theme", 30), *many("group", 30), *many("municipality", 30), *many("x", 161)),
                 "olika parametrar", id="parameters-of-all-kinds-count"),
    pytest.param(args(*many("municipality", 51)), "under Kommun", id="51-municipalities"),
    pytest.param(args(("municipality", "k" * 201)), "Ett värde för kommun är för långt", id="long-municipality"),
    pytest.param(args(("theme", "t" * 201)), "Ett värde för tema är för långt", id="long-theme"),
    pytest.param(args(("group", "å" * 201)), "värde för grupp", id="long-group"),
    pytest.param(args(("sort", "s" * 201)), "värde för sortering", id="long-sort"),
    # int() refuses more than 4,300 digits: the length bound answers first.
    pytest.param(args(("page", "1" * 5000)), "värde för sidnummer", id="long-page"),
    pytest.param(args(("limit", "1" * 5000)), "träffar per sida", id="long-limit"),
    pytest.param({"theme": "t" * 201}, "för långt", id="plain-dict-long-value"),
    pytest.param(args(*many("theme", 50, 200)), "för lång som adress", id="url-too-long"),
    pytest.param(args(("q", "😀" * 500), *many("group", 30, 100)), "Välj färre eller kortare filter",
                 id="query-and-filters-too-long"),
])
def test_search_request_rejects(given, fragment):
    with pytest.raises(params.ParamError, match=fragment):
        params.search_request(given)


BASE = SearchRequest(query="skog", groups=("naturvard",), types=("minutes", "presentation"))


@pytest.mark.parametrize("req, url", [
    pytest.param(SearchRequest(), "/", id="empty"),
    pytest.param(SearchRequest(query="å ä ö"), "/?q=%C3%A5+%C3%A4+%C3%B6", id="swedish-letters"),
    pytest.param(SearchRequest(query='"a b" & c'), "/?q=%22a+b%22+%26+c", id="quoted"),
    pytest.param(BASE, "/?q=skog&group=naturvard&type=minutes&type=presentation", id="multi"),
    pytest.param(SearchRequest(date_from=date(2020, 1, 1), sort="newest", page=2),
                 "/?from=2020-01-01&sort=newest&page=2", id="dates-sort-page"),
    pytest.param(SearchRequest(per_page=25), "/?limit=25", id="limit"),
])
def test_search_url(req, url):
    assert params.search_url(req) == url
    # ...and the URL reads back as the same request: every state is bookmarkable.
    assert params.search_request(MultiDict(parse_qsl(urlsplit(url).query))) == req


@pytest.mark.parametrize("req, facet, value, url", [
    pytest.param(BASE, "type", "agenda",
                 "/?q=skog&group=naturvard&type=minutes&type=presentation&type=agenda", id="add-to-facet"),
    pytest.param(BASE, "type", "minutes", "/?q=skog&group=naturvard&type=presentation", id="remove-from-facet"),
    pytest.param(BASE, "group", "naturvard", "/?q=skog&type=minutes&type=presentation", id="remove-last-of-facet"),
    pytest.param(BASE, "year", "2023",
                 "/?q=skog&group=naturvard&type=minutes&type=presentation&year=2023", id="add-other-facet"),
    pytest.param(SearchRequest(page=4), "theme", "Invasiva arter", "/?theme=Invasiva+arter", id="back-to-page-1"),
])
def test_toggle_url(req, facet, value, url):
    assert params.toggle_url(req, facet, value) == url


@pytest.mark.parametrize("req, name, value, url", [
    pytest.param(BASE, "type", "presentation", "/?q=skog&group=naturvard&type=minutes", id="facet-value"),
    pytest.param(BASE, "type", "agenda", "/?q=skog&group=naturvard&type=minutes&type=presentation",
                 id="value-not-chosen-changes-nothing"),
    pytest.param(BASE, "q", None, "/?group=naturvard&type=minutes&type=presentation", id="query"),
    pytest.param(SearchRequest(date_from=date(2020, 1, 1), date_to=date(2021, 1, 1), page=3), "from", None,
                 "/?to=2021-01-01", id="from-date"),
    pytest.param(SearchRequest(date_from=date(2020, 1, 1), date_to=date(2021, 1, 1)), "to", None,
                 "/?from=2020-01-01", id="to-date"),
])
def test_remove_url(req, name, value, url):
    assert params.remove_url(req, name, value) == url


def test_remove_url_base_and_clear():
    assert params.remove_url(BASE, "group", "naturvard", base="/arkiv/") == \
        "/arkiv/?q=skog&type=minutes&type=presentation"
    full = SearchRequest(query="skog", groups=("a",), years=("2020",), date_to=date(2020, 1, 1),
                         sort="oldest", page=3)
    assert params.search_url(params.cleared(full)) == "/?q=skog&sort=oldest"
    assert params.has_filters(full)
    assert not params.has_filters(SearchRequest(query="skog", sort="newest", page=2))


@pytest.mark.parametrize("current, last, shown", [
    pytest.param(1, 0, [], id="no-pages"),
    pytest.param(1, 1, [1], id="one"),
    pytest.param(1, 3, [1, 2, 3], id="few"),
    pytest.param(1, 10, [1, 2, 3, None, 10], id="start"),
    pytest.param(6, 12, [1, None, 4, 5, 6, 7, 8, None, 12], id="middle"),
    pytest.param(12, 12, [1, None, 10, 11, 12], id="end"),
    pytest.param(4, 7, [1, 2, 3, 4, 5, 6, 7], id="window-touches-both-ends"),
])
def test_page_numbers(current, last, shown):
    assert params.page_numbers(current, last) == shown


def test_facets_carry_presentation_state():
    result = SearchResult(query="", total=3, page=1, per_page=10, suggestion=None, hits=(), facets={
        "group": {"naturvard": 2, "miljostrategi": 1}, "type": {"minutes": 3}, "year": {}, "theme": {}})
    req = SearchRequest(groups=("naturvard",), years=("1999",))
    names = {"naturvard": "Naturvårdsgruppen", "miljostrategi": "Miljöstrategigruppen"}
    facets = {f.name: f for f in params.facets(result, req, lambda f, v: names.get(v, v))}
    assert [f for f in facets] == ["group", "type", "year", "theme", "municipality", "text"]
    group = facets["group"].values
    assert [(v.value, v.label, v.count, v.selected) for v in group] == [
        ("naturvard", "Naturvårdsgruppen", 2, True), ("miljostrategi", "Miljöstrategigruppen", 1, False)]
    assert group[0].toggle_url == "/?year=1999"
    assert group[1].toggle_url == "/?group=naturvard&group=miljostrategi&year=1999"
    # A chosen value no document has is still listed, so it can be unticked.
    assert [(v.value, v.count, v.selected) for v in facets["year"].values] == [("1999", 0, True)]
    assert facets["theme"].values == ()


def test_active_filters():
    req = SearchRequest(query="skog", groups=("naturvard",), date_from=date(2023, 10, 10))
    filters = params.active_filters(req, lambda f, v: v.upper(), sv_date)
    assert [(f.label, f.remove_url) for f in filters] == [
        ("Grupp: NATURVARD", "/?q=skog&from=2023-10-10"),
        ("Från: 10 oktober 2023", "/?q=skog&group=naturvard"),
    ]
