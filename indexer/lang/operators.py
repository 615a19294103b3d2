"""The words a query's operators are written with: Swedish beside English."""
from __future__ import annotations

AND_WORDS = ("AND", "OCH")
OR_WORDS = ("OR", "ELLER")
NOT_WORDS = ("NOT", "INTE")
OPERATOR_WORDS = frozenset(AND_WORDS + OR_WORDS + NOT_WORDS)


def alternatives(words) -> str:
    """A regular expression group matching any of `words`."""
    return "(" + "|".join(sorted(words)) + ")"
