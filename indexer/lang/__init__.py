"""What the archive knows about Swedish: lemmas, compounds, word families,
function words, dates, å/ä/ö, hyphens, operator words, OCR's mistakes.

Imports nothing else of indexer and no search engine: the extraction workers use
it too.  The dictionary's tables load on first use, once per process.
"""
from __future__ import annotations

from .dates import MIN_PLAUSIBLE_YEAR, MONTHS, first_date_in_text
from .dictionary import base_needles, compound_parts, has_dictionary, lemma, listed
from .hyphens import rejoin_hyphenated
from .letters import ascii_slug, fold, restorations
from .ocr import clean_ocr_text
from .operators import AND_WORDS, NOT_WORDS, OPERATOR_WORDS, OR_WORDS, alternatives
from .words import is_function_word, particle_verb_noun, word_family

__all__ = [
    "AND_WORDS", "MIN_PLAUSIBLE_YEAR", "MONTHS", "NOT_WORDS", "OPERATOR_WORDS", "OR_WORDS", "alternatives",
    "ascii_slug", "base_needles", "clean_ocr_text", "compound_parts", "first_date_in_text", "fold", "has_dictionary",
    "is_function_word", "lemma",
    "listed", "particle_verb_noun", "rejoin_hyphenated", "restorations", "word_family",
]
