"""Search: SearchIndex answers searches and document lookups with plain dataclasses.

A query is normalised and parsed (`query`), widened by synonyms and å/ä/ö the
typist left out (`expansion`), counted by facet with arrays over document
numbers (`facets`), and its hits get snippets from their best page (`snippets`).
"""
from __future__ import annotations

from .searcher import BadRequest, SearchIndex, check_request

__all__ = ["BadRequest", "SearchIndex", "check_request"]
