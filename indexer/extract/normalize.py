"""Text clean-up shared by every extractor: one canonical form for what gets indexed."""
from __future__ import annotations

import re
import unicodedata

from ..lang import rejoin_hyphenated

# Line separators that are not "\n": \v is python-pptx's soft line break, \f a page
# break that reached us inside a page, U+0085/U+2028/U+2029 Unicode line/paragraph ends.
_LINE_BREAKS = re.compile("\r\n?|[\v\f\x85\u2028\u2029]")

# Latin ligatures PDF fonts often map to: "ﬁnansiering" must match "finansiering".
_LIGATURE_MAP = {"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi",
                 "\ufb04": "ffl", "\ufb05": "st", "\ufb06": "st"}
_LIGATURES = re.compile("[\ufb00-\ufb06]")

_SPACES = re.compile(r" {2,}")
_EDGE_SPACES = re.compile(r"^ +| +$", re.MULTILINE)
_MANY_NEWLINES = re.compile(r"\n{3,}")
def _char_action(ch: str) -> str | None:
    """What to do with one character: None keeps it, otherwise its replacement."""
    if ch == "\n" or ch == "\t":
        return None
    cat = unicodedata.category(ch)
    if cat in ("Cc", "Cf", "Cs"):  # controls, format chars (soft hyphen, zero-width...), surrogates
        return ""
    if cat == "Co":  # private-use glyphs (symbol-font bullets): a separator, not a letter
        return " "
    if cat == "Zs" and ch != " ":  # no-break and other typographic spaces
        return " "
    if cat == "Cn" and (0xFDD0 <= ord(ch) <= 0xFDEF or (ord(ch) & 0xFFFE) == 0xFFFE):
        return ""  # non-characters
    return None


# Characters that never need a look: printable ASCII, \n, \t, Latin-1 and Latin
# Extended letters, Greek, Cyrillic, general punctuation (dashes, quotes, bullets) and
# currency signs.  Everything else goes through _char_action (cached per character).
_SUSPECT = re.compile(
    "[^\x20-\x7e\n\t\u00a1-\u00ac\u00ae-\u024f\u0370-\u03ff\u0400-\u04ff"
    "\u2010-\u2027\u2030-\u205e\u20a0-\u20c0]"
)
_ACTIONS: dict[str, str | None] = {}


def _replace(m: re.Match[str]) -> str:
    ch = m.group()
    try:
        action = _ACTIONS[ch]
    except KeyError:
        if len(_ACTIONS) > 100_000:  # pathological input: do not grow without bound
            _ACTIONS.clear()
        action = _ACTIONS[ch] = _char_action(ch)
    return ch if action is None else action


def _clean_chars(s: str) -> str:
    return _SUSPECT.sub(_replace, s)


def normalize_text(s: str) -> str:
    """Canonical text for indexing and display.

    NFC (so "a" + U+030A becomes "å"); line ends to "\\n"; soft hyphens, zero-width and
    other format characters and control characters (except "\\n" and "\\t") removed;
    typographic spaces to " ", runs of spaces collapsed, spaces trimmed at line ends;
    at most one blank line in a row; Latin ligatures (ﬁ, ﬂ) spelled out; a word hyphenated
    at a line end rejoined when the continuation starts lowercase and is not a
    conjunction ("miljö-\\nmålsuppföljning" -> "miljömålsuppföljning", but
    "miljö-\\noch hälsoskydd" and "Västra Götaland-\\nRegionen" stay).
    """
    if not s:
        return ""
    s = _LINE_BREAKS.sub("\n", s)
    # A soft hyphen at a line end is a hyphenation point: the word continues on the next line.
    s = re.sub(r"\u00ad[ \t]*\n[ \t]*", "", s)
    s = _clean_chars(s)
    if not unicodedata.is_normalized("NFC", s):
        s = unicodedata.normalize("NFC", s)
    s = _LIGATURES.sub(lambda m: _LIGATURE_MAP[m.group()], s)
    s = _SPACES.sub(" ", s)
    s = _EDGE_SPACES.sub("", s)
    s = rejoin_hyphenated(s)
    s = _MANY_NEWLINES.sub("\n\n", s)
    return s.strip()


def clean_line(s: str) -> str:
    """One line: control and format characters gone, every run of white space one space."""
    return " ".join(_clean_chars(_LINE_BREAKS.sub("\n", s)).split())


def normalize_markup(s: str) -> str:
    """Markdown cleaned as normalize_text cleans text, but its spaces and lines kept (they are syntax)."""
    if not s:
        return ""
    s = _clean_chars(_LINE_BREAKS.sub("\n", s))
    if not unicodedata.is_normalized("NFC", s):
        s = unicodedata.normalize("NFC", s)
    return _LIGATURES.sub(lambda m: _LIGATURE_MAP[m.group()], s).strip("\n")


def one_line(s: str | None) -> str | None:
    """A property value (title, heading) as a single normalised line; None when empty."""
    if s is None:
        return None
    s = normalize_text(str(s))
    s = " ".join(s.split())
    return s or None


def count_letters(s: str) -> int:
    return sum(1 for c in s if c.isalpha())


# Dot leaders of a table of contents ("Syfte . . . . . . 6", "Altan ........ 8"): many
# punctuation characters that are not garbage.  Removed before judging a page.
_LEADERS = re.compile(r"(?:[.·…_\-–—•] ?){3,}")
# Glyph names and CIDs some extractors emit when a font has no Unicode map:
# "/g936/g1007", "/uni00E5", "(cid:123)".
_GLYPH_NAMES = re.compile(r"/(?:g|G|uni|cid)[0-9A-Fa-f]+|\(cid:\d+\)")


def is_garbage(raw: str) -> bool:
    """True when a page's extracted text is mostly not text.

    Judged on the raw extractor output, before normalize_text() removes the evidence:
    fonts without a usable ToUnicode map come out as control characters, private-use
    glyphs, U+FFFD or unassigned code points, glyph names (/g123, (cid:45)), or runs of
    ASCII punctuation.  Table-of-contents leaders and number tables are not garbage.
    """
    text = _LEADERS.sub(" ", raw)
    chars = [c for c in text if not c.isspace()]
    n = len(chars)
    if n < 20:
        return False
    glyph_chars = sum(len(m) for m in _GLYPH_NAMES.findall(text))
    if glyph_chars / n > 0.3:
        return True
    bad = good = 0
    for c in chars:
        cat = unicodedata.category(c)
        if c.isalnum() or cat[0] == "M":
            good += 1
            continue
        if cat in ("Cc", "Co", "Cn", "Cs") or c == "\ufffd":
            bad += 1
    if bad / n > 0.2:
        return True
    # Text is mostly letters, tables mostly digits; punctuation soup is neither.
    return good / n < 0.4
