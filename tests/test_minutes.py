"""Minutes split into agenda items, decisions, action points and attendance, in the shapes real minutes have."""
from __future__ import annotations

import time

import docx
import pytest

from builders import docx_bytes, pdf_bytes
from indexer import Action, Person, parse_minutes
from indexer.extract import extract


def _items(parse):
    return [(i.number, i.title) for i in parse.items]


PARAGRAPHS = """\
Minnesanteckningar från Miljöstrategigruppen, 12 mars 2024

Närvarande: Anna Berg (Lerums kommun), Per Ek (Vara kommun), Eva Lind (Borås Stad)
Förhinder: Oskar Holm (Alingsås kommun)

§ 12 Uppföljning av miljömål
Gruppen gick igenom uppföljningen. Indikatorerna för 2023 är klara.
Beslut: Gruppen godkänner uppföljningen och lägger den till handlingarna.

§ 13 Grön infrastruktur
Länsstyrelsen presenterade handlingsplanen.
Åtgärd: Sammanställa kommunernas kartor. Ansvarig: Anna Berg

§ 14 Beslut om nästa möte
Gruppen beslutade att nästa möte hålls i Vara den 4 juni.
"""


def test_paragraph_numbered_items_with_decisions_actions_and_attendance():
    parse = parse_minutes((PARAGRAPHS,))
    assert _items(parse) == [("12", "Uppföljning av miljömål"), ("13", "Grön infrastruktur"),
                             ("14", "Beslut om nästa möte")]
    first, second, third = parse.items
    assert first.decision == "Gruppen godkänner uppföljningen och lägger den till handlingarna."
    assert "Indikatorerna för 2023" in first.text and first.page is None
    assert second.decision is None and second.actions == (Action("Sammanställa kommunernas kartor", "Anna Berg"),)
    assert third.decision == "Gruppen beslutade att nästa möte hålls i Vara den 4 juni."
    assert parse.attendees == (Person("Anna Berg", "Lerums kommun"), Person("Per Ek", "Vara kommun"),
                               Person("Eva Lind", "Borås Stad"))
    assert parse.absent == (Person("Oskar Holm", "Alingsås kommun"),)


def test_numbered_items_punkt_and_att_clauses():
    text = ("Punkt 1. Mötets öppnande\nOrdföranden öppnade mötet.\n\n"
            "Punkt 2. Budget 2025\nStyrelsen beslutar\n\natt anta budgeten för 2025,\n\natt uppdra åt kassören att"
            " redovisa utfallet i oktober.\n\nPunkt 3. Övriga frågor\nInga övriga frågor.\n")
    parse = parse_minutes((text,))
    assert _items(parse) == [("1", "Mötets öppnande"), ("2", "Budget 2025"), ("3", "Övriga frågor")]
    assert parse.items[1].decision.startswith("Styrelsen beslutar att anta budgeten för 2025,")
    assert "redovisa utfallet i oktober" in parse.items[1].decision
    assert parse.items[0].decision is None and parse.items[2].decision is None


def test_a_numbered_list_inside_an_item_is_not_an_agenda():
    text = ("1. Inledning\nVälkommen.\n\n2. Rapporter\nTre saker rapporterades:\n1. Budgeten\n2. Hemsidan\n"
            "3. Enkäten\n\n3. Diskussion\nSamtal om läget.\n\n4. Avslutning\nMötet avslutades.\n")
    assert _items(parse_minutes((text,))) == [("1", "Inledning"), ("2", "Rapporter"), ("3", "Diskussion"),
                                             ("4", "Avslutning")]


def test_times_dates_and_month_like_words_are_not_items():
    text = ("1. Inledning\nText.\n13.00 Lunch\n12. mars är nästa datum.\n2. Mariestads erfarenheter\nText.\n"
            "3. Beslut\nText.\n")
    assert _items(parse_minutes((text,))) == [("1", "Inledning"), ("2", "Mariestads erfarenheter"), ("3", "Beslut")]


def test_a_proposal_is_not_a_decision():
    text = ("§ 1 Budget\nFörslag till beslut: att budgeten antas.\n\nBeslut: Förslaget bifalles.\n\n"
            "§ 2 Hemsidan\nYrkande: att hemsidan görs om.\n\nFrågan diskuterades.\n")
    parse = parse_minutes((text,))
    assert parse.items[0].decision == "Förslaget bifalles."
    assert parse.items[1].decision is None


def test_an_item_called_beslut_lists_its_decisions():
    text = ("1. Inledning\nText.\n\n2. Rapport\nText.\n\n3. Beslut\n- Gruppen tar fram ett skolmaterial. "
            "Ansvarig: Camilla Persson.\n- Ett möte med regionen planeras.\n\nNästa möte: maj 2025.\n")
    item = parse_minutes((text,)).items[-1]
    assert item.decision == "Gruppen tar fram ett skolmaterial.; Ett möte med regionen planeras."
    assert item.actions == (Action("Gruppen tar fram ett skolmaterial", "Camilla Persson"),)


def test_markdown_headings_after_the_head_are_the_items():
    text = ("# Mötesprotokoll\n## Föreningen\n## 11 april 2017\n## Kallade\nAnna Berg, Per Ek\n"
            "## Närvarande\n- Anna Berg\n- Per Ek\n## Mötets öppnande\n12:15\n## Hemsidan\nNy version.\n"
            "### Design\nKlar.\n## Mötet avslutas\n12:50\n")
    parse = parse_minutes((text,))
    assert _items(parse) == [("", "Mötets öppnande"), ("", "Hemsidan"), ("", "Mötet avslutas")]
    assert parse.attendees == (Person("Anna Berg"), Person("Per Ek"))


def test_latex_sections_are_numbered_and_decision_environments_decide():
    text = ("\\documentclass{article}\n\\begin{document}\n\\begin{närvarande}\n\\medlem[Ordförande]{Anna Berg}{Ja}\n"
            "\\medlem[Kassör]{Per Ek}{Nej}\n\\end{närvarande}\n\\section{Öppnande}\nMötet öppnas.\n"
            "%\\section{Bortkommenterad}\n\\section{Formalia}\n\\subsection{Justerare}\n"
            "\\subsubsection*{Förslag}\n\\begin{attsatser}\n\\item Per Ek väljs till justerare\n\\end{attsatser}\n"
            "\\subsubsection*{Beslut}\n\\begin{attsatser}\n\\item förslaget bifalles\n\\end{attsatser}\n"
            "\\section{Avslutning}\n\\begin{beslut}\n\\item Nästa möte hålls i maj.\n\\end{beslut}\n\\end{document}\n")
    parse = parse_minutes((text,))
    assert _items(parse) == [("1", "Öppnande"), ("2", "Formalia"), ("3", "Avslutning")]
    assert parse.items[1].decision == "att förslaget bifalles"  # the proposal's attsats is not decided
    assert parse.items[2].decision == "Nästa möte hålls i maj."
    assert parse.attendees == (Person("Anna Berg", "Ordförande"),)
    assert parse.absent == (Person("Per Ek", "Kassör"),)


def test_docx_numbered_headings_and_attendance_table(tmp_path):
    d = docx.Document()
    d.add_heading("Minnesanteckningar", level=1)
    d.add_heading("Närvarande", level=2)
    rows = [["Namn", "Organisation"], ["Kristina Åhlén", "Lerums kommun"], ["Henrik Dahl", "Kungälvs kommun"]]
    table = d.add_table(rows=len(rows), cols=2)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    for level, text in ((2, "1. Inledning"), (0, "Ordföranden hälsade välkommen."), (2, "2. Invasiva arter"),
                        (0, "Länsstyrelsen berättade om parkslide."),
                        (0, "Nätverket beslutade att ta fram en gemensam karta."), (2, "3. Nästa möte"),
                        (0, "Hålls i Mark i juni.")):
        d.add_heading(text, level=level) if level else d.add_paragraph(text)
    path = tmp_path / "minnesanteckningar.docx"
    d.save(path)
    e = extract(path)
    parse = parse_minutes(e.pages)
    assert _items(parse) == [("1", "Inledning"), ("2", "Invasiva arter"), ("3", "Nästa möte")]
    assert parse.items[1].decision == "Nätverket beslutade att ta fram en gemensam karta."
    assert parse.attendees == (Person("Kristina Åhlén", "Lerums kommun"), Person("Henrik Dahl", "Kungälvs kommun"))


def test_docx_table_agenda(tmp_path):
    path = tmp_path / "protokoll.docx"
    path.write_bytes(docx_bytes(
        ["Protokoll styrelsemöte", "Punkt | Vad | Ansvar"],
        table=[["1.", "Val av justerare", "Ordf."], ["2.", "Ekonomi", "Kassör"], ["3.", "Övrigt", ""]]))
    parse = parse_minutes(extract(path).pages)
    assert _items(parse) == [("1", "Val av justerare"), ("2", "Ekonomi"), ("3", "Övrigt")]


def test_pdf_items_carry_their_page(tmp_path):
    path = tmp_path / "protokoll.pdf"
    path.write_bytes(pdf_bytes([
        "Protokoll\nDeltagare: Anna Berg, Per Ek, Eva Lind\n§ 1 Mötets öppnande\nMötet öppnades.\n"
        "§ 2 Val av justerare\nPer Ek väljs till justerare.",
        "§ 3 Ekonomi\nKassören redovisade.\nBeslut: Rapporten läggs till handlingarna.\n§ 4 Avslutning\nSlut.",
    ]))
    e = extract(path)
    parse = parse_minutes(e.pages, paged=True)
    assert [(i.number, i.page) for i in parse.items] == [("1", 1), ("2", 1), ("3", 2), ("4", 2)]
    assert parse.items[1].decision == "Per Ek väljs till justerare."
    assert parse.items[2].decision == "Rapporten läggs till handlingarna."
    assert [p.name for p in parse.attendees] == ["Anna Berg", "Per Ek", "Eva Lind"]


def test_appendices_after_the_minutes_are_not_items():
    text = ("1. Öppnande\nText.\n2. Ekonomi\nText.\n3. Avslutning\nText.\n" + "Rad\n" * 10 +
            "Bilagor\n4. Bilagans rubrik\n5. Annan rubrik\n6. Tredje\n")
    assert [i.number for i in parse_minutes((text,)).items] == ["1", "2", "3"]


@pytest.mark.parametrize("text", [
    "", "   \n\n", "Bara en rad text utan struktur.", "Vi diskuterade läget och bestämde inget särskilt.\n" * 50,
    "1. En\n", "§§§§ ||| ### \\section{", "\x00\x01\x02 binärt skräp \ufffd",
])
def test_a_document_without_items_is_just_a_document(text):
    parse = parse_minutes((text,))
    assert parse.items == ()


def test_hostile_text_is_parsed_in_bounded_time():
    cases = [
        "a " * 1_500_000,
        "".join(f"{i % 99 + 1}. Rubrik nummer\n" for i in range(200_000)),
        "Närvarande:\n" * 200_000,
        "".join(f"§ {i} Rubrik\nMötet beslutar att " + "x " * 50 + "\n" for i in range(50_000)),
        "Mötet beslutar " * 200_000,
        "väljs " * 300_000,
        "Beslut:\n" + "att gör\n" * 300_000,
        "\\documentclass{x}\\begin{document}" + "\\section{A}" * 100_000,
    ]
    for text in cases:
        start = time.monotonic()
        parse = parse_minutes((text,))
        assert time.monotonic() - start < 15
        assert len(parse.items) <= 300 and len(parse.attendees) <= 300
