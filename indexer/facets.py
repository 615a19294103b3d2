"""Count facet values over matching documents, multi-select style."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from .models import FACETS, SearchRequest


@dataclass(frozen=True)
class Row:
    """What filtering and faceting need of one indexed document."""

    id: str
    group: str
    type: str
    year: str  # "" when undated
    date: str  # ISO, "" when undated
    themes: tuple[str, ...]

    def values(self, facet: str) -> tuple[str, ...]:
        if facet == "theme":
            return self.themes
        value = getattr(self, facet)
        return (value,) if value else ()


def filter_and_count(docnums, rows: dict[int, Row], req: SearchRequest) -> tuple[set[int], dict[str, Counter]]:
    """Apply the request's filters to `docnums`; count each facet without its own filter.

    Within a facet the chosen values are OR'ed, across facets AND'ed.
    """
    chosen = {"group": set(req.groups), "type": set(req.types), "year": set(req.years),
              "theme": set(req.themes)}
    lo = req.date_from.isoformat() if req.date_from else None
    hi = req.date_to.isoformat() if req.date_to else None
    counts = {f: Counter() for f in FACETS}
    kept: set[int] = set()
    for dn in docnums:
        row = rows.get(dn)
        if row is None:
            continue
        if (lo or hi) and not (row.date and (not lo or row.date >= lo) and (not hi or row.date <= hi)):
            continue
        failing = [f for f in FACETS if chosen[f] and not chosen[f].intersection(row.values(f))]
        if not failing:
            kept.add(dn)
            for f in FACETS:
                counts[f].update(row.values(f))
        elif len(failing) == 1:
            counts[failing[0]].update(row.values(failing[0]))
    return kept, counts


def ordered(counter: Counter, facet: str) -> dict[str, int]:
    """Years newest first; other facets by count, then name."""
    if facet == "year":
        return dict(sorted(counter.items(), reverse=True))
    return dict(sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))
