"""An Atom 1.0 feed (RFC 4287) of search hits, built as an XML tree, never pasted together as text."""
from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from typing import Callable, Iterable

from indexer import Hit

ATOM = "http://www.w3.org/2005/Atom"
ET.register_namespace("", ATOM)
# What XML 1.0 cannot hold at all, escaped or not: C0 controls other than tab, line feed and
# carriage return, lone surrogates, U+FFFE and U+FFFF. One in a title makes the whole feed
# unreadable to a conforming parser, so it is dropped.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_MARK = re.compile(r"</?mark>")
# A date without a time of day is that day at midnight UTC: the same instant on every request.
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def xml_text(text: str) -> str:
    """Drop the characters XML 1.0 forbids."""
    return _NOT_XML.sub("", text)


def plain_snippet(snippet: str) -> str:
    """A hit's HTML snippet (escaped text with <mark> added) as the plain text it was."""
    return html.unescape(_MARK.sub("", snippet))


def day_start(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=timezone.utc)


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Entry:
    hit: Hit
    url: str  # the document page, absolute; also the entry's id
    updated: datetime
    group_name: str
    type_label: str


@dataclass(frozen=True)
class Feed:
    title: str
    self_url: str  # the feed's own address, absolute; also its id
    html_url: str  # the same search as a page
    author: str
    categories_base: str  # the site's root, absolute: scheme of the categories


def _add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, f"{{{ATOM}}}{tag}", {k: xml_text(v) for k, v in attrs.items()})
    if text is not None:
        el.text = xml_text(text)
    return el


def atom(feed: Feed, entries: Iterable[Entry], now: Callable[[], datetime]) -> bytes:
    """The feed as UTF-8 XML; it was updated when its newest entry was, or now if it has none."""
    entries = list(entries)
    root = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": "sv"})
    _add(root, "id", feed.self_url)
    _add(root, "title", feed.title)
    _add(root, "updated", rfc3339(max((e.updated for e in entries), default=now())))
    _add(_add(root, "author"), "name", feed.author)
    _add(root, "link", rel="self", type="application/atom+xml", href=feed.self_url)
    _add(root, "link", rel="alternate", type="text/html", href=feed.html_url)
    _add(root, "generator", "Nätverksarkivet")
    for e in entries:
        entry = _add(root, "entry")
        _add(entry, "id", e.url)
        _add(entry, "title", e.hit.title or e.hit.id.rsplit("/", 1)[-1])
        _add(entry, "link", rel="alternate", type="text/html", href=e.url)
        stamp = rfc3339(e.updated)
        _add(entry, "published", stamp)
        _add(entry, "updated", stamp)
        _add(entry, "category", term=e.hit.group, label=e.group_name, scheme=f"{feed.categories_base}groups/")
        _add(entry, "category", term=e.hit.type, label=e.type_label, scheme=f"{feed.categories_base}?type=")
        summary = plain_snippet(e.hit.snippet)
        if summary:
            _add(entry, "summary", summary, type="text")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
