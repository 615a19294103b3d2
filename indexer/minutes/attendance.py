"""Who attended: `Närvarande`/`Deltagare`/`Närvarolista` sections, lines and tables; `Förhinder`/`Frånvarande`."""
from __future__ import annotations

import re

from ..models import Person
from .markup import Line

MAX_PEOPLE = 300
MAX_BLOCK_LINES = 80
MAX_LISTS = 40  # attendance labels read in one document
_PRESENT = r"Närvarande(?:\s+(?:ledamöter|medlemmar|ordinarie|ersättare|styrelseledamöter))*|Deltagare|Deltog|" \
           r"Närvarolista|Närvaro|Närvarande personer|Medverkande|Deltagande"
_ABSENT = r"Förhinder|Anmält förhinder|Anmälda förhinder|Frånvarande(?:\s+ledamöter)?|Ej närvarande|Frånvaro|Avbud"
LABEL = re.compile(rf"^(?P<label>{_PRESENT}|{_ABSENT})\b\s*(?:\([^)]*\))?\s*[:.\-–]?\s*(?P<rest>.*)$", re.I)
_ABSENT_LABEL = re.compile(rf"^(?:{_ABSENT})", re.I)
# A line that ends the list: another field of the minutes' head, or running text.
_OTHER_FIELD = re.compile(r"^(?:§|(?:Datum|Tid|Plats|Justerare|Justering|Ordförande|Sekreterare|Protokollförare|"
                          r"Mötesordförande|Mötessekreterare|Kallade|Övriga|Dagordning|Föredragningslista|Mötet|"
                          r"Justeras|Underskrift|Vid protokollet|Närvarande|Punkt|Paragraf)\b)", re.I)
_BULLET = re.compile(r"^[-*•●–]\s")
_HEADER_CELLS = {"namn", "name", "organisation", "kommun", "roll", "funktion", "närvarande", "deltagare",
                 "organisation/kommun", "kommun/organisation", "förvaltning", "titel", "närvaro", "ja/nej"}
_YES = {"ja", "x", "närvarande", "yes", "✓", "✔"}
_NO = {"nej", "no", "frånvarande", "förhinder", "-", "–"}
_NAME = re.compile(r"^[A-ZÅÄÖÉÜ][\w'’.\-]*(?:\s+(?:[A-ZÅÄÖÉÜ][\w'’.\-]*|af|von|van|de|\"[^\"]+\"))*$")
_RUN_TOGETHER = re.compile(r"^(?P<name>[A-ZÅÄÖÉÜ][\w'’-]+(?:\s+[A-ZÅÄÖÉÜ][\w'’-]+){1,2}?)\s+(?P<org>"
                          r"[A-ZÅÄÖ][\w-]*\s+(?:kommun|stad|Stad)\b.*|Länsstyrelsen\b.*|Region\s.*|"
                          r"Västra Götalandsregionen\b.*|Energikontor\b.*|Göteborgsregionen\b.*)$")
_TYPST_PEOPLE = re.compile(r"#deltagere\((.*?)\n\)", re.S)


def _person(entry: str) -> Person | None:
    """'Anna Svensson, Lerums kommun', 'Anna Svensson (Borås Stad)', 'Anna Svensson – Vara' -> Person."""
    entry = " ".join(entry.replace("\t", " ").split()).strip(" ,;.•●-–*")
    if not entry:
        return None
    org = ""
    if "|" in entry:  # a table row: name, organisation, role…
        cells = [c.strip() for c in entry.split("|")]
        entry, org = cells[0], next((c for c in cells[1:] if c), "")
    m = None if org else re.match(r"^(.*?)\s*\((.*?)\)\s*$", entry)
    if m:
        entry, org = m[1], m[2]
        run = _RUN_TOGETHER.match(entry)
        if run:  # "Malin Hedlund Ulricehamns kommun (värd)"
            entry, org = run["name"], f"{run['org']} ({org})"
    elif not org:
        for sep in (" – ", " — ", " - ", ", ", ": "):
            if sep in entry:
                entry, org = (part.strip() for part in entry.split(sep, 1))
                break
        else:
            # A table whose cells the PDF's text ran together: "Malin Hedlund Ulricehamns kommun (värd)".
            m = _RUN_TOGETHER.match(entry)
            if m:
                entry, org = m["name"], m["org"]
    name = entry.strip(" ,;:")
    words = name.split()
    if len(words) >= 3 and re.fullmatch(r"[a-z0-9._]+", words[-1]):
        name = " ".join(words[:-1])  # a user id beside the name: "Anna Svensson annsv"
    if name.split()[:1] and name.split()[0].lower() in _HEADER_CELLS:
        return None
    if len(name.split()) < 2 and not org:
        return None  # one word alone is a first name at best, more often a page's running head
    if not name or len(name) > 60 or any(c.isdigit() for c in name) or len(name.split()) > 6:
        return None
    if name.lower() in _HEADER_CELLS or name.lower() in _YES | _NO:
        return None
    if not _NAME.match(name):
        return None
    return Person(name=name, organisation=" ".join(org.split()).strip(" ,;.")[:120])


def _entries(block: list[str]) -> list[str]:
    """The people of a list block: one per line when lines hold 'Name, Organisation', else split at commas."""
    lines = [ln for ln in block if ln]
    if not lines:
        return []
    text = " ".join(lines)
    if ";" in text:
        return text.split(";")
    if any("|" in ln for ln in lines) or sum(bool(_BULLET.match(ln)) for ln in lines) >= len(lines) / 2:
        return lines
    if len(lines) > 2 and sum("," not in ln for ln in lines) >= 0.8 * len(lines):
        return lines  # one name a line: a list or a table's rows
    per_line = len(lines) > 1 and all(ln.count(",") <= 1 for ln in lines) and \
        sum("," in ln or "(" in ln or " – " in ln for ln in lines) >= len(lines) / 2 and \
        not any(ln.endswith(",") or ln.startswith(",") for ln in lines)
    if per_line:
        return lines
    # A name wrapped over two lines ("Jens" / "Nilsson") continues; a comma starts the next.
    joined = " ".join(lines)
    # "…(Energikontor Väst). Föreläsare: …": another list begins.
    joined = re.split(r"\.\s+[A-ZÅÄÖ][\wåäö ]{2,30}:", joined)[0]
    # Commas inside parentheses belong to the organisation: "Mikael Forsberg (Trollhättans stad, värd)".
    return re.split(r",(?![^()]*\))|\s+och\s+(?![^()]*\))|\s+samt\s+(?![^()]*\))", joined)


def _block(lines: list[Line], start: int, rest: str) -> list[str]:
    """The lines of one attendance list, from the label's line on, until another field or running text."""
    block = [rest] if rest else []
    blank = 0
    for k in range(start + 1, min(len(lines), start + 1 + MAX_BLOCK_LINES)):
        ln = lines[k]
        text = ln.text
        if ln.level or LABEL.match(text) or _OTHER_FIELD.match(text) or \
                (block and "|" in text and "|" not in block[0]):
            break
        if not text:
            blank += 1
            if blank >= 2 or (block and not block[-1].endswith(",") and not _continues(lines, k)):
                break
            continue
        blank = 0
        listing = text.count(",") >= 3  # a paragraph of "Name (Organisation), …" is still the list
        if (len(text) > 120 and not listing) or re.match(r"^(?:§\s*)?\d{1,3}\s*[.)|]", text) or \
                (text.endswith(".") and len(text.split()) > 5 and not listing):
            break
        block.append(text)
    return block


def _continues(lines: list[Line], i: int) -> bool:
    """After the blank line `i`, the list goes on only if the next line starts with a comma (a PDF's broken list)."""
    nxt = next((ln.text for ln in lines[i + 1:i + 3] if ln.text), "")
    return nxt.startswith(",")


def _latex_people(lines: list[Line]) -> tuple[list[Person], list[Person]]:
    present, absent = [], []
    for ln in lines:
        if ln.text.startswith("\x01"):
            name, role, said = (ln.text[1:].split("\x02") + ["", ""])[:3]
            person = Person(" ".join(name.split()), " ".join(role.split()))
            (absent if said.strip().lower() in _NO else present).append(person)
    return present, absent


def _typst_people(pages: tuple[str, ...]) -> tuple[list[Person], list[Person]]:
    present, absent = [], []
    for page in pages:
        for m in _TYPST_PEOPLE.finditer(page):
            cells = re.findall(r"\[([^\[\]]*)\]", m[1])
            for name, said in zip(cells[::2], cells[1::2]):
                name = " ".join(name.replace("\\", " ").split())
                if name:
                    (absent if said.strip().lower() in _NO else present).append(Person(name))
    return present, absent


def attendance(lines: list[Line], pages: tuple[str, ...] = ()) -> tuple[tuple[Person, ...], tuple[Person, ...]]:
    """Return (present, absent) people from the attendance lists of a document's lines."""
    present, absent = _latex_people(lines)
    more_present, more_absent = _typst_people(pages)
    present += more_present
    absent += more_absent
    lists = 0
    for i, ln in enumerate(lines):
        m = LABEL.match(ln.text)
        if not m or len(present) + len(absent) >= MAX_PEOPLE or lists >= MAX_LISTS:
            continue
        lists += 1
        if not ln.level and m["rest"] and not re.match(r"^[:.\-–]|\s*$", ln.text[len(m["label"]):]) \
                and not ln.text[len(m["label"]):].startswith((":", " :")):
            # "Närvarande var alla utom…", "Deltagarna diskuterade": running text, not a list.
            if m["rest"][:1].islower():
                continue
        target = absent if _ABSENT_LABEL.match(m["label"]) else present
        for entry in _entries(_block(lines, i, m["rest"])):
            person = _person(entry)
            if person and person not in target:
                target.append(person)
    return tuple(dict.fromkeys(present))[:MAX_PEOPLE], tuple(dict.fromkeys(absent))[:MAX_PEOPLE]
