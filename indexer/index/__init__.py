"""The index: the Whoosh schema and analysis chain, the index folder, and its incremental update.

The index folder holds `whoosh/` (stamped with SCHEMA_VERSION), `texts/` (extracted
text by content hash), `state.json` (what was indexed) and `write.lock`.  Everything
in it can be rebuilt from the archive.
"""
from __future__ import annotations

from ..lazy import exports

# name -> the module that defines it.  Each is imported on first use (PEP 562): the
# archive's changes need file_sha256 and load_state, not Whoosh, so `arkiv trash list`
# does not load a search engine.
_EXPORTS = {
    ".analysis": ("compound_parts_analyzer", "highlight_analyzer", "stock_analyzer", "swedish_analyzer",
                  "term_finder", "word_analyzer"),
    ".folder": ("NO_INDEX_YET", "schema_problem", "whoosh_dir"),
    ".records": ("index_fields", "stored_document"),
    ".schema": ("CHAINS", "PARTS_BOOST", "SCHEMA_VERSION", "TITLE_BOOST", "build_schema"),
    ".store": ("STATE_FILE", "TEXTS_DIR", "FileProblem", "FileState", "TextCache", "file_sha256", "index_warnings",
               "load_state", "problems", "write_lock"),
    ".update": ("IndexSettings", "update_index"),
}
_WHERE = {name: (module, name) for module, names in _EXPORTS.items() for name in names}

__all__ = sorted(_WHERE)


__getattr__, __dir__ = exports(__name__, _WHERE, globals())
