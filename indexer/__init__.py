"""Nätverksarkivet's indexer: archive folder -> text -> metadata -> Whoosh index -> search.

The web app uses only what is listed in __all__.
"""
from .adding import AddRequest, add_files, safe_filename
from .config import load_archive_config
from .errors import AddError, ArkivError, ConfigError, ExtractionError, IndexLocked, IndexMissing, \
    IndexUnavailable
from .indexing import IndexSettings, update_index
from .models import DOCUMENT_TYPES, FACETS, SORTS, ArchiveConfig, Document, Group, Hit, IndexReport, \
    Meeting, Problem, SearchRequest, SearchResult, Speaker, Theme
from .paths import resolve_archive, resolve_index
from .search import BadRequest, SearchIndex, check_request

__all__ = [
    "AddError", "AddRequest", "ArchiveConfig", "ArkivError", "BadRequest", "ConfigError",
    "DOCUMENT_TYPES", "Document", "ExtractionError", "FACETS", "Group", "Hit", "IndexLocked",
    "IndexMissing", "IndexReport", "IndexSettings", "IndexUnavailable", "Meeting", "Problem", "SORTS",
    "SearchIndex", "SearchRequest", "SearchResult", "Speaker", "Theme", "add_files", "check_request",
    "load_archive_config", "resolve_archive", "resolve_index", "safe_filename", "update_index",
]
