"""Following a search: /feed.atom read by a real feed parser, /export.csv and `arkiv search --csv` read back."""
from __future__ import annotations

import csv
import io
import os
import xml.etree.ElementTree as ET
from datetime import date, datetime, timezone

import feedparser
import pytest

import indexer.export
from indexer.cli import main as cli_main
from tiny import TinyArchive
from webapp import create_app

ATOM = "{http://www.w3.org/2005/Atom}"
ARKIV_TOML = """\
[network]
name = "Följnätverket"

[[groups]]
slug = "naturvard"
name = "Naturvårdsgruppen"

[[groups]]
slug = "miljostrategi"
name = "Miljöstrategigruppen"

[[themes]]
name = "Upphandling"
keywords = ["upphandling"]
"""
# Title as the sidecar writes it (TOML escapes) -> the title a reader must show.
HOSTILE = {
    "skript.txt": ('<script>alert(\\"x\\")</script> & co', '<script>alert("x")</script> & co'),
    "cdata.txt": ("Slut ]]> och <![CDATA[ början", "Slut ]]> och <![CDATA[ början"),
    "styr.txt": ("Styr\\u0001tecken\\u000bhär\\u001f och \\u007f", "Styrteckenhär och \u007f"),
    "entitet.txt": ("&amp; &lt;b&gt; &#x41;", "&amp; &lt;b&gt; &#x41;"),
}
# Titles a spreadsheet would run as formulas (a leading tab or CR never reaches a title: titles
# are stripped; test_safe_cell covers them).
FORMULAS = {
    "formel-lika.txt": "=HYPERLINK(\"http://evil.example\",\"klicka\")",
    "formel-plus.txt": "+46 upphandling",
    "formel-minus.txt": "-1+1",
    "formel-snabel.txt": "@SUM(A1:A2)",
}
MANY = 60  # more than a feed's 50


@pytest.fixture(scope="module")
def follow_archive(tmp_path_factory):
    t = TinyArchive(tmp_path_factory.mktemp("follow"))
    t.write("arkiv.toml", ARKIV_TOML)
    for n in range(MANY):
        day = date(2020, 1, 1).toordinal() + n * 7
        t.write(f"miljostrategi/{date.fromordinal(day).isoformat()}-mote/minnesanteckningar.txt",
                f"Minnesanteckningar nummer {n}. Vi talade om upphandling av livsmedel.")
    meeting = "naturvard/2024-03-05-alingsas"
    for name, (title, _) in HOSTILE.items():
        t.write(f"{meeting}/{name}", "Text med <b>fetstil</b> & \u0002styrtecken om skadegörare.")
        t.write(f"{meeting}/{name}.toml", f'title = "{title}"\n')
    for name, title in FORMULAS.items():
        t.write(f"{meeting}/{name}", "Åtgärder för ängar och öar.")
        t.write(f"{meeting}/{name}.toml", f"title = '{title}'\n")  # a literal string: no escapes
    undated = t.write("naturvard/ovrigt/odaterad.txt", "Ett dokument utan datum om skadegörare.")
    stamp = datetime(2025, 6, 1, 12, 30, tzinfo=timezone.utc).timestamp()
    os.utime(undated, (stamp, stamp))
    assert not t.index().failed
    return t.root, t.index_dir


@pytest.fixture(scope="module")
def follow_client(follow_archive):
    root, index_dir = follow_archive
    return create_app({"TESTING": True, "ARKIV_ARCHIVE": str(root), "ARKIV_INDEX": str(index_dir)}).test_client()


def parsed(response):
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    feed = feedparser.parse(response.data)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    return feed


def tree(response) -> ET.Element:
    return ET.fromstring(response.data)


# -- the feed ----------------------------------------------------------------------------
def test_feed_is_atom_with_every_required_element(follow_client):
    r = follow_client.get("/feed.atom?q=skadegörare&group=naturvard")
    feed = parsed(r)
    assert feed.feed.id == "http://localhost/feed.atom?q=skadeg%C3%B6rare&group=naturvard"
    links = {link.rel: link.href for link in feed.feed.links}
    assert links["self"] == feed.feed.id
    assert links["alternate"] == "http://localhost/?q=skadeg%C3%B6rare&group=naturvard&sort=newest"
    assert "skadegörare" in feed.feed.title and "Naturvårdsgruppen" in feed.feed.title
    root = tree(r)
    for tag in ("id", "title", "updated", "author"):
        assert len(root.findall(f"{ATOM}{tag}")) == 1, tag
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == len(HOSTILE) + 1
    for entry in entries:
        for tag in ("id", "title", "updated", "published", "summary"):
            assert len(entry.findall(f"{ATOM}{tag}")) == 1, tag
        assert entry.find(f"{ATOM}id").text == entry.find(f"{ATOM}link").get("href")
        assert entry.find(f"{ATOM}id").text.startswith("http://localhost/documents/naturvard/")
    # The feed was updated when its newest entry was (here the undated one's file): the same
    # bytes until a document arrives.
    assert root.find(f"{ATOM}updated").text == "2025-06-01T12:30:00Z"
    assert follow_client.get("/feed.atom?q=skadegörare&group=naturvard").data == r.data


def test_hostile_titles_and_text_round_trip(follow_client):
    r = follow_client.get("/feed.atom?q=skadegörare")
    feed = parsed(r)
    by_id = {e.id.rsplit("/", 1)[-1]: e for e in feed.entries}
    for name, (_, shown) in HOSTILE.items():
        entry = by_id[name]
        assert entry.title == shown
        assert entry.title_detail.type == "text/plain"
        # The summary is the snippet's text, unescaped once: never markup, never &amp;lt;.
        assert "<b>fetstil</b> & styrtecken om skadegörare" in entry.summary
        assert "mark>" not in entry.summary
    raw = {e.find(f"{ATOM}id").text.rsplit("/", 1)[-1]: e.find(f"{ATOM}title").text
           for e in tree(r).findall(f"{ATOM}entry")}
    assert {name: raw[name] for name in HOSTILE} == {name: shown for name, (_, shown) in HOSTILE.items()}
    assert b"<script>" not in r.data and b"\x01" not in r.data and b"\x02" not in r.data


def test_feed_respects_the_filters_and_orders_newest_first(follow_client):
    feed = parsed(follow_client.get("/feed.atom?group=miljostrategi&from=2020-06-01&to=2020-12-31"))
    days = [e.published[:10] for e in feed.entries]
    assert days and days == sorted(days, reverse=True)
    assert all("2020-06-01" <= d <= "2020-12-31" for d in days)
    assert {t.term for e in feed.entries for t in e.tags} == {"miljostrategi", "minutes"}
    labels = {t.label for e in feed.entries for t in e.tags}
    assert labels == {"Miljöstrategigruppen", "Minnesanteckningar"}
    assert parsed(follow_client.get("/feed.atom?type=presentation")).entries == []
    found = parsed(follow_client.get("/feed.atom?q=HYPERLINK"))
    assert [e.id.rsplit("/", 1)[-1] for e in found.entries] == ["formel-lika.txt"]


def test_feed_holds_the_50_newest_whatever_page_or_limit_asks(follow_client):
    feed = parsed(follow_client.get("/feed.atom?group=miljostrategi&sort=oldest&limit=5&page=3"))
    assert len(feed.entries) == 50
    newest = date.fromordinal(date(2020, 1, 1).toordinal() + (MANY - 1) * 7).isoformat()
    assert feed.entries[0].published.startswith(newest)


def test_an_undated_document_is_dated_by_its_file(follow_client):
    feed = parsed(follow_client.get("/feed.atom?q=skadegörare"))
    entry = next(e for e in feed.entries if e.id.endswith("/odaterad.txt"))
    assert entry.updated == entry.published == "2025-06-01T12:30:00Z"
    assert entry is feed.entries[-1]  # undated last, as the newest-first search orders it


def test_an_empty_feed_is_still_valid(follow_client):
    feed = parsed(follow_client.get("/feed.atom?q=finnsinteiarkivet"))
    assert feed.entries == [] and feed.feed.updated


@pytest.mark.parametrize("query", ["sort=fel", "type=okänd", "from=14+mars", "year=２０２０", "group=okänd"])
def test_bad_feed_and_export_params_are_400(follow_client, query):
    assert follow_client.get(f"/api/search?{query}").status_code == 400
    assert follow_client.get(f"/feed.atom?{query}").status_code == 400
    assert follow_client.get(f"/export.csv?{query}").status_code == 400


def test_pages_link_their_feed(follow_client):
    page = follow_client.get("/?q=upphandling&group=miljostrategi").get_data(as_text=True)
    assert ('<link rel="alternate" type="application/atom+xml" title="Nyast först i den här sökningen" '
            'href="/feed.atom?q=upphandling&amp;group=miljostrategi">') in page
    assert '<a href="/feed.atom?q=upphandling&amp;group=miljostrategi">Följ i nyhetsläsare</a>' in page
    assert '<a href="/export.csv?q=upphandling&amp;group=miljostrategi">' in page
    group = follow_client.get("/groups/naturvard").get_data(as_text=True)
    assert 'type="application/atom+xml" title="Nya dokument från Naturvårdsgruppen" href="/feed.atom?group=naturvard"' \
        in group
    assert '<a href="/feed.atom?group=naturvard">Följ i nyhetsläsare</a>' in group
    meeting = follow_client.get("/meetings/naturvard/2024-03-05-alingsas").get_data(as_text=True)
    assert 'type="application/atom+xml" title="Nya dokument från Naturvårdsgruppen" href="/feed.atom?group=naturvard"' \
        in meeting
    assert '<a href="/feed.atom?group=naturvard">Följ gruppen i nyhetsläsare</a>' in meeting
    assert 'href="/meetings/naturvard/2024-03-05-alingsas/documents.zip"' in meeting


# -- the export --------------------------------------------------------------------------
def rows(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode("utf-8"))
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_export_is_every_hit_as_csv_with_bom(follow_client):
    r = follow_client.get("/export.csv?group=miljostrategi&sort=newest")
    assert r.status_code == 200 and r.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert r.headers["Content-Disposition"].startswith("attachment; filename=")
    assert r.headers["X-Arkiv-Total"] == str(MANY) and "X-Arkiv-Capped" not in r.headers
    table = rows(r.data)
    assert table[0] == list(indexer.export.COLUMNS)
    assert len(table) == 1 + MANY
    assert [row[3] for row in table[1:]] == sorted((row[3] for row in table[1:]), reverse=True)
    first = dict(zip(table[0], table[1]))
    assert first["group"] == "miljostrategi" and first["type"] == "minutes" and first["themes"] == "Upphandling"
    assert first["link"] == f"http://localhost/documents/{first['id']}" + (f"#sida-{first['page']}" if first["page"]
                                                                          else "")


def test_export_keeps_swedish_letters_and_neutralises_formulas(follow_client):
    table = rows(follow_client.get("/export.csv?q=ängar").data)
    titles = {row[0].rsplit("/", 1)[-1]: row[1] for row in table[1:]}
    assert titles == {"formel-lika.txt": "'=HYPERLINK(\"http://evil.example\",\"klicka\")",
                      "formel-plus.txt": "'+46 upphandling", "formel-minus.txt": "'-1+1",
                      "formel-snabel.txt": "'@SUM(A1:A2)"}
    hostile = rows(follow_client.get("/export.csv?q=skadegörare&group=naturvard").data)
    assert {r[1] for r in hostile[1:]} >= {shown for _, shown in HOSTILE.values()} - {"Styrteckenhär och \u007f"}
    assert all(not cell.startswith(indexer.export.FORMULA_STARTS) for row in table + hostile for cell in row)


@pytest.mark.parametrize("value, cell", [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@A1", "'@A1"), ("\tx", "'\tx"), ("\rx", "'\rx"),
    ("1-1", "1-1"), ("Årsmöte", "Årsmöte"), ("", ""), (" =1", " =1"),
])
def test_safe_cell(value, cell):
    assert indexer.export.safe_cell(value) == cell


def test_export_pages_through_the_search_without_repeats(follow_client, monkeypatch):
    monkeypatch.setattr(indexer.export, "EXPORT_PAGE", 7)
    table = rows(follow_client.get("/export.csv?q=upphandling").data)
    ids = [row[0] for row in table[1:]]
    assert len(ids) == len(set(ids)) == MANY + 1  # the sixty minutes and the +46 title


def test_a_capped_export_says_so_in_a_header_and_a_last_row(follow_client, monkeypatch):
    monkeypatch.setattr(indexer.export, "EXPORT_LIMIT", 25)
    monkeypatch.setattr(indexer.export, "EXPORT_PAGE", 10)
    r = follow_client.get("/export.csv?group=miljostrategi")
    assert r.headers["X-Arkiv-Capped"] == "25" and r.headers["X-Arkiv-Total"] == str(MANY)
    table = rows(r.data)
    assert len(table) == 1 + 25 + 1
    assert table[-1] == [f"# Begränsat: de första 25 av {MANY} träffar. Avgränsa sökningen för att få resten."]


def test_cli_csv_is_the_same_bytes_as_the_web_export(follow_client, follow_archive, capfdbinary, monkeypatch):
    root, index_dir = follow_archive
    for url, argv in [("/export.csv?q=upphandling", ["upphandling"]),
                      ("/export.csv?q=ängar&sort=oldest", ["ängar", "--sort", "oldest"]),
                      ("/export.csv?group=miljostrategi&from=2020-03-01", ["--group", "miljostrategi",
                                                                            "--from", "2020-03-01"])]:
        web = follow_client.get(url).data
        assert cli_main(["search", *argv, "--csv", "--base-url", "http://localhost/", "--limit", "3",
                         "--archive", str(root), "--index", str(index_dir)]) == 0
        assert capfdbinary.readouterr().out == web
    monkeypatch.setenv("ARKIV_PUBLIC_URL", "https://arkiv.example/")
    assert cli_main(["search", "ängar", "--csv", "--archive", str(root), "--index", str(index_dir)]) == 0
    links = [row[-1] for row in rows(capfdbinary.readouterr().out)[1:]]
    assert links and all(link.startswith("https://arkiv.example/documents/naturvard/") for link in links)
    monkeypatch.delenv("ARKIV_PUBLIC_URL")
    assert cli_main(["search", "ängar", "--csv", "--archive", str(root), "--index", str(index_dir)]) == 0
    assert all(row[-1].startswith("/documents/") for row in rows(capfdbinary.readouterr().out)[1:])


def test_cli_csv_and_json_exclude_each_other(follow_archive):
    with pytest.raises(SystemExit) as e:
        cli_main(["search", "x", "--csv", "--json"])
    assert e.value.code == 2


def test_feed_and_export_follow_the_municipality_filter(follow_client):
    meeting = "naturvard/2024-03-05-alingsas/"
    feed = parsed(follow_client.get("/feed.atom?municipality=Alings%C3%A5s"))
    ids = {e.id.split("/documents/", 1)[-1] for e in feed.entries}
    assert ids and all(i.startswith(meeting) for i in ids)
    assert len(ids) == len(HOSTILE) + len(FORMULAS)
    assert parsed(follow_client.get("/feed.atom?municipality=Lerum")).entries == []
    table = rows(follow_client.get("/export.csv?municipality=alingsas").data)
    assert {row[0] for row in table[1:]} == ids
    assert follow_client.get("/feed.atom?municipality=Atlantis").status_code == 400
