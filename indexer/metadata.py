"""Decide a document's date, type, themes and title by DESIGN.md's precedence table."""
from __future__ import annotations

import re
from datetime import date
from pathlib import PurePosixPath

from .config import Sidecar
from .lang import MIN_PLAUSIBLE_YEAR, first_date_in_text, fold
from .models import Document, Extraction, Meeting, Theme

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
