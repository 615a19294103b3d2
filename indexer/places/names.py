"""The municipality and region lists, and the rules that find their names in running text."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from ..lang import ascii_slug, fold

DATA = Path(__file__).with_name("data")
# Text looked at for names: a document names its municipalities early and often.
MAX_TEXT = 2_000_000
MAX_HOMOGRAPH_TRIES = 200  # a homograph seen this often without saying it is the place is the common word


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
def _forms() -> tuple[dict[str, list[tuple[str, ...]]], dict[tuple[str, ...], str]]:
    """Every written form by its first word: first word -> word sequences (longest first); sequence -> name."""
    canonical: dict[tuple[str, ...], str] = {}
    for name in (*MUNICIPALITIES, *REGIONS):
        for form in _variants(name):
            canonical.setdefault(tuple(form.split()), name)
    for form, name in _IRREGULAR.items():
        canonical[(form,)] = name
    by_first: dict[str, list[tuple[str, ...]]] = {}
    for words in canonical:
        by_first.setdefault(words[0], []).append(words)
    for forms in by_first.values():
        forms.sort(key=len, reverse=True)
    return by_first, canonical


# A word that could begin a name: capitalised, not inside a longer word or a hyphenated compound's tail.
_CAPITALISED = re.compile(r"(?<![\w-])[A-ZÅÄÖÉÜ][\w]*(?:-[A-ZÅÄÖÉÜ]?[\w]+)*")
_NEXT_WORD = re.compile(r"[ \t]+([\w-]+)")


def _match_at(text: str, m: re.Match, by_first, canonical) -> tuple[str, int, bool] | None:
    """(name, end, genitive) for a name that begins with the word `m`, the longest written form first."""
    word = m[0]
    candidates = []
    for first in (word, word[:-1] if word[-1:] in "sS" else None):
        if first and first in by_first:
            candidates += [(forms, first != word) for forms in by_first[first]]
    if not candidates:
        return None
    candidates.sort(key=lambda c: len(c[0]), reverse=True)
    for forms, genitive in candidates:
        end, ok = m.end(), True
        if len(forms) > 1:
            if genitive:
                continue  # only the last word of a name takes the genitive s
            for want in forms[1:]:
                nxt = _NEXT_WORD.match(text, end)
                if nxt is None or nxt[1] not in (want, want + "s", want + "S"):
                    ok = False
                    break
                end = nxt.end()
                genitive = nxt[1] != want
                if genitive and want is not forms[-1]:
                    ok = False
                    break
            if not ok:
                continue
        return canonical[forms], end, genitive
    return None


def _previous_word(text: str, start: int) -> tuple[str, str]:
    """The word before `start` on its line and the mark between them ("," or "" or "\\n")."""
    before = text[max(0, start - 40):start]
    m = re.search(r"(\w+)?([^\w]*)$", before)
    word, between = (m[1] or ""), m[2]
    if not word and len(before) < 40 and start - 40 <= 0:
        between = between or "^"
    return word, between


def _is_place(text: str, start: int, end: int, genitive: bool) -> bool:
    """Whether a homograph found at text[start:end] means the municipality."""
    if _ORGANISATION.match(text, end):
        return True
    if genitive:
        return False  # "Marks" and "Lunds" are places only as "Marks kommun", "Lunds kommun"
    word, between = _previous_word(text, start)
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
    by_first, canonical = _forms()
    if field:
        bare = re.sub(r"[ \t]+(?:kommun|stad|Stad|Kommun|KOMMUN|STAD)$", "", text.strip())
        for form in (bare, bare[:-1] if bare[-1:] in "sS" else None):
            if form and tuple(form.split()) in canonical:
                return (canonical[tuple(form.split())],)
    found: dict[str, None] = {}
    tries: dict[str, int] = {}
    settled: set[str] = set()  # words whose every further match is known to add nothing
    taken_until = 0  # the end of the last name found: "Gotland" in "Region Gotland" is the region's
    for m in _CAPITALISED.finditer(text):
        if m.start() < taken_until or m[0] in settled or (m[0] not in by_first and m[0][:-1] not in by_first):
            continue
        hit = _match_at(text, m, by_first, canonical)
        if hit is None:
            continue
        name, end, genitive = hit
        taken_until = end
        if name in found:
            if end == m.end():
                settled.add(m[0])  # a one-word name already found: its later mentions change nothing
            continue
        if _COUNTY.match(text, end) and name in MUNICIPALITIES:
            continue  # "Kalmar län", "Jönköpings län": the county, not the municipality
        if name in HOMOGRAPHS:
            if tries.get(name, 0) >= MAX_HOMOGRAPH_TRIES:
                settled.add(m[0])
                continue
            if not _is_place(text, m.start(), end, genitive):
                tries[name] = tries.get(name, 0) + 1
                continue
        found[name] = None
    return tuple(found)


@lru_cache(maxsize=1)
def _by_slug() -> dict[str, str]:
    return {ascii_slug(n, max_len=80): n for n in (*MUNICIPALITIES, *REGIONS)}


def place_name(folder_text: str) -> str | None:
    """The municipality or region a folder's place names ("boras" -> "Borås"), or None if none does."""
    if not folder_text:
        return None
    return _by_slug().get(ascii_slug(folder_text, max_len=80))
