"""Nätverksarkivet's indexer: archive folder -> text -> metadata -> Whoosh index -> search.

The web app uses only what is listed in __all__.  Each name is imported on first
use (PEP 562): an extraction worker that needs `indexer.extract` does not load
Whoosh, numpy and the command line with it.
"""
from __future__ import annotations

from .lazy import exports

# name -> the module that defines it, relative to this package.
_EXPORTS = {
    ".alerts": (
        "AlertError", "AlertLimit", "AlertsConfigError", "CONFIRM_HOURS", "FREQUENCIES", "FREQUENCY_LABELS",
        "MailSettings", "Requested", "SEND_ERRORS", "SmtpTransport", "Subscription", "Subscriptions",
        "alerts_file", "confirmation_message", "describe", "search_fields",
    ),
    ".changes": (
        "ACTIONS", "AddRequest", "CLASH_CHOICES", "Change", "Filed", "Filing", "ImportItem", "ImportPlan",
        "Inspection", "MeetingDraft", "MeetingFields", "NewFile", "OTHER_FOLDER", "TrashItem", "UNSORTED_FOLDER",
        "add_files", "carry_out", "cli_user", "edit_document", "edit_meeting", "empty_trash", "file_documents",
        "inspect_files", "list_meetings", "meeting_fields", "move_document", "plan_import", "recent_changes",
        "record_change", "remove_document", "restore", "safe_filename", "trash_item", "trashed", "UndoRefused",
        "find_change", "undo_change", "undo_problem",
    ),
    ".config": ("Sidecar", "load_archive_config"),
    ".export": ("COLUMNS", "EXPORT_LIMIT", "Export", "csv_chunks", "document_link"),
    ".errors": ("AddError", "ArkivError", "ChangeError", "ConfigError", "ExtractionError", "IndexLocked",
                "IndexMissing", "IndexUnavailable"),
    ".index": ("FileProblem", "IndexSettings", "index_warnings", "problems", "update_index"),
    ".models": ("DOCUMENT_TYPES", "FACETS", "READ_PROBLEM_LABELS", "READ_STATUSES", "SORTS", "STATUSES", "TEXT_LABELS",
                "TYPE_LABELS", "Action", "AgendaItem", "ArchiveConfig", "Decision", "DecisionList", "Document",
                "Failure", "Group", "Hit", "IndexReport", "Meeting", "MeetingRecord", "Person", "Problem",
                "SearchRequest", "SearchResult",
                "Speaker", "Theme"),
    ".minutes": ("MinutesParse", "parse_minutes"),
    ".places": ("MUNICIPALITIES", "REGIONS", "find_municipalities", "place_name"),
    ".paths": ("id_parts", "resolve_archive", "resolve_index"),
    ".search": ("BadRequest", "SearchIndex", "check_request"),
    ".atomic": ("write_bytes_atomic",),
}
# The command line, which the web app extends with `serve` and `user`.
_RENAMED = {"cli_main": (".cli", "main"), "CliCommand": (".cli", "Command")}
_WHERE = {name: (module, name) for module, names in _EXPORTS.items() for name in names} | _RENAMED

__all__ = sorted(_WHERE)


__getattr__, __dir__ = exports(__name__, _WHERE, globals())
