"""Changing the archive: uploads, corrections of documents and meetings, moves, trash, imports, the audit log.

Every change takes the archive's write lock, writes through a temporary file and a
rename (never over another file), and is a line in the audit log.  The archive is
changed first and the index after: callers run `update_index` when done.
"""
from __future__ import annotations

from .adding import AddRequest, add_files
from .audit import ACTIONS, Change, cli_user, record_change, recent_changes
from .editing import edit_document, move_document
from .files import safe_filename
from .filing import CLASH_CHOICES, OTHER_FOLDER, UNSORTED_FOLDER, Filed, Filing, MeetingDraft, NewFile, \
    file_documents, list_meetings
from .importing import ImportItem, ImportPlan, carry_out, plan_import
from .inspect import Inspection, inspect_files
from .meetings import MeetingFields, edit_meeting, meeting_fields
from .trash import TrashItem, empty_trash, remove_document, restore, trash_item, trashed
from .undo import UndoRefused, find_change, undo_change, undo_problem

__all__ = [
    "ACTIONS", "AddRequest", "CLASH_CHOICES", "Change", "Filed", "Filing", "ImportItem", "ImportPlan", "Inspection",
    "MeetingDraft", "MeetingFields", "NewFile", "OTHER_FOLDER", "TrashItem", "UNSORTED_FOLDER", "add_files",
    "carry_out", "cli_user", "edit_document", "edit_meeting", "empty_trash", "file_documents", "inspect_files",
    "list_meetings", "meeting_fields", "move_document", "plan_import", "recent_changes", "record_change",
    "remove_document", "restore", "safe_filename", "trash_item", "trashed", "UndoRefused", "find_change",
    "undo_change", "undo_problem",
]
