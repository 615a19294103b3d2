"""Meetings, decisions and municipalities from the indexed sample archive: SearchIndex, JSON and the CLI."""
from __future__ import annotations

import json
from datetime import date

import pytest

from builders import docx_bytes
from indexer import BadRequest, SearchRequest
from indexer.cli import main


def test_a_meeting_record_has_its_items_decisions_attendees_and_neighbours(sample_index):
    rec = sample_index.meeting("rattvis-handel/2022-05-05-hjo")
    assert rec.meeting.place == "Hjo" and rec.meeting.date == date(2022, 5, 5)
    minutes = "rattvis-handel/2022-05-05-hjo/minnesanteckningar.docx"
    assert [(doc, item.number, item.title) for doc, item in rec.items] == [
        (minutes, "23", "Regionens arbete med avtalsuppföljning"), (minutes, "24", "Hjos erfarenheter som liten kommun"),
        (minutes, "25", "Uppföljningsdokumentet"), (minutes, "26", "Beslut")]
    beslut = rec.items[-1][1]
    assert beslut.decision.startswith("Gruppen beslutade att kommunerna i gruppen samarbetar")
    assert "arbetskläder" in beslut.text  # the item's own text, parsed again from the cached pages
    assert [a.who for a in beslut.actions] == ["Ahmed Karimi och Elin Ståhl", "Hanna Virtanen"]
    people = {p.name: p.organisation for p in rec.attendees}
    assert people["Nils Hermansson"] == "Hjo kommun, värd" and people["Ahmed Karimi"] == "Göteborgs stad"
    assert "Josefin Berg" not in people  # she sent her apologies (Förhinder)
    assert {"Hjo", "Göteborg", "Borås", "Vara"} <= set(rec.municipalities)
    assert rec.previous == "rattvis-handel/2018-10-11-molndal" and rec.next == "rattvis-handel/2024-11-21-boras"
    assert rec.documents[0].id == minutes  # minutes first, then the other types
    assert {d.id for d in rec.documents} >= {minutes, "rattvis-handel/2022-05-05-hjo/presentation-regionen.pdf"}


def test_the_first_and_last_meetings_have_one_neighbour(sample_index):
    assert sample_index.meeting("rattvis-handel/2015-10-08-goteborg").previous is None
    assert sample_index.meeting("rattvis-handel/2024-11-21-boras").next is None


def test_a_folder_place_is_spelled_from_the_municipality_list(sample_index):
    assert sample_index.meeting("miljostrategi/2015-11-19-boras").meeting.place == "Borås"
    assert sample_index.meeting("miljostrategi/2019-09-05-vanersborg").meeting.place == "Vänersborg"


@pytest.mark.parametrize("folder", ["naturvard/1999-01-01", "naturvard/ovrigt", "okand/2023-10-10-lerum",
                                    "../etc", "naturvard/../miljostrategi", "naturvard/2023-10-10-lerum/x",
                                    "", "a" * 5000, "naturvard/.hidden"])
def test_an_unknown_or_malformed_meeting_is_none(sample_index, folder):
    assert sample_index.meeting(folder) is None


def test_items_of_a_pdf_have_pages(sample_index):
    rec = sample_index.meeting("naturvard/2024-09-12-ulricehamn")
    pages = [item.page for _, item in rec.items]
    assert pages and all(isinstance(p, int) and p >= 1 for p in pages) and pages == sorted(pages)


def test_decisions_newest_first_filtered_and_searchable(sample_index):
    every = sample_index.decisions(limit=500)
    assert every.total == len(every.decisions) >= 15
    days = [d.date for d in every.decisions]
    assert days == sorted(days, reverse=True)
    hjo = sample_index.decisions(group="rattvis-handel", query="arbetskläder")
    assert hjo.total == 1
    d = hjo.decisions[0]
    assert (d.meeting, d.item, d.document) == ("rattvis-handel/2022-05-05-hjo", ("26", "Beslut"),
                                              "rattvis-handel/2022-05-05-hjo/minnesanteckningar.docx")
    assert d.to_json() == {"meeting": "rattvis-handel/2022-05-05-hjo", "date": "2022-05-05",
                           "item": {"number": "26", "title": "Beslut"}, "text": d.text,
                           "document": "rattvis-handel/2022-05-05-hjo/minnesanteckningar.docx", "page": None}
    assert sample_index.decisions(group="Rättvis och etisk handel-gruppen", query="ARBETSKLADER").total == 1
    assert sample_index.decisions(group="naturvard", query="arbetskläder").total == 0
    ranged = sample_index.decisions(date_from=date(2020, 1, 1), date_to=date(2022, 12, 31), limit=500)
    assert ranged.total and all(date(2020, 1, 1) <= d.date <= date(2022, 12, 31) for d in ranged.decisions)
    page = sample_index.decisions(limit=2, offset=1)
    assert page.total == every.total and page.decisions == every.decisions[1:3]
    assert set(sample_index.decisions(limit=1).to_json()) == {"total", "decisions"}


@pytest.mark.parametrize("kwargs", [dict(limit=0), dict(limit=501), dict(offset=-1), dict(offset=10 ** 9),
                                    dict(query="x" * 501), dict(group="okand"),
                                    dict(date_from=date(2024, 1, 1), date_to=date(2023, 1, 1))])
def test_bad_decision_requests_are_refused(sample_index, kwargs):
    with pytest.raises(BadRequest):
        sample_index.decisions(**kwargs)


def test_municipality_facet_and_filter(sample_index):
    everything = sample_index.search(SearchRequest(per_page=100))
    counts = everything.facets["municipality"]
    assert counts["Lerum"] >= 5 and counts["Vara"] >= 1
    assert list(counts.values()) == sorted(counts.values(), reverse=True)
    vara = sample_index.search(SearchRequest(municipalities=("vara",), per_page=100))
    assert 0 < vara.total == counts["Vara"] < everything.total
    assert all("Vara" in sample_index.document(h.id, with_text=False).municipalities for h in vara.hits)
    # Within the facet OR'ed, counted without its own filter (multi-select).
    both = sample_index.search(SearchRequest(municipalities=("Vara", "Lerums kommun"), per_page=100))
    assert both.total >= vara.total and both.facets["municipality"] == counts
    with pytest.raises(BadRequest, match="okänd kommun"):
        sample_index.search(SearchRequest(municipalities=("Atlantis",)))


def test_a_hit_names_the_agenda_item_it_lies_in(sample_index):
    result = sample_index.search(SearchRequest(query="arbetskläder skyddshandskar"))
    hit = next(h for h in result.hits if h.id == "rattvis-handel/2022-05-05-hjo/minnesanteckningar.docx")
    assert hit.item == ("26", "Beslut") and hit.meeting == "rattvis-handel/2022-05-05-hjo"
    assert hit.to_json()["item"] == {"number": "26", "title": "Beslut"}
    other = next(h for h in sample_index.search(SearchRequest(query="fairtrade")).hits if h.type != "minutes")
    assert other.item is None and other.to_json()["item"] is None


def test_cli_search_by_municipality(tiny, capsys):
    tiny.write("naturvard/2023-10-10-lerum/minnesanteckningar.docx",
               docx_bytes(["Närvarande: Anna Berg (Lerums kommun), Per Ek (Vara kommun)", "1. Inledning",
                           "Parkslide i Lerum.", "2. Invasiva arter", "Mer om parkslide.", "3. Beslut",
                           "Gruppen beslutade att kartlägga parkslide."], heading="Minnesanteckningar"))
    tiny.write("naturvard/2023-11-10/anteckningar.docx", docx_bytes(["Parkslide i Alingsås."], heading="Anteckningar"))
    loc = ["--archive", str(tiny.root), "--index", str(tiny.index_dir)]
    assert main(["index", *loc]) == 0
    capsys.readouterr()
    assert main(["search", "parkslide", *loc, "--municipality", "VARA", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [h["id"] for h in data["hits"]] == ["naturvard/2023-10-10-lerum/minnesanteckningar.docx"]
    assert data["facets"]["municipality"] == {"Alingsås": 1, "Lerum": 1, "Vara": 1}  # without its own filter
    assert data["hits"][0]["item"]["number"] in ("1", "2", "3")
    assert main(["search", "parkslide", *loc, "--municipality", "Atlantis"]) == 2
    assert "okänd kommun" in capsys.readouterr().err
    assert main(["search", "parkslide", *loc, "--municipality", "Alingsas"]) == 0
    out = capsys.readouterr().out
    assert "1 dokument för" in out and "anteckningar.docx" in out


def test_attendees_keep_their_organisation_from_pdf_and_docx_tables(sample_index):
    pdf = {p.name: p.organisation for p in sample_index.meeting("miljostrategi/2019-09-05-vanersborg").attendees}
    assert pdf["Anders Holm"] == "Skövde kommun" and pdf["Eva Lindgren"] == "Vänersborgs kommun (värd)"
    docx_table = {p.name: p.organisation for p in sample_index.meeting("naturvard/2023-10-10-lerum").attendees}
    assert docx_table["Kristina Åhlén"] == "Lerums kommun" and "Namn" not in docx_table


def test_markdown_minutes_are_read_from_their_source(tiny):
    # A Markdown file is searched as rendered text, which has lost the headings that mark its items.
    tiny.write("naturvard/2023-10-10-lerum/protokoll.md",
               "# Protokoll\n\nNärvarande: Anna Berg (Lerums kommun), Per Ek (Vara kommun)\n\n"
               "## Mötets öppnande\nOrdföranden öppnade mötet.\n\n## Invasiva arter\nLäget för **parkslide** i Lerum.\n\n"
               "Beslut: Gruppen kartlägger parkslide.\n\n## Nästa möte\nI Vara i juni.\n")
    assert tiny.index().failed == []
    index = tiny.open()
    rec = index.meeting("naturvard/2023-10-10-lerum")
    items = [item for _, item in rec.items]
    assert [i.title for i in items] == ["Mötets öppnande", "Invasiva arter", "Nästa möte"]
    assert items[1].decision == "Gruppen kartlägger parkslide." and "Lerum" in items[1].text
    assert {p.name for p in rec.attendees} == {"Anna Berg", "Per Ek"}
    hit = index.search(SearchRequest(query="parkslide")).hits[0]
    assert hit.item == (items[1].number, "Invasiva arter")
