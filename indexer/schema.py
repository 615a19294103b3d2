"""The Whoosh schema and its version stamp."""
from __future__ import annotations

from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema

from .analysis import swedish_analyzer, word_analyzer

# Bump when fields or analysis change: an index with another stamp is rebuilt.
SCHEMA_VERSION = 1
TITLE_BOOST = 3.0


def build_schema() -> Schema:
    sv = swedish_analyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        group=ID(stored=True),
        type=ID(stored=True),
        year=ID(stored=True),
        # Sorting columns: a document without a date sorts last both ways.
        date_new=ID(stored=True, sortable=True),
        date_old=ID(sortable=True),
        themes=KEYWORD(stored=True, commas=True, lowercase=False, scorable=False),
        title=TEXT(analyzer=sv, stored=True, field_boost=TITLE_BOOST),
        content=TEXT(analyzer=sv, phrase=True),
        # Themes, the meeting's title, place and speakers, the file name.
        context=TEXT(analyzer=sv),
        spell=TEXT(analyzer=word_analyzer(), phrase=False, spelling=True),
        doc=STORED(),  # the Document as JSON, without its text
    )
