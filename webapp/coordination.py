"""What the coordinators' pages share: the index update after a change, meeting choices, form values."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from flask import flash

from indexer import OTHER_FOLDER, UNSORTED_FOLDER, IndexLocked, IndexSettings, Meeting, Speaker, list_meetings, \
    update_index

from . import formatting
from .archive import holder

# What extraction and indexing notice, as a coordinator is told.
WARNING_LABELS = {
    "no text (scanned?)": "ingen text – skannad?",
    "no text": "ingen text",
    "scanned: its text is read by OCR when it is saved": "inskannad – texten maskinläses (OCR) när filen sparas",
    "no date (set one in a sidecar)": "inget datum hittades – skriv in ett",
}
PROBLEM_LABELS = {
    "encrypted": "krypterad – texten kan inte läsas",
    "empty": "tom fil",
    "corrupt": "skadad – texten kan inte läsas",
    "too large": "för stor för att läsas",
    "timeout": "tog för lång tid att läsa",
    "too much memory": "krävde för mycket minne för att läsas",
    "unsupported format": "filformatet stöds inte",
}
FOLDER_LABELS = {OTHER_FOLDER: "Övrigt (inget särskilt möte)", UNSORTED_FOLDER: "Osorterat"}
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def warning_label(text: str) -> str:
    if text in WARNING_LABELS:
        return WARNING_LABELS[text]
    if text.startswith("partial"):
        return "en del av filen kunde inte läsas"
    if text.startswith("garbage text"):
        return "delar av texten ser trasiga ut"
    if text.startswith("no text (scanned; OCR found no text"):
        return "inskannad – maskinläsningen (OCR) hittade ingen text"
    if text.startswith("no text (scanned; OCR is turned off") or " not read (OCR is turned off" in text:
        return "inskannad – maskinläsningen (OCR) är avstängd, så texten lästes inte"
    if text.startswith("no text (scanned; OCR is not available") or " not read (OCR is not available" in text:
        return "inskannad – maskinläsning (OCR) finns inte på servern, så texten lästes inte"
    if text.startswith(("no text (scanned;", "OCR failed")):
        return "inskannad – maskinläsningen (OCR) misslyckades"
    return text


def problem_label(reason: str) -> str:
    return PROBLEM_LABELS.get(reason) or formatting.status_label(reason)


def one_line(text: str | None) -> str:
    """A form field's text as one line: runs of white space (line breaks too) become one space."""
    return " ".join((text or "").split())


def speaker_lines(text: str | None) -> list[Speaker]:
    """The speakers of a textarea, one a line as "name, organisation"; blank lines left out."""
    found = []
    for line in (text or "").splitlines():
        name, _, org = line.partition(",")
        if one_line(name) or one_line(org):
            found.append(Speaker(one_line(name), one_line(org)))
    return found


def speakers_text(speakers) -> str:
    """The textarea's text for `speakers`: what speaker_lines reads back."""
    return "\n".join(s.name + (f", {s.organisation}" if s.organisation else "") for s in speakers)


def parse_day(text: str) -> date | None:
    """YYYY-MM-DD (what a date input sends) or ValueError; empty is None."""
    text = (text or "").strip()
    if not text:
        return None
    if not _ISO.match(text):
        raise ValueError(text)
    return date.fromisoformat(text)


def reindex() -> bool:
    """Bring the index up to date after a change; False (and a note) when another writer holds it."""
    where = holder()
    try:
        update_index(IndexSettings(archive=where.archive, index_dir=where.index_dir, lock_timeout=30.0))
    except IndexLocked:
        flash("Ändringen är sparad i arkivet, men sökindexet uppdateras just nu av något annat. "
              "Den syns i sökningen när det är klart (eller efter nästa körning av arkiv index).", "warning")
        return False
    return True


@dataclass(frozen=True)
class MeetingChoice:
    value: str  # "group/folder"
    group: str
    label: str


def meeting_label(m: Meeting) -> str:
    parts = [formatting.sv_date(m.date)]
    if m.place:
        parts.append(m.place)
    if m.title:
        parts.append(m.title)
    return ", ".join(parts)


def meeting_choices(archive, groups) -> dict[str, list[MeetingChoice]]:
    """Each group's meetings, newest first, as options of a select."""
    return {g.slug: [MeetingChoice(m.folder, g.slug, meeting_label(m)) for m in list_meetings(archive, g.slug)]
            for g in groups}
