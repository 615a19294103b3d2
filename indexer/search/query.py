"""Turn what people type into a Whoosh query, never failing on odd input."""
from __future__ import annotations

import heapq
import itertools
import re
import threading
import unicodedata
from collections import OrderedDict

from whoosh import qparser, query
from whoosh.qparser import FieldAliasPlugin, MultifieldParser, MultifieldPlugin, OperatorsPlugin, PlusMinusPlugin, \
    QueryParser

from ..index import PARTS_BOOST
from ..lang import AND_WORDS, NOT_WORDS, OPERATOR_WORDS, OR_WORDS, alternatives

SEARCH_FIELDS = ("title", "content", "context", "parts")
# The index already weighs a title word TITLE_BOOST times a text word (its field boost);
# boosting it again at query time put a title's words nine times above the text's,
# which ranked real questions' answers lower (bench/questions.py).
BOOSTS = {"title": 1.0, "content": 1.0, "context": 0.8, "parts": PARTS_BOOST}
FIELD_ALIASES = {
    "title": ["titel", "rubrik"],
    "content": ["text"],
    "group": ["grupp"],
    "type": ["typ"],
    "themes": ["theme", "tema"],
    "year": ["år", "ar"],
}
MAX_QUERY_CHARS = 500
# What one query may cost in wildcards.  A wildcard is looked up in the vocabulary from
# the letters before its first * or ?: with fewer than MIN_WILDCARD_PREFIX of them it
# would walk every word of four fields (`*`, `?*`, `*an*`), so it is left out (a
# query of nothing else browses).  The wildcards after the first MAX_WILDCARDS are
# searched as their plain words.  Each one stands for at most MAX_WILDCARD_TERMS
# words per field, the most frequent of the first MAX_WILDCARD_SCAN it matches.
MIN_WILDCARD_PREFIX = 2
MAX_WILDCARDS = 3
MAX_WILDCARD_TERMS = 64
MAX_WILDCARD_SCAN = 2000
# A question mark that ends a word is punctuation ("Vad är bygglov?"), not a wildcard.
_TRAILING_QMARK = re.compile(r"(?<=\w)\?+(?=$|[\s)\"'.,;!])")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u00ad\u200b-\u200f\u2028\u2029\ufeff]")
_WILDCARD_WORD = re.compile(r"\S*[*?]\S*")
_WILDCARD_CHARS = re.compile(r"[*?]+")
_LEADING_SYNTAX = re.compile(r"^[-+(\"']*(?:\w+:)?[(\"']*")


def normalize_query(text: str) -> str:
    """NFC, no control characters, no trailing question marks, bounded length and wildcards."""
    text = unicodedata.normalize("NFC", text or "")
    text = _CONTROL.sub(" ", text)[:MAX_QUERY_CHARS]
    text = _TRAILING_QMARK.sub("", text)
    wildcards = 0

    def bounded(m: re.Match[str]) -> str:
        nonlocal wildcards
        # Wildcard terms are not analysed by Whoosh, so lowercase them as the index is.
        word = m[0].lower()
        syntax = _LEADING_SYNTAX.match(word)[0]  # -, +, ( or a field name before the word
        prefix = re.split(r"[*?]", word[len(syntax):], maxsplit=1)[0]
        if len(prefix) < MIN_WILDCARD_PREFIX:
            return ""
        wildcards += 1
        if wildcards > MAX_WILDCARDS:
            return syntax + _WILDCARD_CHARS.sub("", word[len(syntax):])
        return word

    text = _WILDCARD_WORD.sub(bounded, text)
    return " ".join(text.split())


def bound_expansions(q: query.Query, reader) -> query.Query:
    """Replace each wildcard, prefix or range by at most MAX_WILDCARD_TERMS of the words it matches."""
    def visit(node):
        if isinstance(node, query.MultiTerm):
            return _expansion(node, reader)
        return node
    return q.accept(visit)


def _expansion(node: query.MultiTerm, reader) -> query.Query:
    field = node.fieldname
    if field not in reader.schema:
        return query.NullQuery
    if isinstance(node, (query.Prefix, query.Wildcard)):
        # The vocabulary gives each word's document count as it is walked.
        prefix = re.split(r"[*?]", node.text, maxsplit=1)[0]
        pattern = re.compile(".*".join(".".join(map(re.escape, part.split("?"))) for part in node.text.split("*"))) \
            if isinstance(node, query.Wildcard) else None
        found = []
        for btext, info in itertools.islice(reader.iter_prefix(field, prefix), MAX_WILDCARD_SCAN):
            word = btext.decode("utf-8")
            if pattern is None or pattern.fullmatch(word):
                found.append((info.doc_frequency(), word))
        words = [w for _, w in heapq.nlargest(MAX_WILDCARD_TERMS, found)]
    else:  # a range, a regular expression: the first words in order
        words = [b.decode("utf-8") for b in itertools.islice(node._btexts(reader), MAX_WILDCARD_TERMS)]
    if not words:
        return query.NullQuery
    return query.Or([query.Term(field, w) for w in sorted(words)], boost=node.boost)


# Parsed queries a parser remembers.  Whoosh's parser takes a millisecond or more a
# chunk, and a never-asked query is mostly words asked before (each word is parsed
# on its own, see plain.py).
REMEMBERED_PARSES = 4096


class _RememberingParser(QueryParser):
    """Whoosh's parser, remembering what it parsed; the queries it gives are shared, never changed."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._parsed: OrderedDict[tuple[str, bool], query.Query] = OrderedDict()
        self._lock = threading.Lock()
        self.word_fields: tuple[tuple[str, float], ...] = ()  # (field, boost) a bare word is searched in

    def parse(self, text, normalize=True, debug=False):
        if debug:
            return super().parse(text, normalize=normalize, debug=debug)
        key = (text, normalize)
        with self._lock:
            found = self._parsed.get(key)
            if found is not None:
                self._parsed.move_to_end(key)
                return found
        q = self._word(text) if normalize and _LETTERS.fullmatch(text) else None
        if q is None:
            q = super().parse(text, normalize=normalize)
        with self._lock:
            self._parsed[key] = q
            while len(self._parsed) > REMEMBERED_PARSES:
                self._parsed.popitem(last=False)
        return q


    def _word(self, word: str) -> query.Query | None:
        """What parse() gives for one word of letters, without the parser's tokenizing and plugins.

        No plugin acts on such a word (operators need spaces around them, fields a colon),
        so the multifield plugin's Or of each field's term query is all there is.
        """
        if not self.word_fields:
            return None
        subs = [self.term_query(f, word, self.termclass, boost=b) for f, b in self.word_fields]
        subs = [q for q in subs if q is not None]
        return query.Or(subs).normalize() if subs else query.NullQuery


# A word of letters only: nothing in it is query syntax.
_LETTERS = re.compile(r"[^\W\d_]+")


def make_parser(schema) -> MultifieldParser:
    """Parse into a query over title, text and context, words AND'ed."""
    fields = [f for f in SEARCH_FIELDS if f in schema]
    # Whoosh's MultifieldParser(), made of the class that remembers.
    parser = _RememberingParser(None, schema, group=qparser.AndGroup)
    parser.add_plugin(MultifieldPlugin(fields, fieldboosts={f: BOOSTS[f] for f in fields}))
    parser.word_fields = tuple((f, BOOSTS[f]) for f in fields)
    parser.add_plugin(FieldAliasPlugin(FIELD_ALIASES))
    # A minus excludes only at a word's start: "Västra-Götaland" is one name, "-lupin" excludes.
    parser.add_plugin(PlusMinusPlugin(plusexpr=r"(?<![^\s(])\+(?=[\w\"])",
                                      minusexpr=r"(?<![^\s(])-(?=[\w\"])"))
    # Swedish operator words beside the English ones.
    parser.replace_plugin(OperatorsPlugin(
        And=rf"(?<=\s){alternatives(AND_WORDS)}(?=\s)",
        Or=rf"(?<=\s){alternatives(OR_WORDS)}(?=\s)",
        Not=rf"(^|(?<=(\s|[()]))){alternatives(NOT_WORDS)}(?=\s)",
        AndNot=r"(?<=\s)ANDNOT(?=\s)",
        AndMaybe=r"(?<=\s)ANDMAYBE(?=\s)",
        Require=r"(^|(?<=\s))REQUIRE(?=\s)",
    ))
    return parser


# Every name a query may give a field by, lowercased -> the index's field.
FIELD_OF = {f: f for f in SEARCH_FIELDS} | {
    name.lower(): field for field, names in FIELD_ALIASES.items() for name in (field, *names)}
_FIELD = re.compile(rf"(?<![\w:])(?:{'|'.join(sorted(FIELD_OF, key=len, reverse=True))}):(?=\S)", re.I)
# A minus excludes only before a word: "Utbildning - vad visar forskningen" is a dash.
_OPERATORS = re.compile(rf'[()*+\[\]{{}}^~]|(^|\s)-(?=[\w"])|\b{alternatives(OPERATOR_WORDS)}\b')


def has_operators(text: str) -> bool:
    """Say whether `text` uses query syntax beyond words and quoted phrases.

    A colon after a word that names no field is not syntax (EU:s, kl. 13:00).
    """
    return bool(_FIELD.search(text) or _OPERATORS.search(text))


def as_plain(text: str) -> str:
    """Text without operators as the clauses read it: each word of a hyphenated one, no stray colon or quote.

    startup-ansvarig is two words, each ranking on its own (and more side by
    side), not two words required in one field.
    """
    text = text.replace(":", " ")
    text = re.sub(r"(?<=\w)[-‐‑–/](?=\w)", " ", text)
    if text.count('"') % 2:
        head, _, tail = text.rpartition('"')
        text = head + " " + tail
    return " ".join(text.split())


def plain_words(text: str) -> str:
    """Keep only the words of `text`, lowercased so no word reads as an operator."""
    return " ".join(re.findall(r"\w+", text)).lower()


def parse(parser: MultifieldParser, text: str) -> query.Query | None:
    """Parse `text`; fall back to its plain words; None when nothing searchable remains."""
    for attempt in (text, plain_words(text)):
        if not attempt:
            continue
        try:
            q = parser.parse(attempt)
        except Exception:  # Whoosh raises many kinds on odd syntax; the words still count
            continue
        if q is not None and q is not query.NullQuery:
            return _without_positional_parts(q)
    return None


def _without_positional_parts(q: query.Query) -> query.Query:
    # The parts field keeps no positions: a phrase is matched on whole words only.
    def visit(node):
        if isinstance(node, (query.Phrase, query.Sequence)) and getattr(node, "fieldname", None) == "parts":
            return query.NullQuery
        return node
    return q.accept(visit).normalize()


def query_words(text: str) -> list[str]:
    """Return the plain words of a query, without field names, operators or quoted syntax."""
    text = re.sub(r"\b\w+:", " ", text)
    words = re.findall(r"[^\W\d_]{3,}", text)
    return [w for w in words if w not in OPERATOR_WORDS]
