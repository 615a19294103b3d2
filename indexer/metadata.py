"""Decide a document's date, type, themes and title by DESIGN.md's precedence table."""
from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from pathlib import PurePosixPath

from .config import Sidecar
from .lang import MIN_PLAUSIBLE_YEAR, first_date_in_text, fold
from .minutes import PAGED_FORMATS, MinutesParse, minutes_pages, parse_minutes
from .models import Document, Extraction, Meeting, Theme
from .places import find_municipalities


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
# Themes are looked for in a document's first 4 million characters (some 2,000 pages): a
# theme that is clearly there shows before, and a file of random text cannot make the scan
# long (a 60 MiB document.xml took 189 s with one findall per keyword).
MAX_THEME_TEXT = 4_000_000


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


def _keyword_body(keyword: str) -> str:
    return r"\s+".join(re.escape(w) for w in keyword.split())


@lru_cache(maxsize=256)
def _keyword_pattern(keyword: str) -> re.Pattern:
    # A keyword matches at a word start and may be inflected or begin a compound
    # ("invasiva arter" finds "invasiva arterna", "fairtrade" finds "Fairtrade-diplomeringen").
    return re.compile(r"(?<!\w)" + _keyword_body(keyword) + r"\w*", re.I)


@lru_cache(maxsize=256)
def _any_keyword(keywords: frozenset[str]) -> re.Pattern:
    """Every word start where one of `keywords` begins, matching nothing itself: one scan finds all."""
    # Grouped by first letter, so that at a word start only the keywords beginning with its
    # letter are tried: twice as fast as one flat alternation of the sample's 103 keywords.
    by_first: dict[str, list[str]] = {}
    for kw in sorted(keywords):
        first, body = kw.split()[0][0], _keyword_body(kw)  # re.escape works a character at a time
        by_first.setdefault(first.lower(), []).append(body[len(re.escape(first)):])
    branches = [re.escape(first) + "(?:" + "|".join(rests) + ")" for first, rests in by_first.items()]
    return re.compile(r"(?<!\w)(?=" + "|".join(branches) + ")", re.I)


def infer_themes(themes: tuple[Theme, ...], title: str, text: str) -> tuple[str, ...]:
    """Return the vocabulary themes whose keywords occur clearly: in the title or repeatedly.

    A theme counts its keywords' matches (each keyword's own, never overlapping, as
    `findall` counts them) until it has MIN_KEYWORD_HITS. The text is scanned once for
    all keywords at once; a keyword whose themes are all decided leaves the scan, so the
    work is one pass however often a keyword repeats (it was one `findall` per keyword:
    90 passes, 3.5 s a MB), over at most MAX_THEME_TEXT characters.
    """
    text = text[:MAX_THEME_TEXT]
    hits = {theme.name: 0 for theme in themes}
    themes_of: dict[str, list[str]] = {}
    initial: dict[str, str] = {}
    for theme in themes:
        for kw in {theme.name.lower(), *theme.keywords}:
            if not kw.split():
                continue
            if _keyword_pattern(kw).search(title):
                hits[theme.name] = MIN_KEYWORD_HITS
            themes_of.setdefault(kw, []).append(theme.name)
            initial[kw] = kw.split()[0][0].lower()
    last_end: dict[str, int] = {}

    def undecided() -> frozenset[str]:
        return frozenset(kw for kw, names in themes_of.items() if any(hits[n] < MIN_KEYWORD_HITS for n in names))

    open_keywords = undecided()
    pos = 0
    while open_keywords:
        decided_one = False
        for found in _any_keyword(open_keywords).finditer(text, pos):
            pos = found.start()
            first = text[pos].lower()
            # re.I folds a few letters that lower() keeps apart (the long s): then try them all.
            candidates = [kw for kw in open_keywords if initial[kw] == first] or open_keywords
            for kw in candidates:
                if pos < last_end.get(kw, 0) or not (m := _keyword_pattern(kw).match(text, pos)):
                    continue
                last_end[kw] = m.end()
                for name in themes_of[kw]:
                    hits[name] += 1
                    decided_one |= hits[name] == MIN_KEYWORD_HITS
            if decided_one:
                break
        else:
            break  # the text is scanned to its end
        open_keywords = undecided()
    return tuple(theme.name for theme in themes if hits[theme.name] >= MIN_KEYWORD_HITS)


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
    file_day: date | None = None,
) -> tuple[Document, list[str]]:
    """Combine everything known about one file into its Document, plus warnings to report.

    `file_day` is the day the file was written into the archive: a creation date in the
    file's properties on that day is the scanner's or the upload's, so it is no date.
    """
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
            and extraction.created <= today and extraction.created != file_day:
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

    minutes = MinutesParse()
    if extraction and kind == "minutes":
        minutes = parse_minutes(minutes_pages(extraction.format, extraction.pages, extraction.layout),
                                paged=extraction.format in PAGED_FORMATS)
    doc = Document(
        id=doc_id, group=group, title=title, date=day, type=kind, themes=tuple(doc_themes),
        format=extraction.format if extraction else "", meeting=meeting, status=status, size=size,
        page_count=len(extraction.pages) if extraction else 0, sources=sources,
        items=minutes.items, attendees=minutes.attendees, absent=minutes.absent,
        municipalities=document_municipalities(title, text, meeting, minutes),
        ocr_pages=extraction.ocr_pages if extraction else (),
        ocr_confidence=extraction.ocr_confidence if extraction else None,
    )
    return doc, warnings


def document_municipalities(title: str, text: str, meeting: Meeting | None, minutes: MinutesParse) -> tuple[str, ...]:
    """The municipalities and regions a document names: its attendees', its meeting's, its text's."""
    found: dict[str, None] = {}
    fields = [p.organisation for p in (*minutes.attendees, *minutes.absent)]
    if meeting:
        fields += [meeting.place, *(s.organisation for s in meeting.speakers)]
    for value in fields:
        found.update(dict.fromkeys(find_municipalities(value, field=True)))
    found.update(dict.fromkeys(find_municipalities(title + "\n" + text)))
    return tuple(found)
