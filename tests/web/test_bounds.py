"""What one search request may cost: bad numbers and oversized URLs are a Swedish 400, never a 500."""
from __future__ import annotations

import re
from datetime import date
from html import escape as html_escape
from urllib.parse import urlencode

import pytest
from test_routes import checked_boxes

from indexer import DOCUMENT_TYPES, IndexSettings, SearchIndex, SearchRequest, update_index
from webapp import create_app, params
from web_archive import ARKIV_TOML, TODAY

ROUTES = ["/", "/api/search"]


def assert_swedish_400(r, *fragments: str) -> str:
    """The response is the app's 400 (page or JSON), small, and its message holds `fragments`."""
    assert r.status_code == 400
    assert len(r.data) < 100_000
    if r.mimetype == "application/json":
        message = r.get_json()["error"]
    else:
        message = r.get_data(as_text=True)
        assert "Felaktig sökning" in message and "Traceback" not in message
    for fragment in fragments:
        assert fragment in message
    return message


# -- numbers are ASCII digits ------------------------------------------------------------------
@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("query, fragment", [
    pytest.param("page=²", "Sidnumret", id="page-superscript"),
    pytest.param("limit=³", "träffar per sida", id="limit-superscript"),
    pytest.param("page=١", "Sidnumret", id="page-arabic-indic"),
    pytest.param("year=２０２３", "årtal", id="year-fullwidth"),
    pytest.param("from=２０２３-01-01", "datum", id="from-fullwidth"),
])
def test_unicode_digits_are_400(client, route, query, fragment):
    assert_swedish_400(client.get(route, query_string=query), fragment)


# -- how many values, how long -------------------------------------------------------------------
REAL_THEMES = ("Invasiva arter", "Ekologisk landskapsplanering")


def themes(n: int, width: int = 40) -> list[tuple[str, str]]:
    """`n` distinct theme parameters: real ones first, then made-up names `width` long, with å/ä/ö."""
    made_up = [f"Tema {i}: hållbar utveckling".ljust(width, "ö") for i in range(n)]
    return [("theme", t) for t in (*REAL_THEMES, *made_up)[:n]]


def declared(pairs: list[tuple[str, str]]) -> str:
    """arkiv.toml lines declaring every group and theme `pairs` names: an unknown one is a 400 now."""
    lines = []
    for name, value in pairs:
        if name == "group":
            lines.append(f'[[groups]]\nslug = "{value}"\nname = "{value}"\n')
        elif name == "theme" and value not in REAL_THEMES:
            lines.append(f'[[themes]]\nname = "{value}"\nkeywords = []\n')
    return "\n".join(lines)


@pytest.fixture(scope="module")
def wide(tmp_path_factory):
    """An archive whose arkiv.toml holds the most groups and themes the bounds let a search choose."""
    base = tmp_path_factory.mktemp("wide")
    archive, index_dir = base / "arkiv", base / "index"
    (archive / "naturvard" / "2023-10-10-lerum").mkdir(parents=True)
    (archive / "naturvard" / "2023-10-10-lerum" / "minnesanteckningar.txt").write_text(
        "Minnesanteckningar\nOm invasiva arter och skog.\n", encoding="utf-8")
    (archive / "arkiv.toml").write_text(
        ARKIV_TOML + "\n" + declared(themes(50)) + "\n" + declared(largest_request()), encoding="utf-8")
    update_index(IndexSettings(archive=archive, index_dir=index_dir, today=TODAY))
    app = create_app({"TESTING": True, "ARKIV_ARCHIVE": str(archive), "ARKIV_INDEX": str(index_dir)})
    return app.test_client(), SearchIndex(archive, index_dir)


@pytest.mark.parametrize("route", ROUTES)
def test_51_themes_are_400(client, route):
    assert_swedish_400(client.get(route, query_string=themes(51)), "Högst 50 val åt gången under Tema")


@pytest.mark.parametrize("route", ROUTES)
def test_2000_themes_are_a_small_400(client, route):
    r = client.get(route, query_string=themes(2000))
    assert_swedish_400(r, "2000 olika parametrar")  # asserts the body is under 100 KB


@pytest.mark.parametrize("route", ROUTES)
def test_too_many_parameters_are_400(client, route):
    query = [("q", "skog"), *((f"utm_{i}", "x") for i in range(250))]
    assert_swedish_400(client.get(route, query_string=query), "251 olika parametrar", "högst 250")


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("name", ["group", "theme", "type", "year", "municipality", "from", "sort", "page", "limit"])
def test_overlong_value_is_400(client, route, name):
    assert_swedish_400(client.get(route, query_string={name: "7" * 201}), "för långt", "högst 200 tecken")


def test_50_themes_search_and_show_every_choice(wide):
    client, web_index = wide
    chosen = themes(50)
    req = SearchRequest(themes=tuple(t for _, t in chosen))
    api = client.get("/api/search", query_string=chosen)
    assert api.status_code == 200 and api.get_json() == web_index.search(req).to_json()
    r = client.get("/", query_string=chosen)
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert {v for name, v in checked_boxes(page) if name == "theme"} == {html_escape(t) for _, t in chosen}
    # Each chosen theme's remove link repeats the other 49: the page grows with the square of
    # the choices. 50 themes of 40 characters with ö make 0.34 MB; at 200 characters a value
    # it would be 2.6 MB, but that URL is over MAX_URL_LENGTH (test_largest_page_allowed).
    assert len(r.data) < 2_000_000


def test_repeated_values_count_once(client, web_index):
    query = [("theme", "Invasiva arter")] * 500
    assert client.get("/api/search", query_string=query).get_json() == \
        web_index.search(SearchRequest(themes=("Invasiva arter",))).to_json()
    r = client.get("/", query_string=query)
    assert r.status_code == 302 and r.headers["Location"] == "/?theme=Invasiva+arter"


def test_long_query_is_cut_to_what_the_indexer_searches(client, web_index):
    query = "landskapsplanering " + "x" * 600
    cut = query[:500]
    assert client.get("/api/search", query_string={"q": query}).get_json() == \
        client.get("/api/search", query_string={"q": cut}).get_json()
    r = client.get("/", query_string={"q": query})
    assert r.status_code == 302 and r.headers["Location"] == "/?" + urlencode({"q": cut})


def test_a_few_filters_answer_as_before(client, web_index):
    """A person's search is untouched by the bounds: the same answer as the indexer's, no redirect."""
    query = ("q=skog&group=naturvard&group=miljostrategi&type=minutes&type=presentation"
             "&year=2022&year=2023&theme=Skydd+av+natur&from=2020-01-01&to=2024-12-31&sort=newest&limit=5")
    req = SearchRequest(query="skog", groups=("naturvard", "miljostrategi"), types=("minutes", "presentation"),
                        themes=("Skydd av natur",), years=("2022", "2023"), date_from=date(2020, 1, 1),
                        date_to=date(2024, 12, 31), sort="newest", per_page=5)
    expected = web_index.search(req)
    assert expected.total > 0
    assert client.get(f"/api/search?{query}").get_json() == expected.to_json()
    r = client.get(f"/?{query}")
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert f"{expected.total} dokument" in page
    assert [html_escape(h.title) for h in expected.hits] == re.findall(r'<h3 class="hit-title"><a [^>]*>([^<]*)<', page)


# -- the largest page any request can make -----------------------------------------------------------
def largest_request() -> list[tuple[str, str]]:
    """The most filters the bounds allow, each chip's remove link as long as MAX_URL_LENGTH allows."""
    fixed = [*(("type", t) for t in DOCUMENT_TYPES), *(("year", str(1900 + i)) for i in range(50)),
             ("from", "1900-01-01"), ("to", "2099-12-31")]
    names = [("group", f"g{i}-") for i in range(50)] + [("theme", f"t{i}-") for i in range(50)]
    pad = (params.MAX_URL_LENGTH - len(urlencode(fixed + names))) // len(names)
    return [(n, v + "x" * pad) for n, v in names] + fixed


def test_largest_page_allowed(wide):
    client, _ = wide
    query = largest_request()
    assert params.MAX_URL_LENGTH - 100 < len(urlencode(query)) <= params.MAX_URL_LENGTH
    r = client.get("/", query_string=query)
    assert r.status_code == 200 and r.get_data(as_text=True).count('class="chip"') == 157
    # 157 remove links of ~8 KB each: the quadratic growth, capped by MAX_URL_LENGTH.
    assert len(r.data) < 2_000_000
    assert client.get("/api/search", query_string=query).status_code == 200


@pytest.mark.parametrize("route", ROUTES)
def test_url_over_its_bound_is_400(client, route):
    query = largest_request()
    query[0] = (query[0][0], query[0][1] + "x" * 100)
    assert_swedish_400(client.get(route, query_string=query), "för lång som adress")
