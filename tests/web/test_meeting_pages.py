"""Meetings in the web app: the meeting page and its JSON, decisions, the municipality facet, the edit form."""
from __future__ import annotations

import re
import tomllib

import pytest
from coord import TOKEN, sign_in
from meeting_archive import BORAS, LATER, LERUM, MINUTES, SLIDES, build_meetings

from webapp import create_app

@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return build_meetings(tmp_path_factory.mktemp("meetings"))[1]


@pytest.fixture
def client(site):
    return site.test_client()


def text(response) -> str:
    return response.get_data(as_text=True)


# -- the meeting page and its JSON --------------------------------------------------------------
def test_meeting_json_has_exactly_the_contract_keys(client):
    r = client.get(f"/api/meetings/{LERUM}")
    assert r.status_code == 200 and r.mimetype == "application/json"
    data = r.get_json()
    assert list(data) == ["group", "folder", "date", "title", "place", "themes", "speakers", "attendees",
                          "municipalities", "documents", "items"]
    assert (data["group"], data["folder"], data["date"]) == ("naturvard", "2023-10-10-lerum", "2023-10-10")
    assert (data["title"], data["place"], data["themes"]) == ("Grön infrastruktur", "Lerum", ["Grön infrastruktur"])
    assert data["speakers"] == [{"name": "Karin Sjö", "organisation": "Skogsstyrelsen"}]
    assert all(list(p) == ["name", "organisation"] for p in data["attendees"])
    assert {p["name"] for p in data["attendees"]} >= {"Anna Berg", "Per Ek"}
    assert {"Lerum", "Alingsås"} <= set(data["municipalities"])
    assert sorted(d["id"] for d in data["documents"]) == sorted([MINUTES, SLIDES])
    assert all(list(d) == ["id", "title", "type"] for d in data["documents"])
    assert all(list(i) == ["number", "title", "decision", "document", "page"] for i in data["items"])
    items = {i["number"]: i for i in data["items"]}
    assert items["2"]["title"] == "Grön infrastruktur" and items["2"]["document"] == MINUTES
    assert items["2"]["decision"].startswith("Gruppen tar fram en gemensam handlingsplan")
    assert items["1"]["decision"] is None and items["2"]["page"] is None  # a text file has no pages


def test_the_place_is_spelled_with_its_letters(client):
    assert client.get(f"/api/meetings/{BORAS}").get_json()["place"] == "Borås"
    html = text(client.get(f"/meetings/{BORAS}"))
    assert "Borås" in html and ">Boras<" not in html


def test_meeting_page_shows_what_the_meeting_was(client):
    r = client.get(f"/meetings/{LERUM}")
    html = text(r)
    assert r.status_code == 200
    assert "<h1>Grön infrastruktur</h1>" in html and '<time datetime="2023-10-10">10 oktober 2023</time>' in html
    assert "Lerum" in html and "Karin Sjö" in html and "Skogsstyrelsen" in html
    # Attendees under their municipality, in Swedish order (Alingsås before Lerum), the rest last.
    places = re.findall(r'<h3 class="attendee-place">([^<]+?) <span', html)
    assert places[:2] == ["Alingsås", "Lerum"] and places[-1] == "Övriga"
    # Items with their decisions and action points, each linked to its place in the document.
    assert "Gemensam handlingsplan".lower() in html.lower()
    assert f'href="/documents/{MINUTES}#punkt-2"' in html
    assert "Sammanställa inventeringen" in html and "ansvarig: Per Ek" in html
    # Documents grouped by type, and the group's previous and next meetings.
    assert re.search(r"<dt>Minnesanteckningar</dt>.*?minnesanteckningar|<dt>Minnesanteckningar</dt>", html, re.S)
    assert f'href="/meetings/{BORAS}" rel="prev"' in html and f'href="/meetings/{LATER}" rel="next"' in html


def test_the_first_and_last_meetings_have_one_neighbour(client):
    first, last = text(client.get(f"/meetings/{BORAS}")), text(client.get(f"/meetings/{LATER}"))
    assert 'rel="prev"' not in first and f'href="/meetings/{LERUM}" rel="next"' in first
    assert 'rel="next"' not in last and f'href="/meetings/{LERUM}" rel="prev"' in last


def test_an_item_link_lands_on_its_paragraph(client):
    html = text(client.get(f"/documents/{MINUTES}"))
    for n in ("1", "2", "3", "4"):
        assert html.count(f'id="punkt-{n}"') == 1
    # The anchor sits on the item's heading, not on a later mention of it.
    assert re.search(r'<span id="punkt-2" class="anchor"></span>§ 2 Grön infrastruktur', html)


@pytest.mark.parametrize("url", [
    "/meetings/naturvard/2099-01-01",
    "/meetings/naturvard/ovrigt",
    "/meetings/okand/2023-10-10-lerum",
    "/meetings/naturvard/..",
    "/meetings/naturvard/%2e%2e",
    "/meetings/naturvard/..%2F..%2Fetc%2Fpasswd",
    "/meetings/naturvard/2023-10-10-lerum%2F..%2F..",
    "/meetings/naturvard/2023-10-10-lerum%00",
    "/meetings/..%2F..%2Fetc/2023-10-10",
    "/meetings/naturvard/2023-10-10-lerum/minnesanteckningar.txt",
    "/meetings/naturvard/" + "2023-10-10-" + "x" * 5000,
    "/meetings/naturvard/2023-13-45",
])
def test_unknown_or_hostile_meetings_are_404(client, url):
    assert client.get(url).status_code == 404
    r = client.get("/api" + url)
    assert r.status_code == 404 and "error" in r.get_json()


def test_group_timeline_links_each_meeting_and_shows_its_decisions(client):
    html = text(client.get("/groups/naturvard"))
    for folder in (LERUM, BORAS, LATER):
        assert f'href="/meetings/{folder}"' in html
    lerum = html[html.index('id="mote-2023-10-10-lerum"'):html.index('id="mote-2023-05-04-boras"')]
    assert "<h4>Beslut</h4>" in lerum and "Kommunerna inventerar parkslide" in lerum
    assert 'href="/groups/naturvard/decisions"' in html


def test_document_page_links_its_meeting(client):
    assert f'href="/meetings/{LERUM}"' in text(client.get(f"/documents/{SLIDES}"))


def test_every_hit_links_its_meeting_and_opens_at_its_item(client):
    html = text(client.get("/?q=slåtterängar"))
    assert f'href="/meetings/{BORAS}"' in html and "Mötet 4 maj 2023" in html
    hit = client.get("/api/search?q=inventerar").get_json()["hits"][0]
    assert hit["meeting"] == LERUM and hit["item"] == {"number": "3", "title": "Invasiva arter"}
    html = text(client.get("/?q=inventerar"))
    assert f'href="/documents/{MINUTES}?q=inventerar#punkt-3"' in html and "punkt 3 Invasiva arter" in html
    hits = client.get("/api/search?q=lista").get_json()["hits"]
    assert [h["meeting"] for h in hits] == [None]


# -- decisions --------------------------------------------------------------------------------
def test_decisions_api_newest_first(client):
    data = client.get("/api/decisions?group=naturvard").get_json()
    assert list(data) == ["total", "decisions"]
    assert data["total"] == 4 and len(data["decisions"]) == 4
    assert all(list(d) == ["meeting", "date", "item", "text", "document", "page"] for d in data["decisions"])
    assert [d["date"] for d in data["decisions"]] == ["2024-02-01", "2023-10-10", "2023-10-10", "2023-05-04"]
    # Within a meeting, in the order of its items.
    assert [d["item"]["number"] for d in data["decisions"][1:3]] == ["2", "3"]
    first = data["decisions"][0]
    assert first["meeting"] == LATER and first["item"] == {"number": "1", "title": "Uppföljning"}
    assert first["document"] == f"{LATER}/minnesanteckningar.txt"


@pytest.mark.parametrize("args, dates", [
    ("q=grön infrastruktur", ["2024-02-01", "2023-10-10"]),
    ("from=2023-06-01", ["2024-02-01", "2023-10-10", "2023-10-10"]),
    ("to=2023-06-01", ["2023-05-04"]),
    ("from=2023-06-01&to=2023-12-31", ["2023-10-10", "2023-10-10"]),
    ("q=slåtteräng", ["2023-05-04"]),
    ("q=ingenting+sådant+finns", []),
])
def test_decisions_api_filters(client, args, dates):
    data = client.get(f"/api/decisions?group=naturvard&{args}").get_json()
    assert [d["date"] for d in data["decisions"]] == dates and data["total"] == len(dates)


def test_decisions_of_every_group(client):
    data = client.get("/api/decisions").get_json()
    assert data["total"] == 5 and {d["meeting"].split("/")[0] for d in data["decisions"]} == {"naturvard",
                                                                                                "miljostrategi"}


@pytest.mark.parametrize("args, message", [
    ("group=okand", "Okänd grupp"),
    ("from=igår", "inget datum"),
    ("from=2024-01-01&to=2023-01-01", "efter till-datumet"),
    ("page=0", "Sidnumret"),
    ("page=1001", "Sidnumret"),
    ("limit=101", "per sida"),
    ("limit=²", "per sida"),
    ("group=" + "g" * 201, "för långt"),
    ("&".join(f"x{i}=1" for i in range(300)), "parametrar"),
])
def test_bad_decision_requests_are_400(client, args, message):
    r = client.get(f"/api/decisions?{args}")
    assert r.status_code == 400 and message in r.get_json()["error"]


def test_a_huge_decision_query_is_cut_not_refused(client):
    r = client.get("/api/decisions", query_string={"q": "grön " * 2000})
    assert r.status_code == 200


def test_decisions_page_lists_searches_and_links_to_items(client):
    r = client.get("/groups/naturvard/decisions")
    html = text(r)
    assert r.status_code == 200 and "4 beslut" in html
    assert html.index("Handlingsplanen för grön infrastruktur antas") < html.index("Gruppen besöker")
    assert f'href="/documents/{LATER}/minnesanteckningar.txt#punkt-1"' in html
    assert f'href="/meetings/{LERUM}"' in html
    found = text(client.get("/groups/naturvard/decisions?q=parkslide"))
    assert "1 beslut" in found and "Kommunerna inventerar parkslide" in found and "Gruppen besöker" not in found
    assert client.get("/groups/okand/decisions").status_code == 404
    assert client.get("/groups/naturvard/decisions?from=x").status_code == 400


def test_decisions_page_pages(client):
    first = text(client.get("/groups/naturvard/decisions?limit=3"))
    assert first.count('class="decision-entry"') == 3 and "4 beslut" in first
    assert 'href="/groups/naturvard/decisions?limit=3&amp;page=2" rel="next"' in first
    second = text(client.get("/groups/naturvard/decisions?limit=3&page=2"))
    assert second.count('class="decision-entry"') == 1 and "Gruppen besöker" in second and 'rel="prev"' in second
    beyond = text(client.get("/groups/naturvard/decisions?limit=3&page=9"))
    assert "Sidan 9 finns inte" in beyond


def test_decisions_page_ignores_another_group_in_the_url(client):
    html = text(client.get("/groups/naturvard/decisions?group=miljostrategi"))
    assert "Vi följer upp målen" not in html and "4 beslut" in html


# -- the municipality facet -----------------------------------------------------------------------
def test_municipality_facet_filters_and_counts(client):
    data = client.get("/api/search?q=&municipality=Alingsås").get_json()
    assert [h["id"] for h in data["hits"]] == [MINUTES]
    assert "Lerum" in client.get("/api/search?q=").get_json()["facets"]["municipality"]
    html = text(client.get("/?q=parkslide"))
    assert "<legend>Kommun</legend>" in html and 'name="municipality" value="Lerum"' in html


def test_municipality_parameter_has_the_facet_bounds(client):
    many = "&".join(f"municipality=K{i}" for i in range(51))
    r = client.get(f"/api/search?{many}")
    assert r.status_code == 400 and "Högst 50 val åt gången under Kommun" in r.get_json()["error"]
    r = client.get("/api/search?municipality=" + "k" * 201)
    assert r.status_code == 400 and "kommun är för långt" in r.get_json()["error"]


# -- coordinators edit a meeting ---------------------------------------------------------------------
@pytest.fixture
def coord(tmp_path):
    return build_meetings(tmp_path)


def snapshot(root):
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.name != ".arkiv-write.lock"}


def edit_token(client) -> str:
    return TOKEN.search(text(client.get(f"/meetings/{LERUM}/edit")))[1]


def test_coordinator_edits_a_meeting(coord):
    tiny, app = coord
    client = app.test_client()
    sign_in(client)
    assert f'href="/meetings/{LERUM}/edit"' in text(client.get(f"/meetings/{LERUM}"))
    form = text(client.get(f"/meetings/{LERUM}/edit"))
    assert 'value="Grön infrastruktur"' in form
    assert 'Lämnas platsen tom visas <span class="example">Lerum</span>' in form
    r = client.post(f"/meetings/{LERUM}/edit", data={
        "csrf_token": edit_token(client), "title": "Grönt  i Lerum", "place": "Lerums\x00 kommunhus",
        "themes": ["Grön infrastruktur", "Inget sådant"], "speakers": "Karin Sjö, Skogsstyrelsen\n\n Per Ek \n"})
    assert r.status_code == 303 and r.headers["Location"] == f"/meetings/{LERUM}"
    saved = tomllib.loads((tiny.root / LERUM / "meeting.toml").read_text(encoding="utf-8"))
    assert saved == {"title": "Grönt i Lerum", "place": "Lerums kommunhus", "themes": ["Grön infrastruktur"],
                     "speakers": [{"name": "Karin Sjö", "organisation": "Skogsstyrelsen"}, {"name": "Per Ek"}]}
    assert (tiny.root / MINUTES).is_file()  # the folder keeps its name
    data = client.get(f"/api/meetings/{LERUM}").get_json()
    assert (data["title"], data["place"]) == ("Grönt i Lerum", "Lerums kommunhus")
    assert data["speakers"][1] == {"name": "Per Ek", "organisation": ""}
    changes = text(client.get("/changes"))
    entry = changes[changes.index("Rättade uppgifter om mötet"):]
    assert f'href="/meetings/{LERUM}"' in entry[:400] and "plats:" in entry[:1500]
    # The same form again changes nothing and logs nothing.
    lines = (tiny.root / ".audit.jsonl").read_text().count("\n")
    form = text(client.get(f"/meetings/{LERUM}/edit"))
    assert "Karin Sjö, Skogsstyrelsen\nPer Ek</textarea>" in form
    client.post(f"/meetings/{LERUM}/edit", data={
        "csrf_token": edit_token(client), "title": "Grönt i Lerum", "place": "Lerums kommunhus",
        "themes": ["Grön infrastruktur"], "speakers": "Karin Sjö, Skogsstyrelsen\nPer Ek"})
    assert (tiny.root / ".audit.jsonl").read_text().count("\n") == lines


@pytest.mark.parametrize("who", ["anonymous", "no token", "wrong token", "token of another session"])
def test_a_forged_meeting_edit_changes_nothing(coord, who):
    tiny, app = coord
    before = snapshot(tiny.root)
    client = app.test_client()
    data = {"title": "Kapad"}
    if who == "anonymous":
        data["csrf_token"] = TOKEN.search(text(client.get("/login")))[1]
    else:
        sign_in(client)
        if who == "wrong token":
            data["csrf_token"] = "x" * 40
        elif who == "token of another session":
            other = app.test_client()
            data["csrf_token"] = TOKEN.search(text(other.get("/login")))[1]
    r = client.post(f"/meetings/{LERUM}/edit", data=data)
    assert r.status_code == (401 if who == "anonymous" else 400)
    assert "Ingenting ändrades" in text(r)
    assert snapshot(tiny.root) == before


def test_anonymous_visitors_are_sent_to_sign_in(coord):
    _, app = coord
    r = app.test_client().get(f"/meetings/{LERUM}/edit")
    assert r.status_code == 302 and r.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("fields, status, message", [
    ({"title": "x" * 10_000_000}, 413, "Formuläret är för stort"),
    ({"title": "x" * 400_000}, 400, "Titeln får vara högst 300 tecken"),
    ({"place": "å" * 301}, 400, "Platsen får vara högst 300 tecken"),
    ({"speakers": "\n".join(f"Talare {i}" for i in range(31))}, 400, "Högst 30 talare"),
    ({"speakers": ", Länsstyrelsen"}, 400, "Varje rad behöver ett namn"),
    ({"speakers": "A" * 301}, 400, "högst 300 tecken"),
], ids=["10 MB title", "400 kB title", "long place", "31 speakers", "no name", "long speaker"])
def test_hostile_meeting_edits_are_refused_and_change_nothing(coord, fields, status, message):
    tiny, app = coord
    client = app.test_client()
    sign_in(client)
    before = snapshot(tiny.root)
    r = client.post(f"/meetings/{LERUM}/edit", data={"csrf_token": edit_token(client), **fields})
    assert r.status_code == status and message in text(r)
    assert snapshot(tiny.root) == before


def test_a_meeting_toml_with_other_keys_is_not_overwritten(coord):
    tiny, app = coord
    path = tiny.write(f"{LERUM}/meeting.toml", 'title = "Grön infrastruktur"\nsekreterare = "Per"\n')
    client = app.test_client()
    sign_in(client)
    r = client.get(f"/meetings/{LERUM}/edit")
    assert r.status_code == 409 and "sekreterare" in text(r)
    assert path.read_text() == 'title = "Grön infrastruktur"\nsekreterare = "Per"\n'


def test_editing_an_unknown_meeting_is_404(coord):
    _, app = coord
    client = app.test_client()
    sign_in(client)
    for url in ("/meetings/naturvard/2099-01-01/edit", "/meetings/naturvard/../edit", "/meetings/okand/2023-10-10/edit",
                "/meetings/naturvard/..%2F..%2Fetc/edit"):
        assert client.get(url).status_code == 404, url


def test_a_form_over_500_kb_is_refused_before_it_is_read(coord):
    _, app = coord
    client = app.test_client()
    body = b"name=anna&password=" + b"x" * 600_000  # no CSRF token: the size answers first
    r = client.post("/login", data=body, content_type="application/x-www-form-urlencoded")
    assert r.status_code == 413 and "Formuläret är för stort" in text(r)
    r = client.post("/login", data=b"name=anna&password=" + b"x" * 400_000,
                    content_type="application/x-www-form-urlencoded")
    assert r.status_code == 400  # under the bound: read, and refused for its missing token


def test_the_zip_is_linked_only_when_the_app_serves_it(tmp_path):
    tiny, app = build_meetings(tmp_path)
    if "meeting_zip" not in {e.rsplit(".", 1)[-1] for e in app.view_functions}:
        assert "documents.zip" not in text(app.test_client().get(f"/meetings/{LERUM}"))
        # Another part of the app (issue 16) registers the endpoint; the page finds it by name.
        app = create_app({"TESTING": True, "ARKIV_ARCHIVE": str(tiny.root), "ARKIV_INDEX": str(tiny.index_dir)})
        app.add_url_rule("/meetings/<group>/<folder>/documents.zip", endpoint="meeting_zip",
                         view_func=lambda **kw: "")
    assert f'href="/meetings/{LERUM}/documents.zip"' in text(app.test_client().get(f"/meetings/{LERUM}"))
