"""Every route through Flask's test client, against a small real archive and its index."""
from __future__ import annotations

import json
import re
from urllib.parse import parse_qsl, unquote, urlsplit

import pytest
from web_archive import BROKEN, XSS

import indexer.cli
from indexer import SearchIndex, SearchRequest
from webapp import create_app

LERUM = "naturvard/2023-10-10-lerum"
BORAS = "naturvard/2022-05-12-boras"


def html(response) -> str:
    return response.get_data(as_text=True)


def checked_boxes(page: str) -> set[tuple[str, str]]:
    return {(m[1], m[2]) for m in re.finditer(r'<input type="checkbox" name="(\w+)" value="([^"]*)"[^>]*checked', page)}


# -- security headers --------------------------------------------------------------------
@pytest.mark.parametrize("url", ["/", "/?q=skog", "/api/search?q=skog", "/groups/naturvard",
                                 f"/documents/{LERUM}/minnesanteckningar.docx", "/nope", "/?sort=x"])
def test_security_headers(client, url):
    r = client.get(url)
    csp = r.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["X-Frame-Options"] == "DENY"
    assert r.headers["Referrer-Policy"] == "same-origin"


def test_pages_have_no_inline_script_or_style(client):
    for url in ("/", "/?q=parkslide", "/groups/naturvard", f"/documents/{BORAS}/minnesanteckningar.txt"):
        page = html(client.get(url))
        assert re.findall(r"<script(?![^>]*\bsrc=)", page) == []
        assert " style=" not in page and "<style" not in page
        assert '<html lang="sv">' in page


# -- search page -----------------------------------------------------------------------
def test_start_page_browses_newest_and_links_every_group(client, web_index):
    r = client.get("/")
    assert r.status_code == 200
    page = html(r)
    for slug, name in (("naturvard", "Naturvårdsgruppen"), ("miljostrategi", "Miljöstrategigruppen"),
                       ("rattvis-handel", "Rättvis och etisk handel-gruppen")):
        assert f'href="/groups/{slug}"' in page and name in page
    total = web_index.search(SearchRequest()).total
    assert f"Alla {total} dokument, nyast först" in page
    assert page.count('class="hit"') == 10
    assert 'id="sokhjalp"' in page and "titel:" in page and "-lupin" in page and "ELLER" in page


def test_search_shows_hits_with_snippets_and_pages(client):
    page = html(client.get("/?q=landskapsplanering"))
    assert "<mark>landskapsplanering</mark>" in page.lower()
    # PDF hits open the PDF at the page; other formats the document page at that page.
    assert f'href="/files/{LERUM}/bilaga.pdf#page=3"' in page
    assert re.search(rf'href="/documents/{LERUM}/skogsstyrelsen-nyckelbiotoper.pptx\?q=landskapsplanering#sida-3">bild 3<', page)
    assert 'value="landskapsplanering"' in page  # the query box keeps the query
    assert "Naturvårdsgruppen" in page and "10 oktober 2023" in page and "Presentation" in page


def test_facets_multi_select_in_html(client, web_index):
    url = "/?group=naturvard&type=minutes&type=presentation"
    r = client.get(url)
    assert r.status_code == 200
    page = html(r)
    assert checked_boxes(page) == {("group", "naturvard"), ("type", "minutes"), ("type", "presentation")}
    result = web_index.search(SearchRequest(groups=("naturvard",), types=("minutes", "presentation")))
    assert f"{result.total} dokument" in page
    # Each facet's counts are those of the API: its own filter left out.
    for value, count in result.facets["type"].items():
        assert re.search(rf'value="{re.escape(value)}"[^>]*>\s*<label[^>]*>[^<]*<span class="count">{count}<', page)
    # Every chosen value can be removed alone, and all at once.
    assert 'href="/?group=naturvard&amp;type=presentation"' in page
    assert 'href="/?type=minutes&amp;type=presentation"' in page
    assert ">Rensa alla<" in page and 'href="/"' in page


def test_facet_counts_ignore_own_filter(client):
    data = client.get("/api/search?group=naturvard").get_json()
    assert set(data["facets"]["group"]) == {"naturvard", "miljostrategi", "rattvis-handel"}
    assert data["total"] == data["facets"]["group"]["naturvard"]


def test_form_submission_redirects_to_the_short_bookmarkable_url(client):
    r = client.get("/?q=&group=naturvard&from=&to=&sort=relevance&type=minutes&group=naturvard")
    assert r.status_code == 302
    assert r.headers["Location"] == "/?group=naturvard&type=minutes"
    again = client.get(r.headers["Location"])
    assert again.status_code == 200


def test_date_range_and_sort(client):
    page = html(client.get("/?from=2020-01-01&to=2021-12-31&sort=oldest"))
    dates = re.findall(r'<time datetime="(\d{4}-\d{2}-\d{2})"', page)
    assert dates and dates == sorted(dates) and all("2020" <= d[:4] <= "2021" for d in dates)
    assert "Från: 1 januari 2020" in page and "Till: 31 december 2021" in page
    assert '<option value="oldest" selected>' in page


def test_pagination_keeps_every_filter(client, web_index):
    req = SearchRequest(query="miljömålsuppföljning", groups=("miljostrategi",))
    total = web_index.search(req).total
    assert total > 10
    page1 = html(client.get("/?q=miljömålsuppföljning&group=miljostrategi"))
    next_link = re.search(r'href="([^"]+)" rel="next"', page1)[1].replace("&amp;", "&")
    assert dict(parse_qsl(urlsplit(next_link).query)) == {"q": "miljömålsuppföljning", "group": "miljostrategi",
                                                         "page": "2"}
    page2 = html(client.get(next_link))
    assert '<ol class="hits" start="11">' in page2
    assert page2.count('class="hit"') == total - 10
    assert 'aria-current="page"><span class="visually-hidden">Sida </span>2<' in page2
    beyond = html(client.get("/?q=miljömålsuppföljning&group=miljostrategi&page=9"))
    assert "Sidan 9 finns inte" in beyond


def test_suggestion_and_empty_state(client):
    page = html(client.get("/?q=landskapsplanring&exact=1"))
    assert "Inga träffar" in page and "Menade du" in page
    assert 'href="/?q=landskapsplanering">landskapsplanering</a>' in page
    assert "annan form av ordet" in page
    filtered = html(client.get("/?q=xyzzy&group=rattvis-handel"))
    assert "rensa alla filter" in filtered


def test_expanded_words_are_shown_and_highlighted(client):
    page = html(client.get("/?q=blomsterlupin"))
    assert "Sökningen omfattar också <q>lupin</q>." in page
    doc = html(client.get(f"/documents/{BORAS}/minnesanteckningar.txt?q=blomsterlupin"))
    assert "<mark>lupin</mark>" in doc.lower()


@pytest.mark.parametrize("query", ["lupin?", '"obalanserad', "(((", "titel:", "OR", "*", "-", "år:abc", "a" * 600])
def test_odd_queries_never_fail(client, query):
    # A query over params.MAX_QUERY_LENGTH is first sent on to its cut, shorter URL.
    assert client.get("/", query_string={"q": query}, follow_redirects=True).status_code == 200
    assert client.get("/api/search", query_string={"q": query}).status_code == 200


# -- bad parameters ----------------------------------------------------------------------
BAD = ["sort=x", "page=0", "page=abc", "page=1001", "year=20", "type=bogus", "from=2020-13-01", "to=igår",
       "from=2024-01-01&to=2023-01-01", "limit=1000"]


@pytest.mark.parametrize("query", ["q=grupp:skogen", "q=typ:foo", "group=nope", "theme=Nope"])
def test_unknown_field_values_are_400_naming_the_possible_ones(client, query):
    r = client.get(f"/api/search?{query}")
    assert r.status_code == 400 and "möjliga" in r.get_json()["error"]
    page = client.get(f"/?{query}")
    assert page.status_code == 400 and "möjliga" in html(page)


def test_a_corrected_search_says_so_and_links_to_the_words_as_typed(client):
    page = html(client.get("/?q=landskapsplanring"))
    assert "Visar träffar för <strong>landskapsplanering</strong>" in page
    assert 'href="/?q=landskapsplanring&amp;exact=1"' in page
    exact = client.get("/api/search?q=landskapsplanring&exact=1").get_json()
    assert exact["total"] == 0 and exact["suggestion"] == "landskapsplanering" and "corrected" not in exact
    data = client.get("/api/search?q=landskapsplanring").get_json()
    assert data["corrected"] == "landskapsplanering" and data["total"] > 0
    assert client.get("/api/search?q=x&exact=ja").status_code == 400


@pytest.mark.parametrize("query", BAD)
def test_bad_params_are_400_html(client, query):
    r = client.get(f"/?{query}")
    assert r.status_code == 400
    assert r.mimetype == "text/html"
    assert "Felaktig sökning" in html(r) and "Traceback" not in html(r)


@pytest.mark.parametrize("query", BAD)
def test_bad_params_are_400_json(client, query):
    r = client.get(f"/api/search?{query}")
    assert r.status_code == 400
    assert r.mimetype == "application/json"
    assert set(r.get_json()) == {"error"} and r.get_json()["error"]


# -- the API equals the CLI ----------------------------------------------------------------
API_CASES = [
    ("q=landskapsplanering", ["landskapsplanering"]),
    ("", []),
    ("q=parkslide&group=naturvard", ["parkslide", "--group", "naturvard"]),
    ("group=naturvard&group=miljostrategi&type=minutes&type=presentation",
     ["--group", "naturvard", "--group", "miljostrategi", "--type", "minutes", "--type", "presentation"]),
    ("theme=Skydd+av+natur&year=2023", ["--theme", "Skydd av natur", "--year", "2023"]),
    ("q=miljömålsuppföljning&from=2018-01-01&to=2022-12-31&page=2&limit=3",
     ["miljömålsuppföljning", "--from", "2018-01-01", "--to", "2022-12-31", "--page", "2", "--limit", "3"]),
    ("group=miljostrategi&sort=oldest&page=2", ["--group", "miljostrategi", "--sort", "oldest", "--page", "2"]),
    ("q=landskapsplanring", ["landskapsplanring"]),
    ("q=landskapsplanring&exact=1", ["landskapsplanring", "--exact"]),
    ("q=typ:minnesanteckningar+grupp:naturvård", ["typ:minnesanteckningar grupp:naturvård"]),
]


@pytest.mark.parametrize("query, argv", API_CASES, ids=[c[0] or "browse" for c in API_CASES])
def test_api_equals_cli_json(client, web_archive, capsys, query, argv):
    code = indexer.cli.main(["search", *argv, "--archive", str(web_archive.archive),
                             "--index", str(web_archive.index_dir), "--json"])
    assert code == 0
    cli = json.loads(capsys.readouterr().out, object_pairs_hook=lambda pairs: pairs)
    r = client.get(f"/api/search?{query}")
    assert r.status_code == 200 and r.mimetype == "application/json"
    api = json.loads(r.get_data(as_text=True), object_pairs_hook=lambda pairs: pairs)
    assert api == cli  # pairs, so key and facet-value order must match too


@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_query_sorted_by_date(client, sort):
    data = client.get(f"/api/search?q=miljömålsuppföljning&sort={sort}&limit=5&page=2").get_json()
    dates = [h["date"] for h in data["hits"]]
    assert len(dates) == 5 and dates == sorted(dates, reverse=sort == "newest")
    page = html(client.get(f"/?q=miljömålsuppföljning&sort={sort}"))
    shown = re.findall(r'<time datetime="([\d-]+)"', page)
    assert shown == sorted(shown, reverse=sort == "newest")


def test_api_equals_search_to_json(client, web_index):
    req = SearchRequest(query="parkslide", groups=("naturvard", "miljostrategi"), years=("2022",))
    assert client.get("/api/search?q=parkslide&group=naturvard&group=miljostrategi&year=2022").get_json() == \
        web_index.search(req).to_json()


def test_filtered_query_whose_page_reaches_past_the_kept_hits(client):
    data = client.get("/api/search?q=nyckelbiotoper&type=presentation&type=follow-up").get_json()
    assert data["total"] == 2
    assert {h["type"] for h in data["hits"]} == {"presentation", "follow-up"}
    assert data["facets"]["type"]["minutes"] == 1


# -- group pages ---------------------------------------------------------------------------
def test_group_page(client):
    r = client.get("/groups/naturvard")
    assert r.status_code == 200
    page = html(r)
    assert "<h1>Naturvårdsgruppen</h1>" in page
    assert "Nätverket för kommunekologer" in page
    # Meetings newest first, with place, title, speakers and their organisations.
    dates = re.findall(r'<li class="meeting" id="mote-([^"]+)"', page)
    assert dates == ["2023-10-10-lerum", "2022-05-12-boras", "2020-02-02-test"]
    assert "Ekologisk landskapsplanering" in page and "Lerum" in page
    assert "Gunnar Ekelund" in page and "Göteborgs universitet" in page and "Skogsstyrelsen" in page
    assert "<dt>Minnesanteckningar</dt>" in page and "<dt>Presentation</dt>" in page
    assert f'href="/documents/{LERUM}/bilaga.pdf"' in page
    # Documents outside meetings, the chart with a text alternative, themes, a scoped search box.
    assert "Dokument utanför mötena" in page and "naturvardsprogram" not in page.split("Dokument utanför")[0]
    assert re.search(r'<svg[^>]*role="group"[^>]*aria-labelledby="chart-title"', page)
    assert re.search(r'<a class="year-link" href="#ar-2023" aria-label="2023: 1 möte, \d+ dokument, gå till årets möten">', page)
    assert re.search(r'<g role="img" aria-label="2021: 0 möten, 0 dokument">', page)  # no meetings: no link
    assert "<th scope=\"row\">2023</th>" in page
    assert 'href="/?theme=Skydd+av+natur&amp;group=naturvard"' in page or \
        'href="/?group=naturvard&amp;theme=Skydd+av+natur"' in page
    assert '<input type="hidden" name="group" value="naturvard">' in page


def test_group_without_meetings_and_unknown_group(client):
    assert client.get("/groups/rattvis-handel").status_code == 200
    r = client.get("/groups/okand")
    assert r.status_code == 404 and "Sidan finns inte" in html(r)


# -- document pages -------------------------------------------------------------------------
def test_document_page(client):
    r = client.get(f"/documents/{LERUM}/bilaga.pdf")
    assert r.status_code == 200
    page = html(r)
    assert "<h1>Uppföljningstabell: kommunägd skog</h1>" in page
    # Which values a person set and which were inferred.
    assert re.search(r"Uppföljningstabell: kommunägd skog <span class=\"source person\">angivet av en person", page)
    assert re.search(r"10 oktober 2023</time> <span class=\"source person\">angivet i mötesmappens namn", page)
    assert "Uppföljning <span class=\"source person\">angivet av en person" in page
    # Text by page with anchors, the meeting with its other documents, similar documents, download.
    assert 'id="sida-1"' in page and 'id="sida-3"' in page and "Sida 3</h3>" in page
    assert "Andra dokument från mötet" in page
    assert f'href="/documents/{LERUM}/minnesanteckningar.docx"' in page
    assert "Gunnar Ekelund, Göteborgs universitet" in page
    assert f'href="/files/{LERUM}/bilaga.pdf?download=1"' in page


def test_similar_documents_prefer_other_meetings(client):
    page = html(client.get("/documents/miljostrategi/2020-05-15/minnesanteckningar.txt"))
    similar = page.split("Liknande dokument</h2>")[1]
    links = re.findall(r'href="/documents/([^"]+)"', similar)
    assert links and "miljostrategi/2020-05-15/minnesanteckningar.txt" not in links
    assert all(not link.startswith("miljostrategi/2020-05-15/") for link in links)


def test_document_inferred_values(client):
    page = html(client.get(f"/documents/{LERUM}/skogsstyrelsen-nyckelbiotoper.pptx"))
    assert '<span class="source inferred">framräknat ur filnamn och innehåll' in page
    assert "angivet i mötets beskrivning" in page
    assert "Bild 2</h3>" in page and "3 bilder" in page


def test_document_highlights_query_terms(client):
    page = html(client.get(f"/documents/{BORAS}/minnesanteckningar.txt?q=parkslide"))
    assert page.count("parkslide</mark>") == 2
    assert '<mark id="forsta-traffen" tabindex="-1">parkslide</mark>' in page
    assert 'href="#sida-1">sida 1</a>, <a href="#sida-2">sida 2</a>' in page
    assert page.count('id="forsta-traffen"') == 1 and 'href="#forsta-traffen"' in page
    assert 'href="/?q=parkslide"' in page  # back to the search


def test_document_that_could_not_be_read(client):
    r = client.get(f"/documents/{BROKEN}")
    assert r.status_code == 200
    assert "Texten kunde inte läsas" in html(r)


def test_xss_in_title_and_text_is_escaped(client):
    doc = "naturvard/2020-02-02-test/farlig.txt"
    for url in (f"/documents/{doc}?q=skadegörare", "/?q=skadegörare", "/groups/naturvard",
                "/?q=" + XSS, f"/documents/{doc}?q={XSS}"):
        page = html(client.get(url))
        assert "<script>alert" not in page, url
    page = html(client.get(f"/documents/{doc}?q=skadegörare"))
    assert "&lt;script&gt;alert(&#34;xss&#34;)&lt;/script&gt; Farlig titel" in page
    api = client.get("/api/search?q=skadegörare").get_json()
    assert "<script>" not in api["hits"][0]["snippet"]


# -- files ---------------------------------------------------------------------------------
def test_file_pdf_inline(client, web_archive):
    with client.get(f"/files/{LERUM}/bilaga.pdf") as r:
        assert r.status_code == 200
        assert r.mimetype == "application/pdf"
        assert r.headers["Content-Disposition"] == "inline; filename=bilaga.pdf"
        assert r.data == (web_archive.archive / LERUM / "bilaga.pdf").read_bytes()
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        assert r.headers["Content-Security-Policy"] == "frame-ancestors 'none'"  # Chrome's PDF viewer needs more
    with client.get(f"/files/{LERUM}/bilaga.pdf?download=1") as download:
        assert download.headers["Content-Disposition"] == "attachment; filename=bilaga.pdf"
        assert "default-src 'none'" in download.headers["Content-Security-Policy"]


def test_a_pdf_that_could_not_be_read_is_a_download_only(client, web_archive):
    from web_archive import BROKEN

    assert BROKEN.endswith(".pdf")
    with client.get(f"/files/{BROKEN}") as r:
        assert r.status_code == 200 and r.headers["Content-Disposition"].startswith("attachment")
        assert "default-src 'none'" in r.headers["Content-Security-Policy"]


@pytest.mark.parametrize("head, fmt", [
    (b"%PDF-1.7\n", "pdf"),
    (b"\xef\xbb\xbf%PDF-1.4\n", "pdf"),
    (b"<html><body>" + b" " * 100 + b"%PDF-1.4 <script>alert(1)</script>", None),
    (b"<svg xmlns='http://www.w3.org/2000/svg'><!-- %PDF-1.4 --></svg>", None),
])
def test_a_new_file_is_a_pdf_only_when_it_starts_as_one(tmp_path, head, fmt):
    from indexer.extract import content_format

    path = tmp_path / "poly.html.pdf"
    path.write_bytes(head + b"\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n")
    assert content_format(path) == fmt


@pytest.mark.parametrize("name, mimetype", [
    ("minnesanteckningar.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("skogsstyrelsen-nyckelbiotoper.pptx",
     "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    ("åtgärder för ängar.txt", "text/plain"),
])
def test_file_types_download(client, name, mimetype):
    with client.get(f"/files/{LERUM}/{name}") as r:
        assert r.status_code == 200
        assert r.mimetype == mimetype
        assert r.headers["Content-Disposition"].startswith("attachment;")
        assert r.headers["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'; sandbox"


def test_content_disposition_for_swedish_names(client):
    with client.get(f"/files/{LERUM}/åtgärder för ängar.txt") as r:
        cd = r.headers["Content-Disposition"]
    assert cd.isascii()
    assert 'filename="atgarder for angar.txt"' in cd
    star = re.search(r"filename\*=UTF-8''(\S+)", cd)[1]
    assert unquote(star) == "åtgärder för ängar.txt"


HOSTILE = [
    "..%2f..%2f..%2fetc%2fpasswd",
    "naturvard/..%2f..%2f..%2f..%2fetc/passwd",
    "%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "naturvard/%2e%2e/arkiv.toml",
    "naturvard/2023-10-10-lerum/../2023-10-10-lerum/bilaga.pdf",
    "naturvard%2f2023-10-10-lerum%2fbilaga.pdf",
    "naturvard%2F2023-10-10-lerum%2Fbilaga.pdf",
    "naturvard/2023-10-10-lerum%5cbilaga.pdf",
    "/etc/passwd",
    "%2fetc%2fpasswd",
    "naturvard/2023-10-10-lerum/bilaga.pdf%00.txt",
    "naturvard/2020-02-02-test/lank.txt",
    "arkiv.toml",
    "naturvard/2023-10-10-lerum/meeting.toml",
    "naturvard/2023-10-10-lerum/okänd.pdf",
    "naturvard/2023-10-10-lerum/./bilaga.pdf",
]


@pytest.mark.parametrize("route", ["files", "documents"])
@pytest.mark.parametrize("doc_id", HOSTILE)
def test_hostile_ids_are_404(client, route, doc_id):
    with client.get(f"/{route}/{doc_id}", follow_redirects=True) as r:
        assert r.status_code == 404
        assert b"root:" not in r.data
        assert "Sidan finns inte" in html(r)


def test_symlinked_file_is_not_served(client, web_archive):
    link = web_archive.archive / "naturvard/2020-02-02-test/lank.txt"
    assert link.is_symlink()
    assert client.get("/files/naturvard/2020-02-02-test/lank.txt").status_code == 404


# -- errors ----------------------------------------------------------------------------------
def test_404_page(client):
    r = client.get("/finns/inte")
    assert r.status_code == 404 and r.mimetype == "text/html"
    assert "Sidan finns inte" in html(r) and 'lang="sv"' in html(r)
    assert client.get("/api/nope").get_json() == {"error": "Det finns ingen sida eller inget dokument på den här adressen."}


def test_coordinator_routes_exist(client):
    # Tested in depth in test_coordinators.py.
    assert client.get("/login").status_code == 200
    assert client.get("/upload").status_code == 302  # sign in first
    assert client.get("/logout").status_code == 405  # a form with a CSRF token, never a link


def test_no_index_is_a_clear_503(tmp_path, web_archive):
    app = create_app({"TESTING": True, "ARKIV_ARCHIVE": str(web_archive.archive),
                      "ARKIV_INDEX": str(tmp_path / "inget-index")})
    client = app.test_client()
    for url in ("/", "/groups/naturvard", f"/documents/{LERUM}/bilaga.pdf", f"/files/{LERUM}/bilaga.pdf"):
        r = client.get(url)
        assert r.status_code == 503, url
        assert "<code>arkiv index</code>" in html(r) and "Traceback" not in html(r)
    r = client.get("/api/search?q=skog")
    assert r.status_code == 503 and "arkiv index" in r.get_json()["error"]


def test_missing_archive_config_is_a_clear_503(tmp_path):
    app = create_app({"TESTING": True, "ARKIV_ARCHIVE": str(tmp_path), "ARKIV_INDEX": str(tmp_path / "i")})
    r = app.test_client().get("/")
    assert r.status_code == 503 and "arkiv.toml" in html(r)


def test_index_is_opened_once_per_app(app):
    from webapp import get_index

    with app.app_context():
        first = get_index()
        assert isinstance(first, SearchIndex)
        assert get_index() is first


def test_config_from_environment(monkeypatch, web_archive):
    monkeypatch.setenv("ARKIV_ARCHIVE", str(web_archive.archive))
    monkeypatch.setenv("ARKIV_INDEX", str(web_archive.index_dir))
    app = create_app()
    assert app.extensions["arkiv"].archive == web_archive.archive
    assert app.test_client().get("/?q=parkslide").status_code == 200


# -- the sample archive, once it exists -------------------------------------------------------
def test_sample_archive_routes(sample_app, sample_indexed, capsys):
    client = sample_app.test_client()
    index = SearchIndex(sample_indexed.archive, sample_indexed.index_dir)
    assert client.get("/").status_code == 200
    for group in index.config.groups:
        assert client.get(f"/groups/{group.slug}").status_code == 200
    for doc in index.documents()[:20]:
        assert client.get(f"/documents/{doc.id}?q=uppföljning").status_code == 200
        with client.get(f"/files/{doc.id}") as r:
            assert r.status_code == 200
    code = indexer.cli.main(["search", "landskapsplanering", "--archive", str(sample_indexed.archive),
                             "--index", str(sample_indexed.index_dir), "--json"])
    assert code == 0
    assert client.get("/api/search?q=landskapsplanering").get_json() == json.loads(capsys.readouterr().out)
