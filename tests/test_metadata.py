"""Metadata rules by DESIGN.md's precedence table, as tables of Swedish cases."""
from __future__ import annotations

from datetime import date

import pytest

from indexer.config import Sidecar
from indexer.metadata import describe, first_date_in_text, infer_themes, infer_type, usable_title
from indexer.models import Extraction, Meeting, Theme

TODAY = date(2026, 11, 29)


@pytest.mark.parametrize("text, expected", [
    pytest.param("Mötet hölls 2019-09-05 i Vänersborg.", date(2019, 9, 5), id="iso"),
    pytest.param("möte den 14 mars 2018 i Borås", date(2018, 3, 14), id="day-month-year"),
    pytest.param("Datum: 5/9 2019", date(2019, 9, 5), id="day/month year"),
    pytest.param("Uppföljning 5/9-2019", date(2019, 9, 5), id="day/month-year"),
    pytest.param("den 1:a december 2020", date(2020, 12, 1), id="ordinal"),
    pytest.param("den 3 okt. 2021", date(2021, 10, 3), id="abbreviated month"),
    pytest.param("DEN 10 OKTOBER 2023", date(2023, 10, 10), id="upper case"),
    pytest.param("först 14 mars 2018, sedan 2019-09-05", date(2018, 3, 14), id="first in text wins"),
    pytest.param("först 2019-09-05, sedan 14 mars 2018", date(2019, 9, 5), id="first in text wins iso"),
    pytest.param("ogiltigt 2019-02-30 men 2019-03-01", date(2019, 3, 1), id="invalid date skipped"),
    pytest.param("framtid 2099-01-01", None, id="future date ignored"),
    pytest.param("Dnr 2019-1234-56", None, id="case number is not a date"),
    pytest.param("telefon 031-123 45 67", None, id="phone is not a date"),
    pytest.param("kapitel 5/9 och sida 12", None, id="fraction without year"),
    pytest.param("inget datum här", None, id="none"),
    pytest.param("32 mars 2018", None, id="day out of range"),
    pytest.param("Mötet 9–10 oktober 2023 i Lerum", date(2023, 10, 9), id="range: first day"),
    pytest.param("Mötet 9-10 oktober 2023", date(2023, 10, 9), id="range with hyphen"),
    pytest.param("30 september–1 oktober 2023", date(2023, 9, 30), id="range across months"),
    pytest.param("tisdagen den 10 oktober 2023", date(2023, 10, 10), id="weekday prefix"),
    pytest.param("Nätverksträff vecka 41 2023", date(2023, 10, 9), id="week number, year after"),
    pytest.param("Planering 2024: v. 12 möts vi", date(2024, 3, 18), id="week number, year before"),
    pytest.param("Vi ses vecka 41", None, id="week number without a year"),
    pytest.param("kl 13.00–16.30 och § 87", None, id="times and paragraph signs are no dates"),
    pytest.param("Tid: 13.00-16.30, 2023-10-10", date(2023, 10, 10), id="time before a date"),
    pytest.param("§ 87/2019 beslut", None, id="paragraph with year"),
])
def test_first_date_in_text(text, expected):
    assert first_date_in_text(text, TODAY) == expected


def test_only_the_start_of_a_text_is_read_for_its_date(monkeypatch):
    # A text with no date was walked to its end by every pattern (0.2 s a MB); the start holds the date.
    from indexer.lang import dates

    monkeypatch.setattr(dates, "MAX_DATE_TEXT", 1000)
    filler = "Ingen tidsangivelse här. " * 100
    assert first_date_in_text(filler[:900] + " 14 mars 2018", TODAY) == date(2018, 3, 14)
    assert first_date_in_text(filler + " 14 mars 2018", TODAY) is None
    seen = []
    real = dates._DATE_PATTERNS[0][0]

    class Watched:
        def finditer(self, text):
            seen.append(len(text))
            return real.finditer(text)

    monkeypatch.setattr(dates, "_DATE_PATTERNS", [(Watched(), dates._DATE_PATTERNS[0][1]), *dates._DATE_PATTERNS[1:]])
    first_date_in_text("x" * 5_000_000, TODAY)
    assert seen == [1000]


def _ex(fmt="docx", pages=("",), title=None, heading=None, created=None):
    return Extraction(format=fmt, pages=tuple(pages), title=title, heading=heading, created=created)


@pytest.mark.parametrize("filename, extraction, expected", [
    ("minnesanteckningar.docx", _ex(), "minutes"),
    ("Minnesanteckningar_2019-09-05.pdf", _ex("pdf"), "minutes"),
    ("protokoll-styrgrupp.pdf", _ex("pdf"), "minutes"),
    ("motesanteckningar.docx", _ex(), "minutes"),
    ("uppfoljning-indikatorer.docx", _ex(), "follow-up"),
    ("Uppföljningsdokument.docx", _ex(), "follow-up"),
    ("aterrapport-2020.pdf", _ex("pdf"), "follow-up"),
    ("inbjudan.pdf", _ex("pdf"), "agenda"),
    ("kallelse-natverksmote.docx", _ex(), "agenda"),
    ("dagordning.docx", _ex(), "agenda"),
    ("skogsstyrelsen-nyckelbiotoper.pptx", _ex("pptx"), "presentation"),
    ("presentation-lansstyrelsen.pdf", _ex("pdf"), "presentation"),
    ("bilder-fran-mote.pdf", _ex("pdf"), "presentation"),
    ("bilaga-1.pdf", _ex("pdf", ["Minnesanteckningar från mötet"]), "minutes"),
    ("bilaga-2.pdf", _ex("pdf", ["Uppföljning av miljömålen"]), "follow-up"),
    ("bilaga-3.pdf", _ex("pdf", ["Något helt annat"]), "other"),
    ("bilaga.pdf", None, "other"),
    ("agenda.pdf", _ex("pdf"), "agenda"),
    ("agenda-2030-rapport.pdf", _ex("pdf"), "other"),
    ("rapport.pdf", _ex("pdf", ["Möte om Agenda 2030 i kommunen"]), "other"),
])
def test_infer_type(filename, extraction, expected):
    assert infer_type(filename, extraction) == expected


@pytest.mark.parametrize("title, usable", [
    ("Untitled", False), ("", False), (None, False), ("Microsoft Word - protokoll_final.docx", False),
    ("PowerPoint-presentation", False), ("protokoll.docx", False), ("Namnlös", False),
    ("Minnesanteckningar Naturvårdsgruppen", True), ("Agenda 2030 i kommunerna", True),
])
def test_usable_title(title, usable):
    assert (usable_title(title) is not None) == usable


THEMES = (Theme("Invasiva arter", ("invasiva arter", "parkslide", "lupin")),
          Theme("Agenda 2030", ("agenda 2030",)),
          Theme("Fairtrade City", ("fairtrade",)))


@pytest.mark.parametrize("title, text, expected", [
    ("Möte", "Parkslide sprids. Parkslidens bekämpning kostar.", ("Invasiva arter",)),
    ("Möte", "Vi nämnde lupin en gång.", ()),
    ("Invasiva arter i diken", "Inget mer.", ("Invasiva arter",)),
    ("Möte", "Fairtrade-diplomeringen och Fairtrade City.", ("Fairtrade City",)),
    ("Möte", "invasiva arterna och invasiva  arter", ("Invasiva arter",)),
    ("Möte", "lupinerna, lupiner", ("Invasiva arter",)),
])
def test_infer_themes(title, text, expected):
    assert infer_themes(THEMES, title, text) == expected


def _themes_by_findall(themes, title, text):
    """The inference as it was: one findall over the whole text per keyword (3.5 s a MB)."""
    import re

    def pattern(keyword):
        return re.compile(r"(?<!\w)" + r"\s+".join(re.escape(w) for w in keyword.split()) + r"\w*", re.I)

    chosen = []
    for theme in themes:
        hits = 0
        for kw in {theme.name.lower(), *theme.keywords}:
            if pattern(kw).search(title):
                hits = 2
                break
            hits += len(pattern(kw).findall(text))
        if hits >= 2:
            chosen.append(theme.name)
    return tuple(chosen)


SHARED = (Theme("Vatten", ("vatten", "våtmark", "våtmarker i kommunen")),
          Theme("Natur", ("våtmarker", "naturvård", "vatten")),  # a keyword of two themes
          Theme("Kedja", ("a a", "a")))  # a keyword overlapping itself and another


@pytest.mark.parametrize("title, text", [
    pytest.param("Möte", "våtmarker i kommunen och Våtmarkerna", id="a-keyword-inside-another"),
    pytest.param("Möte", "vatten", id="one-hit-counts-for-both-themes"),
    pytest.param("Möte", "vatten VATTEN", id="two-hits-count-for-both-themes"),
    pytest.param("Möte", "a a a", id="self-overlap"),
    pytest.param("Möte", "a a", id="one-two-word-match-and-two-words"),
    pytest.param("Möte", "ba a", id="word-start-only"),
    pytest.param("Om naturvård", "", id="title"),
    pytest.param("Möte", "våtmarker\ni\n  kommunen", id="keyword-across-lines"),
    pytest.param("Möte", "ſkog vatten naturvårdens", id="a-letter-re-folds"),
])
def test_one_scan_finds_what_one_findall_per_keyword_found(title, text):
    assert infer_themes(SHARED, title, text) == _themes_by_findall(SHARED, title, text)


def test_the_sample_archives_themes_are_what_they_were():
    """Every sample document's text and title, with the sample's own vocabulary: the same themes."""
    from pathlib import Path

    from indexer.config import load_archive_config
    from indexer.extract import extract

    archive = Path(__file__).resolve().parents[1] / "archive"
    themes = load_archive_config(archive).themes
    compared = 0
    for path in sorted(p for p in archive.rglob("*") if p.is_file() and p.suffix != ".toml"):
        extraction = extract(path)
        text = "\n".join(extraction.pages)
        for title in (extraction.title or "", extraction.heading or "", path.stem):
            assert infer_themes(themes, title, text) == _themes_by_findall(themes, title, text), (path, title)
        compared += 1
    assert compared > 50


def test_theme_inference_is_one_pass_and_bounded():
    """A MB of random words with keywords all through, the sample's 103 keywords: the 103 findall's took 2 s."""
    import random
    import time
    from pathlib import Path

    from indexer.config import load_archive_config
    from indexer.metadata import MAX_THEME_TEXT

    themes = load_archive_config(Path(__file__).resolve().parents[1] / "archive").themes
    rng = random.Random(13)
    words = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyzåäö") for _ in range(rng.randint(2, 9)))
             for _ in range(5000)] + ["parkslide", "agenda 2030", "lupinerna", "fairtrade"]
    text = " ".join(rng.choice(words) for _ in range(150_000))  # ~1 MB
    started = time.perf_counter()
    found = infer_themes(themes, "Möte", text)
    took = time.perf_counter() - started
    assert found == _themes_by_findall(themes, "Möte", text) and len(found) >= 3
    assert took < 0.5, f"{took:.2f} s for {len(text) / 1e6:.1f} MB"
    # Past MAX_THEME_TEXT nothing is looked at: a file cannot make the scan longer.
    assert infer_themes(THEMES, "Möte", " " * MAX_THEME_TEXT + "fairtrade fairtrade") == ()


MEETING = Meeting(folder="naturvard/2023-10-10-lerum", group="naturvard", date=date(2023, 10, 10),
                  title="Ekologisk landskapsplanering", place="Lerum", themes=("Agenda 2030",))


def test_sidecar_wins_over_everything():
    ex = _ex(title="Egen titel", pages=["Mötet 2019-09-05 om parkslide parkslide"], created=date(2020, 1, 1))
    side = Sidecar(title="Rätt titel", date=date(2021, 2, 3), type="follow-up", themes=("Fairtrade City",))
    doc, warnings = describe("naturvard/2023-10-10-lerum/x.docx", "naturvard", ex, side, MEETING, THEMES, TODAY)
    assert (doc.title, doc.date, doc.type, doc.themes) == (
        "Rätt titel", date(2021, 2, 3), "follow-up", ("Fairtrade City",))
    assert doc.sources == {"title": "sidecar", "date": "sidecar", "type": "sidecar", "themes": "sidecar"}
    assert warnings == []


def test_meeting_folder_then_text_then_properties():
    ex = _ex(pages=["Mötet 2019-09-05"], created=date(2020, 1, 1))
    doc, _ = describe("naturvard/2023-10-10-lerum/x.docx", "naturvard", ex, Sidecar(), MEETING, THEMES, TODAY)
    assert doc.date == date(2023, 10, 10) and doc.sources["date"] == "folder"
    assert doc.themes == ("Agenda 2030",) and doc.sources["themes"] == "meeting"
    doc, _ = describe("naturvard/ovrigt/x.docx", "naturvard", ex, Sidecar(), None, THEMES, TODAY)
    assert doc.date == date(2019, 9, 5) and doc.sources["date"] == "text"
    ex = _ex(pages=["inget datum"], created=date(2020, 1, 1))
    doc, _ = describe("naturvard/ovrigt/x.docx", "naturvard", ex, Sidecar(), None, THEMES, TODAY)
    assert doc.date == date(2020, 1, 1) and doc.sources["date"] == "properties"


def test_no_date_is_flagged():
    doc, warnings = describe("naturvard/ovrigt/x.txt", "naturvard", _ex("text", ["text"]), Sidecar(), None,
                             THEMES, TODAY)
    assert doc.date is None
    assert any("no date" in w for w in warnings)


@pytest.mark.parametrize("ex, expected, source", [
    (_ex(title="Minnesanteckningar nätverksmöte", heading="Rubrik ett"), "Minnesanteckningar nätverksmöte",
     "properties"),
    (_ex(title="Microsoft Word - protokoll_final.docx", heading="Protokoll från mötet"),
     "Protokoll från mötet", "heading"),
    (_ex(title=None, heading=None), "Nyckelbiotoper i skogen", "filename"),
    (None, "Nyckelbiotoper i skogen", "filename"),
])
def test_title_precedence(ex, expected, source):
    doc, _ = describe("naturvard/ovrigt/nyckelbiotoper_i-skogen.pdf", "naturvard", ex, Sidecar(), None,
                      THEMES, TODAY)
    assert doc.title == expected and doc.sources["title"] == source
