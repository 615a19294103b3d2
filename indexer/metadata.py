"""Decide a document's date, type, themes and title by DESIGN.md's precedence table."""
from __future__ import annotations

import re
from datetime import date
from pathlib import PurePosixPath

from .config import Sidecar
from .models import Document, Extraction, Meeting, Theme

MONTHS = {
    "januari": 1, "jan": 1, "februari": 2, "feb": 2, "mars": 3, "mar": 3, "april": 4, "apr": 4,
    "maj": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7, "augusti": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9, "oktober": 10, "okt": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}
_MONTH_NAMES = "|".join(sorted(MONTHS, key=len, reverse=True))
_YEAR = r"((?:19|20)\d\d)"
_DATE_PATTERNS = (
    # 9–10 oktober 2023: a meeting over two days is dated by its first
    (re.compile(rf"(?<![\d/])(\d{{1,2}})(?::[ae])?\s*[–—-]\s*\d{{1,2}}(?::[ae])?\s+({_MONTH_NAMES})\.?\s+{_YEAR}(?!\d)",
                re.I),
     lambda m: (m[3], MONTHS[m[2].lower()], m[1])),
    # 30 september–1 oktober 2023
    (re.compile(rf"(?<![\d/])(\d{{1,2}})\s+({_MONTH_NAMES})\.?\s*[–—-]\s*\d{{1,2}}\s+(?:{_MONTH_NAMES})\.?\s+"
                rf"{_YEAR}(?!\d)", re.I),
     lambda m: (m[3], MONTHS[m[2].lower()], m[1])),
    # 2019-09-05
    (re.compile(r"(?<![\d-])((?:19|20)\d\d)-(\d\d)-(\d\d)(?![\d-])"), lambda m: (m[1], m[2], m[3])),
    # 14 mars 2018, 14:e mars 2018, 14 sept. 2018
    (re.compile(rf"(?<!\d)(\d{{1,2}})(?::[ae])?\s+({_MONTH_NAMES})\.?\s+((?:19|20)\d\d)(?!\d)", re.I),
     lambda m: (m[3], MONTHS[m[2].lower()], m[1])),
    # 5/9 2019 and 5/9-2019 (day/month, the Swedish order)
    (re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})[\s-]+((?:19|20)\d\d)(?!\d)"), lambda m: (m[3], m[2], m[1])),
)

# Types by the words people use, matched with å/ä/ö folded to a/a/o as in file names.
# "Agenda" alone is no type here: this network writes "Agenda 2030" everywhere.
TYPE_WORDS = (
    ("minutes", (r"minnesanteckning", r"protokoll", r"anteckning", r"motesanteckning")),
    ("follow-up", (r"uppfoljning", r"aterrapport")),
    ("agenda", (r"inbjudan", r"kallelse", r"dagordning", r"agenda(?![\s_-]*2030)")),
    ("presentation", (r"presentation", r"bilder", r"foredrag", r"slides")),
)
PLACEHOLDER_TITLES = re.compile(
    r"^(untitled|namnlös|namnlöst|document\d*|dokument\d*|presentation\d*|powerpoint-presentation|"
    r"powerpoint presentation|slide \d+|title|rubrik|ingen rubrik|microsoft (word|powerpoint|excel) - .*|"
    r"\S+\.(docx?|pptx?|pdf|odt|txt))$",
    re.I,
)
MIN_KEYWORD_HITS = 2
MIN_PLAUSIBLE_YEAR = 1990


def fold(text: str) -> str:
    """Lowercase and spell å/ä/ö as a/a/o, the way people write file names."""
    return text.lower().translate(str.maketrans("åäöé", "aaoe"))


# "vecka 41" / "v. 41" needs a year close by: "vecka 41 2023", "v. 41, 2023", "2023, vecka 41".
_WEEK = re.compile(r"(?<!\w)(?:vecka|v\.?)\s?(\d{1,2})(?!\d)", re.I)
_NEAR_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
WEEK_YEAR_REACH = 25


def _week_dates(text: str):
    for m in _WEEK.finditer(text):
        after = _NEAR_YEAR.search(text, m.end(), m.end() + WEEK_YEAR_REACH)
        before = [y for y in _NEAR_YEAR.finditer(text, max(0, m.start() - WEEK_YEAR_REACH), m.start())]
        year = after or (before[-1] if before else None)
        if year is None:
            continue
        try:
            yield m.start(), date.fromisocalendar(int(year[1]), int(m[1]), 1)
        except ValueError:
            continue


def first_date_in_text(text: str, today: date) -> date | None:
    """Return the earliest-placed valid Swedish date in `text` that is not after `today`.

    Week numbers count as the Monday of that week, when a year stands close by.
    """
    found: list[tuple[int, date]] = []
    for pos, day in _week_dates(text):
        if MIN_PLAUSIBLE_YEAR <= day.year and day <= today:
            found.append((pos, day))
            break
    for pattern, parts in _DATE_PATTERNS:
        for m in pattern.finditer(text):
            try:
                y, mo, d = (int(x) for x in parts(m))
                day = date(y, mo, d)
            except (ValueError, KeyError):
                continue
            if MIN_PLAUSIBLE_YEAR <= day.year and day <= today:
                found.append((m.start(), day))
                break
    return min(found)[1] if found else None


def infer_type(filename: str, extraction: Extraction | None) -> str:
    """Guess the document type from its file name, then its format, then its opening text."""
    stem = fold(PurePosixPath(filename).stem)
    for kind, words in TYPE_WORDS:
        if any(re.search(w, stem) for w in words):
            return kind
    if extraction is None:
        return "other"
    if extraction.format == "pptx":
        return "presentation"
    opening = fold(" ".join([extraction.title or "", extraction.heading or "", *extraction.pages[:1]])[:400])
    for kind, words in TYPE_WORDS:
        if any(re.search(rf"\b{w}", opening) for w in words):
            return kind
    return "other"


def _keyword_pattern(keyword: str) -> re.Pattern:
    # A keyword matches at a word start and may be inflected or begin a compound
    # ("invasiva arter" finds "invasiva arterna", "fairtrade" finds "Fairtrade-diplomeringen").
    words = [re.escape(w) for w in keyword.split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"\w*", re.I)


def infer_themes(themes: tuple[Theme, ...], title: str, text: str) -> tuple[str, ...]:
    """Return the vocabulary themes whose keywords occur clearly: in the title or repeatedly."""
    chosen = []
    for theme in themes:
        keywords = {theme.name.lower(), *theme.keywords}
        hits = 0
        for kw in keywords:
            pattern = _keyword_pattern(kw)
            if pattern.search(title):
                hits = MIN_KEYWORD_HITS
                break
            hits += len(pattern.findall(text))
        if hits >= MIN_KEYWORD_HITS:
            chosen.append(theme.name)
    return tuple(chosen)


def usable_title(title: str | None) -> str | None:
    """Return the title unless it is empty or a generator's placeholder."""
    if not title:
        return None
    title = " ".join(title.split())
    if len(title) < 2 or PLACEHOLDER_TITLES.match(title):
        return None
    return title[:300]


def title_from_filename(filename: str) -> str:
    stem = PurePosixPath(filename).stem
    words = re.sub(r"[_\-.]+", " ", stem).strip()
    return (words[:1].upper() + words[1:]) if words else filename


def describe(
    doc_id: str,
    group: str,
    extraction: Extraction | None,
    sidecar: Sidecar,
    meeting: Meeting | None,
    themes: tuple[Theme, ...],
    today: date,
    status: str = "ok",
    size: int = 0,
) -> tuple[Document, list[str]]:
    """Combine everything known about one file into its Document, plus warnings to report."""
    filename = doc_id.rsplit("/", 1)[-1]
    sources: dict[str, str] = {}
    warnings: list[str] = []
    text = "\n".join(extraction.pages) if extraction else ""

    if sidecar.title:
        title, sources["title"] = sidecar.title, "sidecar"
    elif extraction and usable_title(extraction.title):
        title, sources["title"] = usable_title(extraction.title), "properties"
    elif extraction and usable_title(extraction.heading):
        title, sources["title"] = usable_title(extraction.heading), "heading"
    else:
        title, sources["title"] = title_from_filename(filename), "filename"

    day: date | None
    if sidecar.date:
        day, sources["date"] = sidecar.date, "sidecar"
    elif meeting and meeting.date:
        day, sources["date"] = meeting.date, "folder"
    elif (found := first_date_in_text(text, today)) is not None:
        day, sources["date"] = found, "text"
    elif extraction and extraction.created and MIN_PLAUSIBLE_YEAR <= extraction.created.year \
            and extraction.created <= today:
        day, sources["date"] = extraction.created, "properties"
    else:
        day = None
        warnings.append("no date (set one in a sidecar)")

    if sidecar.type:
        kind, sources["type"] = sidecar.type, "sidecar"
    else:
        kind, sources["type"] = infer_type(filename, extraction), "inferred"

    if sidecar.themes is not None:
        doc_themes, sources["themes"] = sidecar.themes, "sidecar"
    elif meeting and meeting.themes:
        doc_themes, sources["themes"] = meeting.themes, "meeting"
    else:
        doc_themes, sources["themes"] = infer_themes(themes, title, text), "text"

    doc = Document(
        id=doc_id, group=group, title=title, date=day, type=kind, themes=tuple(doc_themes),
        format=extraction.format if extraction else "", meeting=meeting, status=status, size=size,
        page_count=len(extraction.pages) if extraction else 0, sources=sources,
    )
    return doc, warnings
