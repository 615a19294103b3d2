"""Turn a Document into the Whoosh fields that index it, and back."""
from __future__ import annotations

import json
from datetime import date

from ..models import Action, AgendaItem, Document, Meeting, Person, Speaker

UNDATED_LAST_ASC = "~"  # sorts after any digit, so undated documents come last in "oldest"


def document_to_json(doc: Document) -> str:
    m = doc.meeting
    data = {
        "id": doc.id, "group": doc.group, "title": doc.title,
        "date": doc.date.isoformat() if doc.date else None, "type": doc.type,
        "themes": list(doc.themes), "format": doc.format, "status": doc.status, "size": doc.size,
        "page_count": doc.page_count, "sources": doc.sources,
        "meeting": None if m is None else {
            "folder": m.folder, "group": m.group, "date": m.date.isoformat() if m.date else None,
            "title": m.title, "place": m.place, "themes": list(m.themes),
            "speakers": [[s.name, s.organisation] for s in m.speakers],
        },
        # Items without their text: it is parsed again from the cached pages when shown.
        "items": [[i.number, i.title, i.page, i.decision, [[a.text, a.who] for a in i.actions]] for i in doc.items],
        "attendees": [[p.name, p.organisation] for p in doc.attendees],
        "absent": [[p.name, p.organisation] for p in doc.absent],
        "municipalities": list(doc.municipalities),
    }
    return json.dumps(data, ensure_ascii=False)


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def document_from_json(text: str, pages: tuple[str, ...] = ()) -> Document:
    d = json.loads(text)
    m = d["meeting"]
    meeting = None if m is None else Meeting(
        folder=m["folder"], group=m["group"], date=_day(m["date"]), title=m["title"], place=m["place"],
        themes=tuple(m["themes"]), speakers=tuple(Speaker(n, o) for n, o in m["speakers"]))
    return Document(
        id=d["id"], group=d["group"], title=d["title"], date=_day(d["date"]), type=d["type"],
        themes=tuple(d["themes"]), format=d["format"], meeting=meeting, status=d["status"],
        size=d["size"], page_count=d["page_count"], sources=d["sources"], pages=pages,
        items=tuple(AgendaItem(number=n, title=t, page=p, decision=dec, actions=tuple(Action(a, w) for a, w in acts))
                    for n, t, p, dec, acts in d.get("items", ())),
        attendees=tuple(Person(n, o) for n, o in d.get("attendees", ())),
        absent=tuple(Person(n, o) for n, o in d.get("absent", ())),
        municipalities=tuple(d.get("municipalities", ())))


def index_fields(doc: Document, sha256: str, pages: tuple[str, ...], names) -> dict:
    """Return the Whoosh field values for `doc`, for the fields in `names`."""
    text = "\n\n".join(pages)
    m = doc.meeting
    context = [*doc.themes, doc.filename.rsplit(".", 1)[0].replace("-", " ").replace("_", " ")]
    if m:
        context += [m.title, m.place, *(f"{s.name} {s.organisation}" for s in m.speakers)]
    context += [f"{p.name} {p.organisation}" for p in doc.attendees]
    day = doc.date.isoformat() if doc.date else ""
    fields = {
        "id": doc.id,
        "group": doc.group,
        "type": doc.type,
        "year": day[:4],
        "date_new": day,
        "date_old": day or UNDATED_LAST_ASC,
        "themes": ",".join(t.replace(",", " ") for t in doc.themes),
        "municipalities": ",".join(doc.municipalities),
        "title": doc.title,
        "content": text,
        "context": "\n".join(c for c in context if c),
        "spell": doc.title + "\n" + text,
        "parts": doc.title + "\n" + text,
        "doc": json.dumps({"sha256": sha256, "doc": document_to_json(doc)}),
    }
    return {k: v for k, v in fields.items() if k in names}


def stored_document(stored: dict, pages: tuple[str, ...] = ()) -> tuple[Document, str]:
    """Return (Document, content sha256) from a hit's stored fields."""
    outer = json.loads(stored["doc"])
    return document_from_json(outer["doc"], pages), outer["sha256"]
