"""Nätverksarkivet's indexer: archive folder -> text -> metadata -> Whoosh index -> search.

The web app uses only what is listed in __all__.
"""
from .adding import AddRequest, add_files, safe_filename
from .config import load_archive_config
from .errors import AddError, ArkivError, ConfigError, ExtractionError, IndexLocked, IndexMissing, \
    IndexUnavailable
from .indexing import STATUSES, FileProblem, IndexSettings, index_warnings, problems, update_index
from .models import DOCUMENT_TYPES, FACETS, SORTS, ArchiveConfig, Document, Group, Hit, IndexReport, \
    Meeting, Problem, SearchRequest, SearchResult, Speaker, Theme
from .paths import resolve_archive, resolve_index
from .search import BadRequest, SearchIndex, check_request
# Changing the archive: upload, correct, move, trash and restore, import, the audit log.
from .atomic import write_bytes_atomic
from .audit import ACTIONS, Change, cli_user, record_change, recent_changes
from .config import Sidecar
from .editing import edit_document, move_document
from .errors import ChangeError
from .filing import CLASH_CHOICES, OTHER_FOLDER, UNSORTED_FOLDER, Filed, Filing, MeetingDraft, NewFile, \
    file_documents, list_meetings
from .importing import ImportItem, ImportPlan, carry_out, plan_import
from .inspect import Inspection, inspect_files
from .trash import TrashItem, empty_trash, remove_document, restore, trash_item, trashed
# The command line, which the web app extends with `serve` and `user`.
from .cli import main as cli_main

__all__ = [
    "AddError", "AddRequest", "ArchiveConfig", "ArkivError", "BadRequest", "ConfigError",
    "DOCUMENT_TYPES", "Document", "ExtractionError", "FACETS", "Group", "Hit", "IndexLocked",
    "IndexMissing", "IndexReport", "IndexSettings", "IndexUnavailable", "Meeting", "Problem", "SORTS",
    "SearchIndex", "SearchRequest", "SearchResult", "Speaker", "Theme", "add_files", "check_request",
    "load_archive_config", "resolve_archive", "resolve_index", "safe_filename", "update_index",
    "FileProblem", "STATUSES", "index_warnings", "problems",
    "ACTIONS", "CLASH_CHOICES", "Change", "ChangeError", "Filed", "Filing", "ImportItem", "ImportPlan",
    "Inspection", "MeetingDraft", "NewFile", "OTHER_FOLDER", "Sidecar", "TrashItem", "UNSORTED_FOLDER",
    "carry_out", "cli_user", "edit_document", "empty_trash", "file_documents", "inspect_files",
    "list_meetings", "move_document", "plan_import", "recent_changes", "record_change", "remove_document",
    "restore", "trash_item", "trashed", "write_bytes_atomic", "cli_main",
]
