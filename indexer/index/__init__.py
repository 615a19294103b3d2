"""The index: the Whoosh schema and analysis chain, the index folder, and its incremental update.

The index folder holds `whoosh/` (stamped with SCHEMA_VERSION), `texts/` (extracted
text by content hash), `state.json` (what was indexed) and `write.lock`.  Everything
in it can be rebuilt from the archive.
"""
from __future__ import annotations

from .analysis import compound_parts_analyzer, highlight_analyzer, stock_analyzer, swedish_analyzer, \
    term_finder, word_analyzer
from .folder import NO_INDEX_YET, schema_problem, whoosh_dir
from .records import index_fields, stored_document
from .schema import CHAINS, PARTS_BOOST, SCHEMA_VERSION, TITLE_BOOST, build_schema
from .store import STATE_FILE, TEXTS_DIR, FileProblem, FileState, TextCache, file_sha256, index_warnings, \
    load_state, problems, write_lock
from .update import IndexSettings, update_index

__all__ = [
    "CHAINS", "FileProblem", "FileState", "IndexSettings", "NO_INDEX_YET", "PARTS_BOOST", "SCHEMA_VERSION",
    "STATE_FILE", "TEXTS_DIR", "TITLE_BOOST", "TextCache", "build_schema", "compound_parts_analyzer",
    "file_sha256", "highlight_analyzer", "index_fields", "index_warnings", "load_state", "problems",
    "schema_problem", "stock_analyzer", "stored_document", "swedish_analyzer", "term_finder", "update_index",
    "whoosh_dir",
    "write_lock",
    "word_analyzer",
]
