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
FACETS = ("group", "type", "year", "theme", "text")
# The "text" facet: how a document's text was had. Only OCR'd documents carry a value.
TEXT_OCR = "ocr"
TEXT_LABELS = {TEXT_OCR: "Maskinläst (OCR)"}

# What became of a file, stored with its document and in the index's state.  "partial":
# indexed, but some pages or slides could not be read; every other status but "ok"
# means the text could not be read and the document is findable by name and metadata.
STATUSES = ("ok", "partial", "unreadable scan", "empty", "encrypted", "corrupt", "timeout", "too large",
            "unsupported format", "too much memory")
# "unreadable scan": the file opened, but it is pictures of pages and no text came out of
# them (OCR off, not installed, or it found none); findable by name and metadata only.
UNREADABLE_SCAN = "unreadable scan"
READ_STATUSES = frozenset({"ok", "partial", UNREADABLE_SCAN})  # the file itself could be opened and read
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
    ocr_pages: tuple[int, ...] = ()  # 1-based pages (or images) whose text is Tesseract's
    ocr_confidence: float | None = None  # Tesseract's mean word confidence over them, 0-100
    # Scanned pages were left unread because OCR was off or not installed: such a reading is
    # not cached, and is read again once OCR can run.
    ocr_pending: bool = False


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
    ocr_pages: tuple[int, ...] = ()  # 1-based pages whose text was read by OCR
    ocr_confidence: float | None = None  # Tesseract's mean word confidence, 0-100

    @property
    def ocr(self) -> bool:
        return bool(self.ocr_pages)

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
    texts: tuple[str, ...] = ()  # "ocr": only documents whose text was read by OCR
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

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "group": self.group,
            "date": self.date.isoformat() if self.date else None,
            "type": self.type,
            "themes": list(self.themes),
            "page": self.page,
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
    notices: list[str] = field(default_factory=list)  # about the run, not a file: "OCR is not available ..."
    ocr_pages: int = 0  # pages read by OCR in this run

    def to_json(self) -> dict:
        return {
            "added": len(self.added),
            "updated": len(self.updated),
            "moved": len(self.moved),
            "removed": len(self.removed),
            "unchanged": self.unchanged,
            "failed": [{"id": p.id, "reason": p.reason} for p in self.failed],
            "warnings": [{"id": p.id, "reason": p.reason} for p in self.warnings],
            "notices": list(self.notices),
            "ocr_pages": self.ocr_pages,
        }
