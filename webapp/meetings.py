"""A meeting as its page and its JSON show it, and decisions as the timeline and the list show them."""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date

from markupsafe import Markup, escape

from indexer import AgendaItem, Decision, Document, MeetingRecord, Person, find_municipalities

from . import formatting
from .history import TypeGroup, by_type

_FOLDER_DATE = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})")
_ANCHOR_UNSAFE = re.compile(r"[^0-9a-zåäö]+")
# Swedish alphabetical order: å, ä, ö after z (Python's code points put ä before å).
_SV_ORDER = str.maketrans({"å": "{", "ä": "|", "ö": "}"})


def sv_key(text: str) -> str:
    return text.casefold().translate(_SV_ORDER)


def folder_name(folder: str) -> str:
    """`naturvard/2023-10-10-lerum` -> `2023-10-10-lerum`: the meeting's part of its URL."""
    return folder.rsplit("/", 1)[-1]


def folder_date(folder: str) -> date | None:
    """The date a meeting folder is named by (`YYYY-MM-DD[-place]`), or None."""
    m = _FOLDER_DATE.match(folder_name(folder))
    try:
        return date(int(m[1]), int(m[2]), int(m[3])) if m else None
    except ValueError:
        return None


def item_anchor(number: str) -> str:
    """The id the document page gives the paragraph item `number` starts at: `punkt-12`, `punkt-4-2`."""
    return "punkt-" + (_ANCHOR_UNSAFE.sub("-", number.casefold()).strip("-") or "x")


def item_fragment(number: str | None, page: int | None) -> str | None:
    """Where in its document page an item is: its paragraph (the page marks it), else its page."""
    if number:
        return item_anchor(number)
    return f"sida-{page}" if page else None


def _plain(text: str) -> str:
    return " ".join(text.split()).casefold()


# An item's heading is looked for among this many paragraphs after the previous item's,
# so a document of many items and paragraphs costs items x window, not items x paragraphs.
ITEM_WINDOW = 400
_HEAD = 200  # characters of a paragraph that can hold an item's number and title


def _heads(head: str, item: AgendaItem) -> bool:
    """Whether a paragraph (its first characters, plain) is where `item` starts: its number, then its title."""
    number, title = _plain(item.number), _plain(item.title)[:_HEAD]
    return number in head[:len(number) + 12] and title in head[:len(number) + len(title) + 16]


def mark_items(pages: list[dict], items: tuple[AgendaItem, ...]) -> None:
    """Give the paragraph each item starts at its anchor (`anchors` of the document page's paragraphs).

    Items are looked for in order, each after the one before, so an agenda listed at the
    top does not take the items' places; where the item's own text follows a heading,
    that heading wins. An item not found is anchored at its page's first paragraph, when
    it has a page.
    """
    flat = [(page["number"], para) for page in pages for para in page["paragraphs"]]
    heads = [_plain(para["text"][:_HEAD * 2])[:_HEAD] for _, para in flat]
    first_of_page: dict[int, int] = {}
    for k, (n, _) in enumerate(flat):
        first_of_page.setdefault(n, k)
    cursor, used = 0, set()
    for item in items:
        anchor = item_anchor(item.number)
        if anchor in used:  # a number twice (numbering that restarts): the first keeps it
            continue
        found = [k for k in range(cursor, min(len(flat), cursor + ITEM_WINDOW))
                 if (item.page is None or flat[k][0] == item.page) and _heads(heads[k], item)]
        body = _plain(item.text[:800])[:400]
        followed = [k for k in found if body and k + 1 < len(flat) and heads[k + 1][:40]
                    and heads[k + 1][:40] in body]
        target = (followed or found or [None])[0]
        if target is not None:
            cursor = target + 1
        elif item.page is not None:
            target = first_of_page.get(item.page)
        if target is not None:
            flat[target][1]["anchors"].append(anchor)
            used.add(anchor)


@dataclass(frozen=True)
class AttendeeGroup:
    municipality: str | None  # None: people whose organisation names no municipality
    people: tuple[Person, ...]


def attendees_by_municipality(people: tuple[Person, ...]) -> tuple[AttendeeGroup, ...]:
    """People under the municipality their organisation names, in Swedish order; the others last."""
    groups: dict[str | None, list[Person]] = {}
    for p in people:
        found = find_municipalities(p.organisation, field=True) if p.organisation else ()
        groups.setdefault(found[0] if found else None, []).append(p)
    named = sorted((k for k in groups if k is not None), key=sv_key)
    ordered = [*named, None] if None in groups else named
    return tuple(AttendeeGroup(k, tuple(sorted(groups[k], key=lambda p: sv_key(p.name)))) for k in ordered)


@dataclass(frozen=True)
class ItemsOfDocument:
    document: Document
    items: tuple[AgendaItem, ...]


@dataclass(frozen=True)
class MeetingPage:
    record: MeetingRecord
    by_type: tuple[TypeGroup, ...]
    items: tuple[ItemsOfDocument, ...]  # per minutes document, in the record's order
    attendees: tuple[AttendeeGroup, ...]
    decision_count: int


def meeting_page(record: MeetingRecord) -> MeetingPage:
    docs = {d.id: d for d in record.documents}
    items: dict[str, list[AgendaItem]] = {}
    for doc_id, item in record.items:
        if doc_id in docs:
            items.setdefault(doc_id, []).append(item)
    return MeetingPage(
        record=record, by_type=by_type(list(record.documents)),
        items=tuple(ItemsOfDocument(docs[i], tuple(found)) for i, found in items.items()),
        attendees=attendees_by_municipality(record.attendees),
        decision_count=sum(1 for _, item in record.items if item.decision))


def _person(p) -> dict:
    return {"name": p.name, "organisation": p.organisation}


def meeting_json(record: MeetingRecord) -> dict:
    """The JSON of /api/meetings/<group>/<folder>: exactly DESIGN.md's keys."""
    m = record.meeting
    return {
        "group": m.group,
        "folder": folder_name(m.folder),
        "date": m.date.isoformat() if m.date else None,
        "title": m.title,
        "place": m.place,
        "themes": list(m.themes),
        "speakers": [_person(s) for s in m.speakers],
        "attendees": [_person(p) for p in record.attendees],
        "municipalities": list(record.municipalities),
        "documents": [{"id": d.id, "title": d.title, "type": d.type} for d in record.documents],
        "items": [{"number": item.number, "title": item.title, "decision": item.decision, "document": doc_id,
                   "page": item.page} for doc_id, item in record.items],
    }


def decisions_by_meeting(decisions: tuple[Decision, ...]) -> dict[str, list[Decision]]:
    """Decisions under their meeting's folder, in the order given."""
    found: dict[str, list[Decision]] = {}
    for d in decisions:
        found.setdefault(d.meeting, []).append(d)
    return found


_BLOCK_START = re.compile(r"<(?:p|h[3-6]|li|td|th|pre|blockquote)\b[^>]*>")


def place_anchors(pages: list, doc: Document) -> list:
    """Give each agenda item an anchor in its page's HTML (reading.Page), inside the block its heading starts.

    The items are placed as mark_items places them among the page's plain paragraphs;
    the anchor then goes into the rendered block that holds the paragraph's first words,
    or at the top of the page when markup (a highlight, a table) hides them.
    """
    if not doc.items:
        return pages
    plain = [{"number": n, "paragraphs": [{"text": p, "anchors": []}
                                          for p in formatting.paragraphs(text, doc.format)]}
             for n, text in enumerate(doc.pages, 1)]
    mark_items(plain, doc.items)
    placed = []
    for page, found in zip(pages, plain):
        html = str(page.html)
        top, cursor = [], 0
        for para in found["paragraphs"]:
            for anchor in para["anchors"]:
                span = f'<span id="{anchor}" class="anchor"></span>'
                at = _block_with(html, para["text"], cursor)
                if at is None:
                    top.append(span)
                else:
                    html = html[:at] + span + html[at:]
                    cursor = at + len(span)
        placed.append(replace(page, html=Markup("".join(top) + html)))
    return placed + pages[len(placed):]


def _block_with(html: str, text: str, start: int) -> int | None:
    """Where, just inside its opening tag, the first block after `start` beginning with `text`'s first words starts."""
    words = text.split()
    for n in (6, 3, 1):
        head = str(escape(" ".join(words[:n]).lstrip("#*-0123456789.§ ")))
        if len(head) < 3:
            continue
        at = html.find(head, start)
        if at < 0:
            continue
        opening = None
        for m in _BLOCK_START.finditer(html, start, at):
            opening = m
        return opening.end() if opening else None
    return None

