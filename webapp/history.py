"""A group's history from its documents: meetings newest first, years, frequent themes."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from indexer import Document, Meeting

from .formatting import TYPE_ORDER


@dataclass(frozen=True)
class TypeGroup:
    type: str
    documents: tuple[Document, ...]


@dataclass(frozen=True)
class MeetingEntry:
    meeting: Meeting
    by_type: tuple[TypeGroup, ...]

    @property
    def themes(self) -> tuple[str, ...]:
        """The meeting's own themes, else those of its documents."""
        if self.meeting.themes:
            return self.meeting.themes
        seen: list[str] = []
        for g in self.by_type:
            for d in g.documents:
                seen.extend(t for t in d.themes if t not in seen)
        return tuple(seen)


@dataclass(frozen=True)
class YearCount:
    year: int
    meetings: int
    documents: int


@dataclass(frozen=True)
class GroupHistory:
    meetings: tuple[MeetingEntry, ...]  # newest first
    other_documents: tuple[TypeGroup, ...]  # documents outside any meeting folder, by type
    years: tuple[YearCount, ...]  # oldest first, every year in the span
    themes: tuple[tuple[str, int], ...]  # most frequent first: (theme, documents)
    document_count: int

    @property
    def meeting_years(self) -> tuple[int, ...]:
        """The years that have meetings, newest first: the timeline's index."""
        return tuple(sorted({e.meeting.date.year for e in self.meetings if e.meeting.date}, reverse=True))


def by_type(docs: list[Document]) -> tuple[TypeGroup, ...]:
    order = {t: i for i, t in enumerate(TYPE_ORDER)}
    kinds = sorted({d.type for d in docs}, key=lambda t: (order.get(t, len(order)), t))
    return tuple(TypeGroup(t, tuple(sorted((d for d in docs if d.type == t), key=lambda d: d.title.lower())))
                 for t in kinds)


def group_history(docs: list[Document], top_themes: int = 8) -> GroupHistory:
    meetings: dict[str, Meeting] = {}
    in_meeting: dict[str, list[Document]] = {}
    loose: list[Document] = []
    for d in docs:
        if d.meeting is None:
            loose.append(d)
        else:
            meetings.setdefault(d.meeting.folder, d.meeting)
            in_meeting.setdefault(d.meeting.folder, []).append(d)
    ordered = sorted(meetings.values(), key=lambda m: (m.date.isoformat() if m.date else "", m.folder),
                     reverse=True)
    entries = tuple(MeetingEntry(m, by_type(in_meeting[m.folder])) for m in ordered)

    meetings_per_year = Counter(m.date.year for m in meetings.values() if m.date)
    docs_per_year = Counter(d.date.year for d in docs if d.date)
    years: tuple[YearCount, ...] = ()
    if docs_per_year or meetings_per_year:
        span = set(docs_per_year) | set(meetings_per_year)
        years = tuple(YearCount(y, meetings_per_year[y], docs_per_year[y])
                      for y in range(min(span), max(span) + 1))
    themes = Counter(t for d in docs for t in d.themes)
    top = tuple(sorted(themes.items(), key=lambda kv: (-kv[1], kv[0]))[:top_themes])
    return GroupHistory(meetings=entries, other_documents=by_type(loose), years=years, themes=top,
                        document_count=len(docs))


# -- the per-year bar chart, laid out here and drawn by the template as SVG --------------
@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int
    series: str  # "meetings" or "documents"


@dataclass(frozen=True)
class Column:
    label: str
    x: float  # centre
    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    baseline: float
    columns: tuple[Column, ...]


def year_chart(years: tuple[YearCount, ...], *, height: int = 180, column_width: int = 56,
               bar_width: int = 20, top: int = 22, bottom: int = 28) -> Chart | None:
    """Lay out two bars (meetings, documents) per year; None when there is nothing to draw."""
    if not years:
        return None
    peak = max(max(y.meetings, y.documents) for y in years) or 1
    plot = height - top - bottom
    baseline = height - bottom
    width = max(column_width * len(years), 240)
    offset = (width - column_width * len(years)) / 2
    columns = []
    for i, y in enumerate(years):
        centre = offset + column_width * i + column_width / 2
        bars = []
        for j, (series, value) in enumerate((("meetings", y.meetings), ("documents", y.documents))):
            h = plot * value / peak
            x = centre - bar_width - 1 + j * (bar_width + 2)
            bars.append(Bar(x=round(x, 1), y=round(baseline - h, 1), width=bar_width, height=round(h, 1),
                            value=value, series=series))
        columns.append(Column(label=str(y.year), x=round(centre, 1), bars=tuple(bars)))
    return Chart(width=width, height=height, baseline=baseline, columns=tuple(columns))
