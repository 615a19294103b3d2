"""The audit log as coordinators read it: names and titles, links, filters by kind and person, pages, undo."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from flask import url_for

from indexer import Change, list_meetings, recent_changes, undo_problem

from . import formatting

PER_PAGE = 50
SCAN_LIMIT = 20_000  # lines of the log read for a page: the most an undo looks back too
MAX_PAGE = SCAN_LIMIT // PER_PAGE
MAX_WHO = 100
# ?typ= -> the actions it shows.
KINDS = {
    "uppladdningar": ("upload", "replace", "meeting", "import"),
    "rattelser": ("edit", "meeting-edit"),
    "flyttar": ("move",),
    "borttagningar": ("remove", "trash-empty"),
    "aterstallningar": ("restore",),
    "angranden": ("undo",),
    "konton": ("user-add", "user-passwd", "user-remove"),
}
KIND_LABELS = {"uppladdningar": "Uppladdningar och nya möten", "rattelser": "Rättelser", "flyttar": "Flyttar",
               "borttagningar": "Borttagningar", "aterstallningar": "Återställningar", "angranden": "Ångrade ändringar",
               "konton": "Konton"}
ACTION_LABELS = {
    "upload": "Laddade upp", "replace": "Ersatte", "meeting": "Skapade mötet", "edit": "Rättade uppgifter om",
    "meeting-edit": "Rättade uppgifter om mötet",
    "move": "Flyttade", "remove": "Tog bort", "restore": "Återställde", "import": "Importerade",
    "trash-empty": "Raderade för gott ur papperskorgen", "user-add": "Skapade kontot",
    "user-passwd": "Bytte lösenord för", "user-remove": "Tog bort kontot", "undo": "Ångrade",
}
UNDO_LABELS = {"edit": "rättelsen", "move": "flytten", "upload": "uppladdningen", "replace": "uppladdningen",
               "meeting": "uppladdningen"}
FIELD_LABELS = {"title": "titel", "date": "datum", "type": "typ", "themes": "teman", "place": "plats",
                "speakers": "talare"}
_MEETING = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:-(.+))?$")


class ParamError(ValueError):
    """A /changes parameter out of bounds (400)."""


@dataclass(frozen=True)
class Filters:
    kind: str = ""
    who: str = ""
    page: int = 1


def filters(args) -> Filters:
    """?typ=, ?vem=, ?sida= checked: an unknown kind, an overlong name or a page out of range is a ParamError."""
    kind = args.get("typ", "")
    if kind and kind not in KINDS:
        raise ParamError(f"Okänd sorts ändring ”{kind[:40]}”. Välj bland: {', '.join(KINDS)}.")
    who = args.get("vem", "")
    if len(who) > MAX_WHO:
        raise ParamError(f"Namnet är för långt (högst {MAX_WHO} tecken).")
    page_text = args.get("sida", "1")
    if not (page_text.isascii() and page_text.isdigit()) or not 1 <= int(page_text) <= MAX_PAGE:
        raise ParamError(f"Sidan måste vara ett heltal från 1 till {MAX_PAGE}.")
    return Filters(kind, who, int(page_text))


@dataclass
class Named:
    text: str
    url: str | None = None
    note: str = ""  # e.g. where a document is, its meeting


@dataclass
class Entry:
    change: Change
    action: str
    subject: Named | None
    target: Named | None = None  # a move's new place
    details: list[str] = field(default_factory=list)
    undo_label: str | None = None  # "Ångra flytten": the change may be undone
    undo_refused: str | None = None  # why it may not, for a kind that can be undone


@dataclass
class Page:
    entries: list[Entry]
    total: int
    page: int
    pages: int
    people: list[str]
    filters: Filters


class Names:
    """Names for the ids and folders of the log, looked up once per page."""

    def __init__(self, index, archive):
        self.index, self.archive, self.config = index, archive, index.config
        self._meetings: dict[str, dict] = {}

    def group(self, slug: str) -> str:
        g = self.config.group(slug)
        return g.name if g else slug

    def meeting(self, folder: str) -> Named:
        """'Naturvårdsgruppen, 4 mars 2026, Alingsås' for 'naturvard/2026-03-04-alingsas'."""
        group, _, name = folder.partition("/")
        if group not in self._meetings:
            self._meetings[group] = {m.folder: m for m in list_meetings(self.archive, group)}
        m = self._meetings[group].get(folder)
        parts = [self.group(group)]
        if name in ("ovrigt", "osorterat"):
            return Named(f"{parts[0]}, {'Övrigt' if name == 'ovrigt' else 'Osorterat'}",
                         url_for("web.group", slug=group))
        if m is not None:
            parts.append(formatting.sv_date(m.date))
            if m.place:
                parts.append(m.place)
            return Named(", ".join(parts), url_for("web.meeting", group=group, folder=name))
        found = _MEETING.match(name)
        if found:
            try:
                parts.append(formatting.sv_date(date(int(found[1]), int(found[2]), int(found[3]))))
            except ValueError:
                parts.append(name)
        else:
            parts.append(name)
        return Named(", ".join(parts), note="finns inte längre")

    def document(self, doc_id: str | None) -> Named | None:
        if not doc_id:
            return None
        doc = self.index.document(doc_id, with_text=False)
        folder, _, filename = doc_id.rpartition("/")
        where = self.meeting(folder).text if folder else ""
        if doc is not None:
            return Named(doc.title, url_for("web.document", doc_id=doc.id), note=where)
        return Named(filename, note=f"{where} · finns inte längre här" if where else "finns inte längre här")


def _value(x, missing: str) -> str:
    if x is None:
        return missing
    if isinstance(x, str):
        return formatting.sv_date(date.fromisoformat(x)) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", x) else \
            formatting.type_label(x)
    return ", ".join(x) or "inga"


def _entry(c: Change, names: Names, log: list[Change], positions: dict[str, int], batches: set[str]) -> Entry:
    action = ACTION_LABELS.get(c.what, c.what)
    e = Entry(c, action, None)
    if c.what in ("meeting", "meeting-edit") and c.file:
        e.subject = names.meeting(c.file)
    elif c.what.startswith("user-"):
        e.subject = Named(c.file or "")
    elif c.what == "undo":
        what = c.detail.get("what", "")
        e.action = f"Ångrade {UNDO_LABELS.get(what, 'ändringen')} av"
        e.subject = names.document(c.to or c.file) if what == "move" else \
            (names.meeting(c.file) if what == "meeting" else names.document(c.file))
    else:
        e.subject = names.document(c.file)
    if c.what == "move" and c.to:
        e.target = names.meeting(c.to.rpartition("/")[0])
        if e.subject is not None and e.subject.url is None:
            e.subject = names.document(c.to)
            e.subject.note = "från " + names.meeting(c.file.rpartition("/")[0]).text
    for f, pair in (c.detail.get("changed") or {}).items():
        if isinstance(pair, list) and len(pair) == 2:
            e.details.append(f"{FIELD_LABELS.get(f, f)}: {_value(pair[0], '–')} → {_value(pair[1], '(framräknas)')}")
    if c.detail.get("renamed"):
        e.details.append(f"fick namnet {c.detail['renamed']}")
    batch = c.detail.get("batch") if c.what in ("upload", "replace", "meeting") else None
    if batch and batch in batches:
        e.details.append("samma uppladdning som ovan")  # one undo button per batch: the first shown
    elif c.what in UNDO_LABELS:
        if batch:
            batches.add(batch)
        problem = undo_problem(c, log, positions)
        if problem is None:
            e.undo_label = f"Ångra {UNDO_LABELS[c.what]}"
        else:
            e.undo_refused = problem
    return e


def page(index, archive, f: Filters) -> Page:
    log = recent_changes(archive, SCAN_LIMIT)
    people = sorted({c.who for c in log if c.who}, key=str.lower)
    kinds = KINDS.get(f.kind)
    shown = [c for c in log if (kinds is None or c.what in kinds) and (not f.who or c.who == f.who)]
    pages = max(1, -(-len(shown) // PER_PAGE))
    names = Names(index, archive)
    start = (f.page - 1) * PER_PAGE
    positions = {c.id: i for i, c in enumerate(log)}
    batches: set[str] = set()
    return Page([_entry(c, names, log, positions, batches) for c in shown[start:start + PER_PAGE]], len(shown),
                f.page, pages, people, f)
