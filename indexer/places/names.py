"""The municipality and region lists, and the rules that find their names in running text."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from ..lang import ascii_slug, fold

DATA = Path(__file__).with_name("data")
# Text looked at for names: a document names its municipalities early and often.
MAX_TEXT = 2_000_000


def _rows(filename: str) -> list[list[str]]:
    lines = (DATA / filename).read_text(encoding="utf-8").splitlines()
    rows = [ln.split("\t") for ln in lines if ln and not ln.startswith("#")]
    return rows[1:]  # the header


MUNICIPALITIES: tuple[str, ...] = tuple(r[1] for r in _rows("kommuner.tsv"))
REGIONS: tuple[str, ...] = tuple(r[1] for r in _rows("regioner.tsv"))

# Names that are also Swedish words, first names or common surnames: found only where the
# text says it means the place ("Vara kommun", "i Lund", "Boden, Sala och Mora").
HOMOGRAPHS = frozenset({
    "Ale", "Berg", "Bjuv", "Boden", "Dorotea", "Eda", "Flen", "Habo", "Hjo", "Kil", "Kinda", "Klippan",
    "Köping", "Lund", "Malå", "Mark", "Mora", "Nora", "Norberg", "Orsa", "Sala", "Salem", "Sunne", "Säter",
    "Trosa", "Tranås", "Vara", "Vilhelmina", "Vindeln", "Ydre", "Åre",
})
# Words after a name that make it the organisation: "Lerums kommun", "Borås Stad".
_ORGANISATION = re.compile(r"[ \t]+(?:kommun|stad|kommuns|stads|KOMMUN|STAD|Stad|Kommun)(?!\w)")
_COUNTY = re.compile(r"[ \t]+(?:län|LÄN)(?!\w)")
# Words before a homograph that make it a place: "i Vara", "från Mark", "Boden, Sala och Mora".
_CUE_WORDS = frozenset({"i", "från", "till", "och", "samt", "eller", "mot", "för", "vid", "inom", "av", "med",
                        "kommun", "kommunen", "ort", "orten", "plats", "mötesplats", "I", "Från"})
_CUE_MARKS = frozenset(",;/|(\t&")
# Official genitive forms that are not name + s.
_IRREGULAR = {"Falu": "Falun"}


def _variants(name: str) -> set[str]:
    forms = {name, name.upper()}
    folded = fold(name)
    if folded != name.lower() and len(name) >= 5 and name not in HOMOGRAPHS:
        # What a keyboard or an OCR without å/ä/ö writes: "Boras", "Goteborg".
        forms.add(" ".join(w[:1].upper() + w[1:] for w in folded.split(" ")).replace("-b", "-B"))
    return forms


@lru_cache(maxsize=1)
def _pattern() -> tuple[re.Pattern, dict[str, str]]:
    canonical: dict[str, str] = {}
    for name in (*MUNICIPALITIES, *REGIONS):
        for form in _variants(name):
            canonical.setdefault(form, name)
    for form, name in _IRREGULAR.items():
        canonical[form] = name
    alternatives = sorted(canonical, key=len, reverse=True)
    body = "|".join(re.escape(a).replace(r"\ ", r"[ \t]+") for a in alternatives)
    # The name, then a genitive s (Lerums, Vänersborgs, LERUMS); never the start of a longer word.
    pattern = re.compile(rf"(?<![\w-])(?P<name>{body})(?P<gen>s|S)?(?![\w])")
    return pattern, canonical


def _canonical_form(form: str, canonical: dict[str, str]) -> str:
    return canonical.get(re.sub(r"[ \t]+", " ", form), "")


def _previous_word(text: str, start: int) -> tuple[str, str]:
    """The word before `start` on its line and the mark between them ("," or "" or "\\n")."""
    before = text[max(0, start - 40):start]
    m = re.search(r"(\w+)?([^\w]*)$", before)
    word, between = (m[1] or ""), m[2]
    if not word and len(before) < 40 and start - 40 <= 0:
        between = between or "^"
    return word, between


def _is_place(text: str, m: re.Match, name: str) -> bool:
    """Whether a homograph found at `m` means the municipality."""
    end = m.end()
    if _ORGANISATION.match(text, end):
        return True
    if m["gen"]:
        return False  # "Marks" and "Lunds" are places only as "Marks kommun", "Lunds kommun"
    word, between = _previous_word(text, m.start())
    stripped = between.replace(" ", "")
    if any(c in ".!?:\n" for c in stripped) or between == "^":
        return False  # a sentence or a line begins with it: "Vara med …", "Mark och vatten"
    if re.match(r"[ \t]+[A-ZÅÄÖ][a-zåäö]", text[end:end + 3]):
        return False  # a first name before a surname: "Mark Andersson"
    if stripped and set(stripped) <= _CUE_MARKS:
        return not (word[:1].isupper() and not stripped)
    return word in _CUE_WORDS


def find_municipalities(text: str, field: bool = False) -> tuple[str, ...]:
    """Return the municipalities and regions `text` names, canonical, in order of first mention.

    `field=True` is for a value that names an organisation on its own (an attendee's
    "Vara", a speaker's "Lunds kommun"): there a homograph is the place.
    """
    if not text:
        return ()
    text = text[:MAX_TEXT]
    pattern, canonical = _pattern()
    if field:
        bare = re.sub(r"(?:s)?[ \t]+(?:kommun|stad|Stad|Kommun|KOMMUN|STAD)$", "", text.strip())
        if bare in canonical or bare.rstrip("s") in canonical:
            return (canonical.get(bare) or canonical[bare.rstrip("s")],)
    found: dict[str, None] = {}
    taken_until = -1
    for m in pattern.finditer(text):
        if m.start() < taken_until:
            continue
        name = _canonical_form(m["name"], canonical)
        if not name:
            continue
        if _COUNTY.match(text, m.end()) and name in MUNICIPALITIES:
            continue  # "Kalmar län", "Jönköpings län": the county, not the municipality
        if text[max(0, m.start() - 7):m.start()].rstrip().endswith("Region") and name in MUNICIPALITIES:
            continue  # "Region Gotland" is found as the region itself
        if name in HOMOGRAPHS and not _is_place(text, m, name):
            continue
        found.setdefault(name)
        taken_until = m.end()
    return tuple(found)


@lru_cache(maxsize=1)
def _by_slug() -> dict[str, str]:
    return {ascii_slug(n, max_len=80): n for n in (*MUNICIPALITIES, *REGIONS)}


def place_name(folder_text: str) -> str | None:
    """The municipality or region a folder's place names ("boras" -> "Borås"), or None if none does."""
    if not folder_text:
        return None
    return _by_slug().get(ascii_slug(folder_text, max_len=80))
