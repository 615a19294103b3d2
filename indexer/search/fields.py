"""Field values as people write them: typ:minnesanteckningar, grupp:Naturvårdsgruppen, tema:"invasiva arter".

Groups, document types and themes are named by their slug or stored value, by
the Swedish label the UI shows, or by that label without å/ä/ö, in any case.
An unknown value is a BadRequest naming the values there are: in a query's
field syntax and in the filters (`--group`, `--type`, `--theme`, `group=`…).
"""
from __future__ import annotations

import re
from dataclasses import replace

from ..errors import ArkivError
from ..lang import ascii_slug
from ..models import TYPE_LABELS, ArchiveConfig, SearchRequest
from ..places import MUNICIPALITIES, REGIONS, place_name
from .query import FIELD_OF

# Besides a type's value and its label (TYPE_LABELS), the words the network uses for it.
TYPE_WORDS = {
    "minutes": ("minnesanteckning", "anteckningar", "protokoll"),
    "presentation": ("presentationer", "bilder"),
    "follow-up": ("uppföljningar", "uppföljningsdokument", "återrapport"),
    "agenda": ("inbjudan", "kallelse", "dagordning"),
    "other": ("annat",),
}
_VALUE_FIELDS = ("group", "type", "themes")
_FIELD_TERM = re.compile(
    r"(?<![\w:])(" + "|".join(sorted(map(re.escape, FIELD_OF), key=len, reverse=True)) + r'):("[^"]*"|[^\s()"]+)',
    re.IGNORECASE)


class BadRequest(ArkivError, ValueError):
    """A search request with impossible parameters (unknown sort, page 0, unknown group…)."""


def _key(text: str) -> str:
    return ascii_slug(text, max_len=200)


class FieldValues:
    """The values an archive's groups, types and themes may be named by."""

    def __init__(self, config: ArchiveConfig):
        self.groups: dict[str, str] = {}
        for g in config.groups:
            for name in (g.slug, g.name, re.sub(r"-?gruppen$", "", g.name, flags=re.I)):
                self.groups.setdefault(_key(name), g.slug)
        self.types = {_key(w): t for t, words in TYPE_WORDS.items() for w in (t, TYPE_LABELS[t], *words)}
        self.themes = {_key(th.name): th.name for th in config.themes}
        self._shown = {
            "group": ("okänd grupp", "grupper", [f"{g.name} ({g.slug})" for g in config.groups]),
            "type": ("okänd dokumenttyp", "typer", [f"{label.lower()} ({t})" for t, label in TYPE_LABELS.items()]),
            "themes": ("okänt tema", "teman", [th.name for th in config.themes]),
        }

    def canonical(self, field: str, value: str) -> str:
        """The stored value `value` names in `field` (group, type, themes); BadRequest if none."""
        table = {"group": self.groups, "type": self.types, "themes": self.themes}[field]
        found = table.get(_key(value))
        if found is None:
            what, plural, known = self._shown[field]
            listed = ", ".join(known) if known else "inga"
            raise BadRequest(f"{what} ”{value}”; möjliga {plural}: {listed}")
        return found

    @staticmethod
    def municipality(value: str) -> str:
        """The canonical name of a municipality or region named in any case, with or without å/ä/ö."""
        bare = re.sub(r"s?\s+(kommun|stad)$", "", value.strip(), flags=re.I)
        found = place_name(value) or place_name(bare)
        if found is None:
            raise BadRequest(f"okänd kommun eller region ”{value[:100]}”; "
                             f"möjliga: Sveriges {len(MUNICIPALITIES)} kommuner och {len(REGIONS)} regioner, "
                             "t.ex. Lerum, Borås, Region Skåne")
        return found

    def request(self, req: SearchRequest) -> SearchRequest:
        """`req` with its filters and its query's field values in their stored form."""
        return replace(
            req,
            groups=tuple(dict.fromkeys(self.canonical("group", g) for g in req.groups)),
            types=tuple(dict.fromkeys(self.canonical("type", t) for t in req.types)),
            themes=tuple(dict.fromkeys(self.canonical("themes", t) for t in req.themes)),
            municipalities=tuple(dict.fromkeys(self.municipality(m) for m in req.municipalities)),
            query=self.query(req.query),
        )

    def query(self, text: str) -> str:
        """Query text with each field named as the index names it, and group/type/theme values resolved."""
        def resolved(m: re.Match[str]) -> str:
            field = FIELD_OF[m[1].lower()]
            value = m[2]
            if field in _VALUE_FIELDS:
                value = '"' + self.canonical(field, value.strip('"')) + '"'
            return f"{field}:{value}"
        return _FIELD_TERM.sub(resolved, text or "")
