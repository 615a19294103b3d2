"""URL arguments <-> SearchRequest, and the URLs that change one thing about a search.

Everything here is a pure function of its arguments, so every search state is a plain,
bookmarkable URL and the URL building can be tested with a table.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from typing import Callable, Mapping
from urllib.parse import urlencode

from indexer import DOCUMENT_TYPES, SORTS, TEXT_LABELS, SearchRequest, SearchResult

PER_PAGE = 10
MAX_PER_PAGE = 100
SORT_LABELS = {"relevance": "relevans", "newest": "nyast", "oldest": "äldst"}
# URL parameter -> SearchRequest field, for the multi-valued facet filters (as the CLI's).
FACET_FIELDS = {"group": "groups", "type": "types", "year": "years", "theme": "themes",
                "municipality": "municipalities", "text": "texts"}
FACET_TITLES = {"group": "Grupp", "type": "Typ", "year": "År", "theme": "Tema", "municipality": "Kommun",
                "text": "Text"}
# Numbers in a URL are ASCII digits: str.isdigit() and \d also take "²", "١" and "２", which
# int() crashes on ("²") or reads quietly ("١" is 1) and no indexed year is written in.
_NUMBER = re.compile(r"[0-9]+")
_YEAR = re.compile(r"[0-9]{4}")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

# What one search request may hold. The page repeats every chosen filter in the remove link
# of every other one, so an unbounded URL costs the server the square of what it cost to send
# (2,000 themes: a 197 MB page).
# Distinct name=value pairs, counted before anything else is read. Every facet at its limit
# (50 groups, themes, years and municipalities, the 5 types) and the six single parameters make
# 211; the rest is room for what other sites append to a shared link (utm_source=...).
MAX_PARAMS = 250
# Distinct values of one facet parameter: a person ticks a handful.
MAX_FACET_VALUES = 50
# Characters in one value other than q: the longest group or theme name in use is under 50,
# and error messages quote the value.
MAX_VALUE_LENGTH = 200
# q is cut, not refused: the indexer searches only its first 500 characters (MAX_QUERY_CHARS),
# so the rest would only lengthen every link on the page, and a pasted paragraph still searches.
MAX_QUERY_LENGTH = 500
# Characters of the search's own URL after "?", as url_args encodes it. Every link on the page
# repeats it, so this bounds the page: at most 157 remove links, 1.5 MB. The limits above allow
# 250 KB (200 emoji in each of 100 group and theme values) and a 39 MB page. nginx refuses a
# request line over 8 KB by default, so a longer search could not be shared through one anyway.
MAX_URL_LENGTH = 8192
# The parameters read here other than q, as messages name them.
PARAM_LABELS = {name: title.lower() for name, title in FACET_TITLES.items()} | {
    "from": "från-datum", "to": "till-datum", "sort": "sortering", "page": "sidnummer",
    "limit": "träffar per sida", "exact": "exakt stavning"}


class ParamError(ValueError):
    """A URL argument that cannot be a search parameter; the message is shown to people."""


def _one(args: Mapping, name: str) -> str:
    value = args.get(name)
    return value.strip() if isinstance(value, str) else ""


def _many(args, name: str) -> tuple[str, ...]:
    values = args.getlist(name) if hasattr(args, "getlist") else [args.get(name) or ""]
    # A repeated value asks nothing more, so it counts once.
    chosen = tuple(dict.fromkeys(v for v in (v.strip() for v in values) if v))
    if len(chosen) > MAX_FACET_VALUES:
        raise ParamError(f"Högst {MAX_FACET_VALUES} val åt gången under {FACET_TITLES[name]}; "
                         f"adressen har {len(chosen)}.")
    return chosen


def _pairs(args) -> list[tuple[str, str]]:
    return list(args.items(multi=True)) if hasattr(args, "getlist") else list(args.items())


def _check_size(args) -> None:
    """Refuse more parameters, or longer values, than any search needs."""
    pairs = _pairs(args)
    count = len(set(pairs))
    if count > MAX_PARAMS:
        raise ParamError(f"Adressen har {count} olika parametrar; en sökning kan ha högst {MAX_PARAMS}.")
    for name, value in pairs:
        if name in PARAM_LABELS and isinstance(value, str) and len(value.strip()) > MAX_VALUE_LENGTH:
            raise ParamError(f"Ett värde för {PARAM_LABELS[name]} är för långt: "
                             f"det får vara högst {MAX_VALUE_LENGTH} tecken.")


def _date(args, name: str, label: str) -> date | None:
    text = _one(args, name)
    if not text:
        return None
    try:
        if not _ISO_DATE.fullmatch(text):
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise ParamError(f"{label} ”{text}” är inget datum; skriv det som ÅÅÅÅ-MM-DD.") from None


def _flag(args, name: str) -> bool:
    text = _one(args, name)
    if text not in ("", "1"):
        raise ParamError(f"{PARAM_LABELS[name].capitalize()} anges som {name}=1, inte ”{text}”.")
    return text == "1"


def _positive(args, name: str, label: str, default: int, maximum: int) -> int:
    text = _one(args, name)
    if not text:
        return default
    if not _NUMBER.fullmatch(text) or not 1 <= int(text) <= maximum:
        raise ParamError(f"{label} måste vara ett heltal från 1 till {maximum}, inte ”{text}”.")
    return int(text)


def search_request(args, *, max_page: int = 1000) -> SearchRequest:
    """Turn URL arguments (a MultiDict, or a plain dict) into a SearchRequest; ParamError if invalid.

    Empty values count as not given, so a form submitted with blank fields still works.
    The size is bounded (MAX_PARAMS, MAX_FACET_VALUES, MAX_VALUE_LENGTH, MAX_URL_LENGTH) and q is
    cut to MAX_QUERY_LENGTH, so no URL makes a page or a search cost more than a person's search does.
    """
    _check_size(args)
    types = _many(args, "type")
    for t in types:
        if t not in DOCUMENT_TYPES:
            raise ParamError(f"Okänd dokumenttyp ”{t}”. Möjliga typer: {', '.join(DOCUMENT_TYPES)}.")
    years = _many(args, "year")
    for y in years:
        if not _YEAR.fullmatch(y):
            raise ParamError(f"”{y}” är inget årtal; skriv året med fyra siffror.")
    texts = _many(args, "text")
    for t in texts:
        if t not in TEXT_LABELS:
            raise ParamError(f"Okänt värde ”{t}” för text. Möjliga värden: {', '.join(TEXT_LABELS)}.")
    sort = _one(args, "sort") or "relevance"
    if sort not in SORTS:
        raise ParamError(f"Okänd sortering ”{sort}”. Möjliga värden: {', '.join(SORTS)}.")
    date_from = _date(args, "from", "Från-datumet")
    date_to = _date(args, "to", "Till-datumet")
    if date_from and date_to and date_from > date_to:
        raise ParamError("Från-datumet ligger efter till-datumet.")
    req = SearchRequest(
        query=_one(args, "q")[:MAX_QUERY_LENGTH].rstrip(),
        groups=_many(args, "group"),
        types=types,
        themes=_many(args, "theme"),
        years=years,
        municipalities=_many(args, "municipality"),
        texts=texts,
        date_from=date_from,
        date_to=date_to,
        sort=sort,
        page=_positive(args, "page", "Sidnumret", 1, max_page),
        per_page=_positive(args, "limit", "Antalet träffar per sida", PER_PAGE, MAX_PER_PAGE),
        exact=_flag(args, "exact"),
    )
    _check_url(req)
    return req


# -- the decisions list: /api/decisions and /groups/<slug>/decisions -------------------------
DECISIONS_PER_PAGE = 50
MAX_DECISION_PAGE = 1000


@dataclass(frozen=True)
class DecisionQuery:
    """What a decisions list asks: one group or all, words, a date span, a page."""

    group: str | None = None
    query: str = ""
    date_from: date | None = None
    date_to: date | None = None
    page: int = 1
    per_page: int = DECISIONS_PER_PAGE

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


def decision_query(args, groups, group: str | None = None) -> DecisionQuery:
    """Turn URL arguments into a DecisionQuery; ParamError if invalid, with the search's bounds.

    `groups` are the slugs the archive knows; `group` is the page's own group, which
    the arguments cannot change.
    """
    _check_size(args)
    if group is None:
        group = _one(args, "group") or None
        if group is not None and group not in groups:
            raise ParamError(f"Okänd grupp ”{group}”. Möjliga grupper: {', '.join(groups)}.")
    date_from = _date(args, "from", "Från-datumet")
    date_to = _date(args, "to", "Till-datumet")
    if date_from and date_to and date_from > date_to:
        raise ParamError("Från-datumet ligger efter till-datumet.")
    return DecisionQuery(group=group, query=_one(args, "q")[:MAX_QUERY_LENGTH].rstrip(), date_from=date_from,
                         date_to=date_to, page=_positive(args, "page", "Sidnumret", 1, MAX_DECISION_PAGE),
                         per_page=_positive(args, "limit", "Antalet beslut per sida", DECISIONS_PER_PAGE,
                                            MAX_PER_PAGE))


def decision_url(query: DecisionQuery, base: str, with_group: bool = False, **changes) -> str:
    """The URL of `query` (with `changes`), defaults left out; the group only when `with_group`."""
    q = replace(query, **changes)
    args = [("group", q.group)] if with_group and q.group else []
    args += [(k, v) for k, v in (("q", q.query), ("from", q.date_from and q.date_from.isoformat()),
                                 ("to", q.date_to and q.date_to.isoformat())) if v]
    if q.per_page != DECISIONS_PER_PAGE:
        args.append(("limit", str(q.per_page)))
    if q.page != 1:
        args.append(("page", str(q.page)))
    return f"{base}?{urlencode(args)}" if args else base


def _check_url(req: SearchRequest) -> None:
    """Refuse a search whose URL, repeated in every link on its page, would be too long to share."""
    length = len(urlencode(url_args(req)))
    if length > MAX_URL_LENGTH:
        raise ParamError(f"Sökningen blir för lång som adress: {length} tecken, högst {MAX_URL_LENGTH} går. "
                         "Välj färre eller kortare filter.")


def url_args(req: SearchRequest) -> list[tuple[str, str]]:
    """The URL arguments that say `req`, defaults left out, in a stable order."""
    args: list[tuple[str, str]] = []
    if req.query:
        args.append(("q", req.query))
    for param, field in FACET_FIELDS.items():
        args.extend((param, v) for v in getattr(req, field))
    if req.date_from:
        args.append(("from", req.date_from.isoformat()))
    if req.date_to:
        args.append(("to", req.date_to.isoformat()))
    if req.sort != "relevance":
        args.append(("sort", req.sort))
    if req.per_page != PER_PAGE:
        args.append(("limit", str(req.per_page)))
    if req.page != 1:
        args.append(("page", str(req.page)))
    if req.exact:
        args.append(("exact", "1"))
    return args


def search_url(req: SearchRequest, base: str = "/") -> str:
    query = urlencode(url_args(req))
    return f"{base}?{query}" if query else base


def toggled(req: SearchRequest, facet: str, value: str) -> SearchRequest:
    """`req` with `value` of `facet` added if absent, removed if present; back to page 1."""
    field = FACET_FIELDS[facet]
    values = getattr(req, field)
    new = tuple(v for v in values if v != value) if value in values else (*values, value)
    return replace(req, **{field: new}, page=1)


def toggle_url(req: SearchRequest, facet: str, value: str, base: str = "/") -> str:
    return search_url(toggled(req, facet, value), base)


def without(req: SearchRequest, name: str) -> SearchRequest:
    """`req` without its query ("q") or date bound ("from", "to"); back to page 1."""
    field = {"q": "query", "from": "date_from", "to": "date_to"}[name]
    return replace(req, **{field: "" if name == "q" else None}, page=1)


def remove_url(req: SearchRequest, name: str, value: str | None = None, base: str = "/") -> str:
    """The URL without one filter: a facet value, or the query or a date bound."""
    if name in FACET_FIELDS:
        if value is None:
            raise ValueError("removing a facet filter needs its value")
        if value not in getattr(req, FACET_FIELDS[name]):
            return search_url(replace(req, page=1), base)
        return toggle_url(req, name, value, base)
    return search_url(without(req, name), base)


def cleared(req: SearchRequest) -> SearchRequest:
    """Every filter gone; the query, sort and page size kept."""
    return SearchRequest(query=req.query, sort=req.sort, per_page=req.per_page)


def has_filters(req: SearchRequest) -> bool:
    return cleared(req) != replace(req, page=1)


def page_url(req: SearchRequest, page: int, base: str = "/") -> str:
    return search_url(replace(req, page=page), base)


def suggestion_url(req: SearchRequest, suggestion: str, base: str = "/") -> str:
    return search_url(replace(req, query=suggestion, page=1, exact=False), base)


def exact_url(req: SearchRequest, base: str = "/") -> str:
    """The same search for the words as typed, not the spelling it was corrected to."""
    return search_url(replace(req, exact=True, page=1), base)


# -- presentation state for the search page ----------------------------------------
@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool
    toggle_url: str


@dataclass(frozen=True)
class Facet:
    name: str  # the URL parameter: group, type, year, theme
    title: str
    values: tuple[FacetValue, ...]

    @property
    def selected(self) -> tuple[FacetValue, ...]:
        return tuple(v for v in self.values if v.selected)


@dataclass(frozen=True)
class ActiveFilter:
    name: str
    label: str  # e.g. "Grupp: Naturvårdsgruppen"
    remove_url: str


Labeler = Callable[[str, str], str]  # (facet, value) -> what people read


def facets(result: SearchResult, req: SearchRequest, label: Labeler, base: str = "/") -> tuple[Facet, ...]:
    """Each facet's values with counts, ticked state and the URL that toggles them.

    A chosen value that no document has any more is still listed (count 0), so it can be
    unticked.
    """
    out = []
    for name, field in FACET_FIELDS.items():
        chosen = getattr(req, field)
        counts = dict(result.facets.get(name, {}))
        for v in chosen:
            counts.setdefault(v, 0)
        values = tuple(FacetValue(value=v, label=label(name, v), count=c, selected=v in chosen,
                                  toggle_url=toggle_url(req, name, v, base)) for v, c in counts.items())
        out.append(Facet(name=name, title=FACET_TITLES[name], values=values))
    return tuple(out)


def active_filters(req: SearchRequest, label: Labeler, date_label: Callable[[date], str],
                   base: str = "/") -> tuple[ActiveFilter, ...]:
    """The filters in force, each with the URL that removes it alone."""
    out = []
    for name, field in FACET_FIELDS.items():
        for v in getattr(req, field):
            out.append(ActiveFilter(name, f"{FACET_TITLES[name]}: {label(name, v)}",
                                    remove_url(req, name, v, base)))
    if req.date_from:
        out.append(ActiveFilter("from", f"Från: {date_label(req.date_from)}", remove_url(req, "from", base=base)))
    if req.date_to:
        out.append(ActiveFilter("to", f"Till: {date_label(req.date_to)}", remove_url(req, "to", base=base)))
    return tuple(out)


def page_numbers(current: int, last: int, around: int = 2) -> list[int | None]:
    """Page links to show: first, last and a window around the current one; None is a gap."""
    if last <= 1:
        return [1] if last == 1 else []
    shown = sorted({1, last, *range(max(1, current - around), min(last, current + around) + 1)})
    out: list[int | None] = []
    prev = 0
    for n in shown:
        if n - prev > 1:
            out.append(None)
        out.append(n)
        prev = n
    return out

