"""Sweden's municipalities and regions: the list, their names found in text, homographs both ways, folder places."""
from __future__ import annotations

import time
from pathlib import Path

import pytest

from indexer import MUNICIPALITIES, REGIONS, find_municipalities, place_name
from indexer.places import HOMOGRAPHS

DATA = Path(__file__).resolve().parents[1] / "indexer" / "places" / "data"


def test_the_lists_have_sweden_s_290_municipalities_and_21_regions():
    assert len(MUNICIPALITIES) == 290 and len(set(MUNICIPALITIES)) == 290
    assert len(REGIONS) == 21 and len(set(REGIONS)) == 21
    for name in ("Lerum", "Alingsås", "Vänersborg", "Borås", "Göteborg", "Vara", "Mark", "Lund", "Boden", "Sala",
                 "Ale", "Bjuv", "Tranås", "Upplands Väsby", "Lilla Edet", "Malung-Sälen", "Östra Göinge", "Dals-Ed",
                 "Gotland", "Kiruna", "Haparanda", "Trelleborg", "Härjedalen", "Åre", "Öckerö", "Ydre"):
        assert name in MUNICIPALITIES, name
    for name in ("Västra Götalandsregionen", "Region Skåne", "Region Stockholm", "Region Jämtland Härjedalen",
                 "Region Gotland", "Region Norrbotten"):
        assert name in REGIONS, name
    assert "Västra Götaland" not in MUNICIPALITIES and "Skåne" not in MUNICIPALITIES


def test_the_data_names_its_source_and_codes_follow_the_counties():
    text = (DATA / "kommuner.tsv").read_text(encoding="utf-8")
    assert "SCB" in text.split("\n", 3)[1]
    rows = [ln.split("\t") for ln in text.splitlines() if ln and not ln.startswith("#")][1:]
    counties = {}
    for code, name, county in rows:
        assert len(code) == 4 and code.isdigit(), (code, name)
        counties.setdefault(county, set()).add(code[:2])
    assert all(len(prefixes) == 1 for prefixes in counties.values())  # one county, one two-digit prefix
    assert len(counties) == 21
    by_county = {county: sum(1 for r in rows if r[2] == county) for county in counties}
    assert by_county["Västra Götalands län"] == 49 and by_county["Skåne län"] == 33
    assert by_county["Stockholms län"] == 26 and by_county["Gotlands län"] == 1
    assert {r[0]: r[1] for r in rows}["1441"] == "Lerum" and {r[0]: r[1] for r in rows}["1490"] == "Borås"


@pytest.mark.parametrize("text, found", [
    ("Representanter från Lerums kommun deltog.", ("Lerum",)),
    ("Alingsås och Vänersborgs arbete med klimatlöften", ("Alingsås", "Vänersborg")),
    ("Borås Stad och Göteborgs Stad", ("Borås", "Göteborg")),
    ("LERUMS KOMMUN, Miljöavdelningen", ("Lerum",)),
    ("Falu kommun och Upplands Väsby", ("Falun", "Upplands Väsby")),
    ("Lilla Edets kommun, Östra Göinge kommun och Malung-Sälens kommun",
     ("Lilla Edet", "Östra Göinge", "Malung-Sälen")),
    ("Västra Götalandsregionen och Region Skåne", ("Västra Götalandsregionen", "Region Skåne")),
    ("Region Gotland bjöd in", ("Region Gotland",)),  # the region, not also the municipality inside its name
    ("Boras och Goteborg skrivet utan prickar", ("Borås", "Göteborg")),
])
def test_names_in_their_inflected_and_genitive_forms(text, found):
    assert find_municipalities(text) == found


@pytest.mark.parametrize("text, found", [
    # The place: the text says so.
    ("Mötet hölls i Vara.", ("Vara",)),
    ("Vara kommun var värd.", ("Vara",)),
    ("Marks kommun har en ny naturvårdsplan.", ("Mark",)),
    ("Deltagare från Boden, Sala och Mora.", ("Boden", "Sala", "Mora")),
    ("Nästa möte blir i Lund.", ("Lund",)),
    ("Ale kommun och Bjuvs kommun", ("Ale", "Bjuv")),
    ("Kontakt: Anna Svensson | Tranås", ("Tranås",)),
    # The word: a verb, a noun, a name.
    ("Vi vill vara med i arbetet.", ()),
    ("Vara med och påverka!", ()),
    ("Mark och vatten är temat.", ()),
    ("Mark- och miljödomstolen har beslutat.", ()),
    ("Anna Lund och Per Berg presenterade.", ()),
    ("Mark Andersson berättade.", ()),
    ("Verktygen låg i boden vid sala.", ()),
    ("Lunds universitet forskar om ek.", ()),
    ("Kalmar län och Jönköpings län", ()),  # counties, not the municipalities
])
def test_homographs_are_places_only_in_context(text, found):
    assert find_municipalities(text) == found


def test_an_organisation_field_names_its_place_even_when_a_homograph():
    assert find_municipalities("Vara", field=True) == ("Vara",)
    assert find_municipalities("Lunds kommun", field=True) == ("Lund",)
    assert find_municipalities("Mark", field=True) == ("Mark",)
    assert find_municipalities("Länsstyrelsen", field=True) == ()
    assert HOMOGRAPHS <= set(MUNICIPALITIES)


def test_place_name_restores_a_folder_s_place():
    assert place_name("boras") == "Borås"
    assert place_name("vanersborg") == "Vänersborg"
    assert place_name("lilla-edet") == "Lilla Edet"
    assert place_name("upplands-bro") == "Upplands-Bro"
    assert place_name("region-skane") == "Region Skåne"
    assert place_name("BORÅS") == "Borås"
    assert place_name("stadshuset") is None and place_name("") is None  # never a guess outside the list


def test_finding_names_in_huge_or_hostile_text_is_bounded():
    for text in ("Vara " * 400_000, "Abc " * 500_000, "i Lund, " * 250_000, "Lerums kommun " * 150_000):
        start = time.monotonic()
        find_municipalities(text)
        assert time.monotonic() - start < 10
    assert find_municipalities("i Lund, " * 250_000) == ("Lund",)
