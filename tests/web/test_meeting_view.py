"""The meeting page's pure parts: item anchors in a document, attendees by municipality, Swedish order."""
from __future__ import annotations

import time

from indexer import AgendaItem, Person

from webapp.meetings import attendees_by_municipality, folder_date, item_anchor, item_fragment, mark_items, sv_key


def pages_of(*pages: list[str]) -> list[dict]:
    return [{"number": n, "paragraphs": [{"text": t, "anchors": []} for t in texts]}
            for n, texts in enumerate(pages, 1)]


def anchored(pages) -> dict[str, str]:
    return {a: p["text"] for page in pages for p in page["paragraphs"] for a in p["anchors"]}


def test_an_agenda_at_the_top_does_not_take_the_items_places():
    pages = pages_of(["Dagordning", "1. Mötets öppnande", "2. Beslut", "1. Mötets öppnande",
                      "Ordföranden öppnade mötet.", "2. Beslut", "Gruppen beslutade att gå vidare."])
    items = (AgendaItem("1", "Mötets öppnande", text="Ordföranden öppnade mötet."),
             AgendaItem("2", "Beslut", text="Gruppen beslutade att gå vidare."))
    mark_items(pages, items)
    paras = pages[0]["paragraphs"]
    assert paras[3]["anchors"] == ["punkt-1"] and paras[5]["anchors"] == ["punkt-2"]
    assert paras[1]["anchors"] == paras[2]["anchors"] == []


def test_an_item_not_found_is_anchored_at_its_page_or_not_at_all():
    pages = pages_of(["Inledning"], ["Något helt annat", "Mer text"])
    mark_items(pages, (AgendaItem("§ 4", "Budget", page=2), AgendaItem("5", "Övrigt")))
    assert anchored(pages) == {"punkt-4": "Något helt annat"}


def test_a_number_used_twice_anchors_once():
    pages = pages_of(["1 Inledning", "text", "1 Inledning", "text"])
    mark_items(pages, (AgendaItem("1", "Inledning"), AgendaItem("1", "Inledning")))
    assert sum(len(p["anchors"]) for p in pages[0]["paragraphs"]) == 1


def test_marking_is_bounded_on_a_huge_document():
    pages = pages_of([f"rad {i} utan rubrik " * 20 for i in range(20_000)])
    items = tuple(AgendaItem(str(n), f"Punkt som inte finns {n}") for n in range(2_000))
    started = time.perf_counter()
    mark_items(pages, items)
    assert time.perf_counter() - started < 10  # items x ITEM_WINDOW, not items x paragraphs
    assert anchored(pages) == {}


def test_item_anchors_and_fragments():
    assert item_anchor("§ 12") == "punkt-12" and item_anchor("4.2") == "punkt-4-2" and item_anchor("§") == "punkt-x"
    assert item_fragment("3", 2) == "punkt-3" and item_fragment(None, 2) == "sida-2" and item_fragment(None, None) is None


def test_folder_dates():
    assert folder_date("naturvard/2023-10-10-lerum").isoformat() == "2023-10-10"
    assert folder_date("naturvard/2023-13-45") is None and folder_date("naturvard/ovrigt") is None


def test_attendees_under_their_municipality_in_swedish_order():
    people = (Person("Örjan Ek", "Lerums kommun"), Person("Åsa Berg", "Lerum"), Person("Eva Lind", "Länsstyrelsen"),
              Person("Per Ek", "Alingsås kommun"), Person("Ida Sand", ""), Person("Ola Vik", "Vara kommun"))
    groups = attendees_by_municipality(people)
    assert [g.municipality for g in groups] == ["Alingsås", "Lerum", "Vara", None]
    assert [p.name for p in groups[1].people] == ["Åsa Berg", "Örjan Ek"]
    assert [p.name for p in groups[-1].people] == ["Eva Lind", "Ida Sand"]
    assert sorted(["Ö", "Ä", "Å", "Z"], key=sv_key) == ["Z", "Å", "Ä", "Ö"]
