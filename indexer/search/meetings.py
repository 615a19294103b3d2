"""Meetings and decisions assembled from indexed documents: a meeting's record, a group's decisions over time."""
from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import replace
from datetime import date

from ..lang import fold
from ..minutes import PAGED_FORMATS, minutes_pages, parse_minutes
from ..models import (DOCUMENT_TYPES, AgendaItem, Decision, DecisionList, Document, Extraction, Meeting, MeetingRecord,
                      Person)
from .fields import BadRequest

MAX_DECISIONS_LIMIT = 500
MAX_DECISIONS_OFFSET = 100_000
MAX_DECISION_QUERY = 500
MAX_QUERY_WORDS = 20
PARSED_REMEMBERED = 256  # documents whose items (with their text) are kept parsed


class ItemTexts:
    """Agenda items with their text, parsed again from the cached pages (the index stores them without)."""

    def __init__(self):
        self._parsed: OrderedDict[str, tuple[AgendaItem, ...]] = OrderedDict()
        self._lock = threading.Lock()

    def items(self, doc: Document, sha: str, text: Extraction | None) -> tuple[AgendaItem, ...]:
        if not doc.items:
            return ()
        with self._lock:
            found = self._parsed.get(sha)
            if found is not None:
                self._parsed.move_to_end(sha)
        if found is None:
            pages = minutes_pages(doc.format, text.pages, text.layout) if text else ()
            found = parse_minutes(pages, paged=doc.format in PAGED_FORMATS).items
            with self._lock:
                self._parsed[sha] = found
                while len(self._parsed) > PARSED_REMEMBERED:
                    self._parsed.popitem(last=False)
        # The stored items are the index's word; the parse only adds their text (the same
        # parser, so the same items, unless the cache lost the text).
        if [(i.number, i.title) for i in found] != [(i.number, i.title) for i in doc.items]:
            return doc.items
        return found


def _type_order(doc: Document) -> tuple[int, str]:
    return (DOCUMENT_TYPES.index(doc.type) if doc.type in DOCUMENT_TYPES else len(DOCUMENT_TYPES), doc.id)


def meeting_record(folder: str, docs: list[Document], group_meetings: list[Meeting],
                   meeting: Meeting | None = None) -> MeetingRecord | None:
    """The record of meeting `folder` from its documents (items with text already) and its group's meetings."""
    mine = sorted((d for d in docs if d.meeting and d.meeting.folder == folder), key=_type_order)
    if meeting is None:
        if not mine:
            return None
        meeting = mine[0].meeting
    items = tuple((d.id, item) for d in mine for item in d.items)
    people: dict[str, Person] = {}
    for d in mine:
        for p in d.attendees:
            key = fold(p.name)
            if key not in people or (not people[key].organisation and p.organisation):
                people[key] = p
    municipalities = tuple(dict.fromkeys(m for d in mine for m in d.municipalities))
    dated = sorted({m.folder: m for m in group_meetings if m.date}.values(), key=lambda m: (m.date, m.folder))
    folders = [m.folder for m in dated]
    previous = following = None
    if folder in folders:
        at = folders.index(folder)
        previous = folders[at - 1] if at > 0 else None
        following = folders[at + 1] if at + 1 < len(folders) else None
    return MeetingRecord(meeting=meeting, documents=tuple(mine), items=items, attendees=tuple(people.values()),
                         municipalities=municipalities, previous=previous, next=following)


def check_decision_request(query: str, date_from: date | None, date_to: date | None, limit: int, offset: int) -> None:
    if not 1 <= limit <= MAX_DECISIONS_LIMIT:
        raise BadRequest(f"limit must be between 1 and {MAX_DECISIONS_LIMIT}")
    if not 0 <= offset <= MAX_DECISIONS_OFFSET:
        raise BadRequest(f"offset must be between 0 and {MAX_DECISIONS_OFFSET}")
    if len(query or "") > MAX_DECISION_QUERY:
        raise BadRequest(f"the query is longer than {MAX_DECISION_QUERY} characters")
    if date_from and date_to and date_from > date_to:
        raise BadRequest("the from date is after the to date")


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", fold(text))


def decision_list(docs: list[Document], query: str, date_from: date | None, date_to: date | None,
                  limit: int, offset: int) -> DecisionList:
    """Every decision of `docs`' agenda items, newest first, that has each query word (a word's start, any case, å/ä/ö or not)."""
    wanted = _words(query)[:MAX_QUERY_WORDS]
    found = []
    for d in docs:
        if date_from and (d.date is None or d.date < date_from):
            continue
        if date_to and (d.date is None or d.date > date_to):
            continue
        for n, item in enumerate(d.items):
            if not item.decision:
                continue
            if wanted:
                words = _words(f"{item.title} {item.decision}")
                if not all(any(w.startswith(q) for w in words) for q in wanted):
                    continue
            found.append((d, n, Decision(meeting=d.meeting.folder if d.meeting else "", date=d.date,
                                         item=(item.number, item.title), text=item.decision, document=d.id,
                                         page=item.page)))
    # Newest first, undated last; within a document, in the order of its items.
    found.sort(key=lambda t: (t[0].date is None, -(t[0].date.toordinal() if t[0].date else 0), t[0].id, t[1]))
    return DecisionList(total=len(found), decisions=tuple(dec for _, _, dec in found[offset:offset + limit]))


def with_items(doc: Document, items: tuple[AgendaItem, ...]) -> Document:
    return replace(doc, items=items) if items is not doc.items else doc
