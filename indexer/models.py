"""Plain data that crosses the indexer's boundary."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

DOCUMENT_TYPES = ("minutes", "presentation", "follow-up", "agenda", "other")
# What the UI calls each type; a query's typ: and --type take these too.
TYPE_LABELS = {
    "minutes": "Minnesanteckningar",
    "presentation": "Presentation",
    "follow-up": "Uppföljning",
    "agenda": "Inbjudan/dagordning",
    "other": "Övrigt",
}
SORTS = ("relevance", "newest", "oldest")
FACETS = ("group", "type", "year", "theme", "municipality")

# What became of a file, stored with its document and in the index's state.  "partial":
# indexed, but some pages or slides could not be read; every other status but "ok"
# means the text could not be read and the document is findable by name and metadata.
STATUSES = ("ok", "partial", "empty", "encrypted", "corrupt", "timeout", "too large",
            "unsupported format", "too much memory")
READ_STATUSES = frozenset({"ok", "partial"})
# Why a file's text could not be read, as the extractors say it.
TIMEOUT = "timeout"
TOO_MUCH_MEMORY = "too much memory"
EXTRACTION_REASONS = ("encrypted", "corrupt", "unsupported format", "too large", "empty", TOO_MUCH_MEMORY)
# Outcomes decided by the worker pool's limits rather than by the file alone: not
# cached, so a later run with other limits (or a less busy machine) tries again.
LIMIT_REASONS = frozenset({TIMEOUT, TOO_MUCH_MEMORY})


@dataclass(frozen=True)
class Group:
    slug: str
    name: str
    description: str = ""


@dataclass(frozen=True)
class Theme:
    name: str
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class ArchiveConfig:
    """What `arkiv.toml` says: the network, its groups and its theme vocabulary."""

    root: str
    name: str
    groups: tuple[Group, ...]
    themes: tuple[Theme, ...]
    synonyms: tuple[tuple[str, ...], ...] = ()  # groups of words that mean the same here

    def group(self, slug: str) -> Group | None:
        return next((g for g in self.groups if g.slug == slug), None)


@dataclass(frozen=True)
class Speaker:
    name: str
    organisation: str = ""


@dataclass(frozen=True)
class Person:
    """Someone on a minutes' attendance list, with the organisation or municipality beside the name."""

    name: str
    organisation: str = ""


@dataclass(frozen=True)
class Action:
    """An action point: what is to be done, and who is to do it when the minutes say."""

    text: str
    who: str = ""


@dataclass(frozen=True)
class AgendaItem:
    """One item of a minutes document (`§ 12 Uppföljning av miljömål`, `4. Beslut`).

    `page` is 1-based, only for formats with pages (PDF page, PPTX slide); `text` is
    filled by SearchIndex.document() and meeting(), empty in listings.
    """

    number: str
    title: str
    page: int | None = None
    text: str = ""
    decision: str | None = None
    actions: tuple[Action, ...] = ()


@dataclass(frozen=True)
class Meeting:
    """A meeting folder: `<group>/<YYYY-MM-DD>[-place]/` with its optional meeting.toml."""

    folder: str  # path relative to the archive root, e.g. "naturvard/2023-10-10-lerum"
    group: str
    date: date | None
    title: str = ""
    place: str = ""
    themes: tuple[str, ...] = ()
    speakers: tuple[Speaker, ...] = ()


@dataclass(frozen=True)
class Extraction:
    """What a file's bytes say: text per page/slide and the file's own properties."""

    format: str  # "pdf", "docx", "pptx", "odt", "text"
    pages: tuple[str, ...]
    title: str | None = None  # the document's title property, as stored
    heading: str | None = None  # the first heading in the document
    created: date | None = None  # file properties, template defaults already dropped
    warnings: tuple[str, ...] = ()  # reasons a coordinator understands, e.g. "no text (scanned?)"


@dataclass(frozen=True)
class Failure:
    """Why a file's text could not be read: `reason` is one of STATUSES, `detail` says more."""

    reason: str
    detail: str = ""


# What reading one file gives.
Result = Extraction | Failure


@dataclass(frozen=True)
class Document:
    """One archived file with its metadata; `sources` says where each value came from."""

    id: str
    group: str
    title: str
    date: date | None
    type: str
    themes: tuple[str, ...]
    format: str
    meeting: Meeting | None
    status: str = "ok"  # ok, or the reason extraction failed
    size: int = 0
    page_count: int = 0
    sources: dict[str, str] = field(default_factory=dict)  # field -> "sidecar", "folder", "text", ...
    pages: tuple[str, ...] = ()  # filled by Index.document(), empty in listings
    # What its text says when it is minutes (best effort; empty when nothing is found).
    items: tuple[AgendaItem, ...] = ()
    attendees: tuple[Person, ...] = ()
    absent: tuple[Person, ...] = ()
    municipalities: tuple[str, ...] = ()  # canonical names from the closed list ("Lerum", "Västra Götaland")

    @property
    def filename(self) -> str:
        return self.id.rsplit("/", 1)[-1]

    @property
    def year(self) -> str | None:
        return str(self.date.year) if self.date else None


@dataclass(frozen=True)
class SearchRequest:
    query: str = ""
    groups: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    years: tuple[str, ...] = ()
    municipalities: tuple[str, ...] = ()
    date_from: date | None = None
    date_to: date | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = 10
    exact: bool = False  # the words as typed: no results for a corrected spelling in their place


@dataclass(frozen=True)
class Hit:
    id: str
    title: str
    group: str
    date: date | None
    type: str
    themes: tuple[str, ...]
    page: int | None  # 1-based page or slide where the query matches best
    score: float
    snippet: str  # HTML: the document text escaped, only <mark> added
    item: tuple[str, str] | None = None  # (number, title) of the agenda item the best match lies in
    meeting: str | None = None  # the meeting folder the document belongs to

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "group": self.group,
            "date": self.date.isoformat() if self.date else None,
            "type": self.type,
            "themes": list(self.themes),
            "meeting": self.meeting,
            "page": self.page,
            "item": None if self.item is None else {"number": self.item[0], "title": self.item[1]},
            "score": round(self.score, 3),
            "snippet": self.snippet,
        }


@dataclass(frozen=True)
class SearchResult:
    query: str
    total: int
    page: int
    per_page: int
    suggestion: str | None
    hits: tuple[Hit, ...]
    facets: dict[str, dict[str, int]]  # facet -> value -> document count, most frequent first
    expanded: tuple[str, ...] = ()  # words the search added: synonyms, å/ä/ö spellings
    partial: bool = False  # the search ran out of its time budget: the hits are what it had by then
    corrected: str | None = None  # the query found nothing; the hits are this spelling's

    def to_json(self) -> dict:
        data = {
            "query": self.query,
            "total": self.total,
            "page": self.page,
            "per_page": self.per_page,
            "suggestion": self.suggestion,
            "expanded": list(self.expanded),
            "hits": [h.to_json() for h in self.hits],
            "facets": {name: dict(values) for name, values in self.facets.items()},
        }
        if self.corrected:
            data["corrected"] = self.corrected
        if self.partial:
            data["partial"] = True
        return data


@dataclass(frozen=True)
class MeetingRecord:
    """A meeting with everything its documents say: items (with their document id), attendees, neighbours."""

    meeting: Meeting
    documents: tuple[Document, ...]
    items: tuple[tuple[str, AgendaItem], ...]  # (document id, item), in document then item order
    attendees: tuple[Person, ...]
    municipalities: tuple[str, ...]
    previous: str | None = None  # folder of the group's previous dated meeting
    next: str | None = None


@dataclass(frozen=True)
class Decision:
    meeting: str  # the meeting's folder, e.g. "naturvard/2023-10-10-lerum"
    date: date | None
    item: tuple[str, str] | None  # (number, title)
    text: str
    document: str  # document id
    page: int | None = None

    def to_json(self) -> dict:
        return {
            "meeting": self.meeting,
            "date": self.date.isoformat() if self.date else None,
            "item": None if self.item is None else {"number": self.item[0], "title": self.item[1]},
            "text": self.text,
            "document": self.document,
            "page": self.page,
        }


@dataclass(frozen=True)
class DecisionList:
    total: int
    decisions: tuple[Decision, ...]

    def to_json(self) -> dict:
        return {"total": self.total, "decisions": [d.to_json() for d in self.decisions]}


@dataclass(frozen=True)
class Problem:
    id: str
    reason: str


@dataclass
class IndexReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    moved: list[tuple[str, str]] = field(default_factory=list)  # (old id, new id)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    failed: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    rebuilt_because: str | None = None

    def to_json(self) -> dict:
        return {
            "added": len(self.added),
            "updated": len(self.updated),
            "moved": len(self.moved),
            "removed": len(self.removed),
            "unchanged": self.unchanged,
            "failed": [{"id": p.id, "reason": p.reason} for p in self.failed],
            "warnings": [{"id": p.id, "reason": p.reason} for p in self.warnings],
        }
