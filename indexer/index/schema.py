"""The Whoosh schema and its version stamp."""
from __future__ import annotations

from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema

from .analysis import compound_parts_analyzer, stock_analyzer, swedish_analyzer, word_analyzer

# Bump when fields or analysis change: an index with another stamp is rebuilt.
# 5: the analysis filters moved to indexer.index.analysis, and Whoosh unpickles them
# by import path; the rebuild reads the text cache, so no file is parsed again.
# 6: municipalities as a facet field; agenda items, attendees and municipalities in the stored document.
SCHEMA_VERSION = 6
TITLE_BOOST = 3.0
PARTS_BOOST = 0.5  # a compound part matches, but below the whole word (tuned on tests/relevance)
CHAINS = ("swedish", "stock")


def build_schema(chain: str = "swedish") -> Schema:
    """Return the schema; `chain="stock"` uses Whoosh's own Swedish analyzer, for comparison."""
    if chain not in CHAINS:
        raise ValueError(f"unknown analysis chain {chain!r}")
    text = swedish_analyzer() if chain == "swedish" else stock_analyzer()
    fields = dict(
        id=ID(stored=True, unique=True),
        group=ID(stored=True),
        type=ID(stored=True),
        year=ID(stored=True),
        # Sorting columns: a document without a date sorts last both ways.
        date_new=ID(stored=True, sortable=True),
        date_old=ID(sortable=True),
        themes=KEYWORD(stored=True, commas=True, lowercase=False, scorable=False),
        municipalities=KEYWORD(commas=True, lowercase=False, scorable=False),
        title=TEXT(analyzer=text, stored=True, field_boost=TITLE_BOOST),
        content=TEXT(analyzer=text, phrase=True),
        # Themes, the meeting's title, place and speakers, the file name.
        context=TEXT(analyzer=text),
        spell=TEXT(analyzer=word_analyzer(), phrase=False, spelling=True),
        doc=STORED(),  # the Document as JSON, without its text
    )
    if chain == "swedish":
        # Parts of compounds in title and text: a head or a modifier finds the compound.
        fields["parts"] = TEXT(analyzer=compound_parts_analyzer(), phrase=False)
    return Schema(**fields)
