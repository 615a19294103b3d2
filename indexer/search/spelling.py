"""Candidates for a spelling suggestion: the archive's own spellings, held in memory, compared in C.

Whoosh finds the words near a typo with a Levenshtein automaton walked over the term
file, a seek and a read per step in Python: 30-140 ms a word on 44k pages, growing
with the vocabulary.  Here each committed state reads its `spell` words once, by first
letter, and rapidfuzz compares a word with those that share its first letter.  The
distance is the optimal string alignment one, so two neighbouring letters swapped
(strategin -> straetgin), the commonest typo, is one edit, not two.
"""
from __future__ import annotations

import threading

from rapidfuzz import process
from rapidfuzz.distance import OSA

SPELL_FIELD = "spell"


def distance(a: str, b: str) -> int:
    """Edits between two words: insertions, deletions, substitutions, and swaps of neighbours."""
    return OSA.distance(a, b)


class Spellings:
    """One committed state's indexed spellings by first letter, read on first use."""

    def __init__(self, longest: int):
        self.longest = longest  # no word longer than this is ever near a word worth correcting
        self._lock = threading.Lock()
        self._by_first: dict[str, list[str]] | None = None

    def near(self, reader, word: str, maxdist: int) -> list[str]:
        """The indexed spellings at most `maxdist` edits from `word` that begin with its letter."""
        if not word:
            return []
        bucket = self._words(reader).get(word[0], ())
        found = process.extract(word, bucket, scorer=OSA.distance, score_cutoff=maxdist, limit=None)
        return [choice for choice, _dist, _i in found]

    def load(self, reader) -> None:
        """Read the spellings now (~0.5 s on 44k pages), so that no visitor's typo waits for it."""
        self._words(reader)

    def _words(self, reader) -> dict[str, list[str]]:
        with self._lock:
            if self._by_first is None:
                by_first: dict[str, list[str]] = {}
                for term in reader.lexicon(SPELL_FIELD):
                    w = term.decode("utf-8")
                    if len(w) <= self.longest:
                        by_first.setdefault(w[0], []).append(w)
                self._by_first = by_first
            return self._by_first
