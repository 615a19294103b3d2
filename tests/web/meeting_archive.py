"""An archive of three meetings of one group with minutes in the shapes the web shows: items, decisions, attendees."""
from __future__ import annotations

from coord import NAME, PASSWORD
from tiny import TinyArchive

from webapp import create_app
from webapp.accounts import Accounts, users_file

LERUM = "naturvard/2023-10-10-lerum"
BORAS = "naturvard/2023-05-04-boras"
LATER = "naturvard/2024-02-01"
MINUTES = f"{LERUM}/minnesanteckningar.txt"
SLIDES = f"{LERUM}/presentation-skogsstyrelsen.txt"

LERUM_MINUTES = """\
Minnesanteckningar Naturvårdsgruppen 10 oktober 2023

Närvarande: Anna Berg, Lerums kommun; Per Ek, Alingsås kommun; Eva Lind, Länsstyrelsen

§ 1 Mötets öppnande
Ordföranden hälsade alla välkomna.

§ 2 Grön infrastruktur
Skogsstyrelsen presenterade arbetet med grön infrastruktur i Lerum.
Beslut: Gruppen tar fram en gemensam handlingsplan för grön infrastruktur.

§ 3 Invasiva arter
Parkslide och lupin sprider sig längs vägarna.
Beslut: Kommunerna inventerar parkslide under våren.
Åtgärd: Sammanställa inventeringen. Ansvarig: Per Ek

§ 4 Nästa möte
Nästa möte hålls i Borås.
"""
BORAS_MINUTES = """\
Minnesanteckningar Naturvårdsgruppen 4 maj 2023

§ 1 Ängar och betesmarker
Borås berättade om sina slåtterängar.
Beslut: Gruppen besöker en slåtteräng i augusti.

§ 2 Övriga frågor
Inga övriga frågor.
"""
LATER_MINUTES = """\
Minnesanteckningar 1 februari 2024

§ 1 Uppföljning
Handlingsplanen för grön infrastruktur följdes upp.
Beslut: Handlingsplanen för grön infrastruktur antas.

§ 2 Mötets avslutande
Ordföranden tackade alla.
"""
STRATEGY_MINUTES = """\
Anteckningar 5 maj 2022

1. Mötets öppnande
Ordföranden öppnade mötet.

2. Agenda 2030
Vi gick igenom de globala målen.
Beslut: Vi följer upp målen.

3. Nästa möte
Hösten 2022.
"""




def build_meetings(tmp_path):
    """(the TinyArchive, a Flask app over it) with a coordinator account NAME/PASSWORD."""
    tiny = TinyArchive(tmp_path)
    tiny.write(MINUTES, LERUM_MINUTES)
    tiny.write(SLIDES, "Presentation: grön infrastruktur och skogens värden.")
    tiny.write(f"{LERUM}/meeting.toml", 'title = "Grön infrastruktur"\nthemes = ["Grön infrastruktur"]\n\n'
                                        '[[speakers]]\nname = "Karin Sjö"\norganisation = "Skogsstyrelsen"\n')
    tiny.write(f"{BORAS}/minnesanteckningar.txt", BORAS_MINUTES)
    tiny.write(f"{LATER}/minnesanteckningar.txt", LATER_MINUTES)
    tiny.write("naturvard/ovrigt/lista.txt", "En lista utan möte.")
    tiny.write("miljostrategi/2022-05-05/anteckningar.txt", STRATEGY_MINUTES)
    tiny.index()
    Accounts(users_file(tiny.root)).add(NAME, PASSWORD)
    app = create_app({"TESTING": True, "ARKIV_ARCHIVE": str(tiny.root), "ARKIV_INDEX": str(tiny.index_dir)})
    return tiny, app
