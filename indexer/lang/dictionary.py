"""Swedish word knowledge from the Hunspell dictionary: lemmas and compound parts.

The dictionary (PyPI `hunspell-sv`, LGPL-3.0, or Debian's `hunspell-sv`) is
read once per process into plain lookup tables; the analysis filters call the
module functions below, so no table is ever pickled into the index.
"""
from __future__ import annotations

import re
import sys
import sysconfig
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

DICTIONARY_NAME = "sv_SE"
DATA_DIR = Path(__file__).resolve().parent / "data"
OVERRIDES_FILE = DATA_DIR / "sv_compounds.txt"
LEMMAS_FILE = DATA_DIR / "sv_lemmas.txt"

# Hunspell flags in sv_SE.aff (see its header comments).
FLAG_BEGIN, FLAG_MIDDLE, FLAG_END, FLAG_ONLY_IN_COMPOUND = "X", "U", "Y", "Z"
FLAG_NEEDAFFIX, FLAG_FORBIDDEN = "¤", "%"
NOUN_FLAGS = frozenset("BCDEFGHI")  # declension classes in sv_SE.aff
MIN_PART = 3  # shorter parts (å, ö, ek) split too eagerly
MAX_PARTS = 4
# Verb particles and prefixes: "genomförande", "underlag", "uppföljning" are words, not compounds.
PARTICLES = frozenset("""
    an av bak bort efter emot fram före förbi genom hem hit igen in intill kring kvar loss med mellan
    mot ned ner om omkring på runt samman sönder till tillbaka undan under upp ur ut utöver vid åter
    över be bi er för miss sam van
""".split())


def dictionary_paths() -> tuple[Path, Path] | None:
    """Find sv_SE.dic/.aff: the installed `hunspell-sv` package, then the system's."""
    candidates = [Path(sysconfig.get_paths()["data"]) / "share" / "hunspell",
                  Path(sys.prefix) / "share" / "hunspell",
                  Path("/usr/share/hunspell"), Path("/usr/share/myspell/dicts")]
    for folder in candidates:
        dic, aff = folder / f"{DICTIONARY_NAME}.dic", folder / f"{DICTIONARY_NAME}.aff"
        if dic.is_file() and aff.is_file():
            return dic, aff
    return None


@dataclass(frozen=True)
class Rule:
    flag: str
    strip: str
    add: str
    cont: str  # continuation flags: compound-forming rules carry X/U here
    cond: re.Pattern


@dataclass
class Tables:
    words: dict[str, str]  # lowercased dictionary word -> its flags
    by_ending: dict[str, list[Rule]]  # suffix added -> inflection rules adding it
    begin: dict[str, str]  # form that may start a compound -> its base word
    middle: dict[str, str]  # form that may sit inside a compound -> its base word
    overrides: dict[str, tuple[str, ...]]  # reviewed splits, "" for "never split"
    max_ending: int
    lemmas: dict[str, str] = None  # reviewed lemmas
    by_flag: dict[str, list[Rule]] = field(default_factory=dict)  # every rule, by its flag
    reviewed_sources: dict[str, tuple[str, ...]] = field(default_factory=dict)  # reviewed result -> its words


def _parse_aff(text: str) -> list[Rule]:
    rules = []
    for line in text.splitlines():
        f = line.split()
        if len(f) >= 5 and f[0] == "SFX" and f[2] != "Y" and f[2] != "N":
            strip = "" if f[2] == "0" else f[2]
            add, _, cont = f[3].partition("/")
            add = "" if add == "0" else add
            cond = f[4]
            rules.append(Rule(f[1], strip, add, cont, re.compile("(?:" + ("." if cond == "." else cond) + ")$")))
    return rules


def _load_overrides(path: Path) -> dict[str, tuple[str, ...]]:
    found: dict[str, tuple[str, ...]] = {}
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            word, _, parts = line.partition("=")
            found[word.strip().lower()] = tuple(p.strip().lower() for p in parts.split("+") if p.strip())
    return found


def build_tables(dic: Path, aff: Path, overrides: Path = OVERRIDES_FILE, lemmas: Path = LEMMAS_FILE) -> Tables:
    rules = _parse_aff(aff.read_text(encoding="utf-8"))
    words: dict[str, str] = {}
    with dic.open(encoding="utf-8") as f:
        next(f)  # the first line is the entry count
        for line in f:
            entry = line.split(None, 1)[0] if line.strip() else ""
            word, _, flags = entry.partition("/")
            if not word or FLAG_FORBIDDEN in flags:
                continue
            key = word.lower()
            words[key] = words.get(key, "") + flags
    by_flag: dict[str, list[Rule]] = {}
    for r in rules:
        by_flag.setdefault(r.flag, []).append(r)
    by_ending: dict[str, list[Rule]] = {}
    for r in rules:
        if not r.cont:  # inflections; compound-forming rules are expanded below
            by_ending.setdefault(r.add, []).append(r)
    begin: dict[str, str] = {}
    middle: dict[str, str] = {}
    compound_flags = {r.flag for r in rules if FLAG_BEGIN in r.cont or FLAG_MIDDLE in r.cont}
    def note(table: dict[str, str], form: str, base: str) -> None:
        # Several words may give one form (nätverks- from nätverk and nätverka): keep the shortest.
        old = table.get(form)
        if old is None or len(base) < len(old):
            table[form] = base

    for word, flags in words.items():
        if FLAG_BEGIN in flags:
            note(begin, word, word)
        if FLAG_MIDDLE in flags:
            note(middle, word, word)
        for flag in set(flags) & compound_flags:
            for r in by_flag[flag]:
                if word.endswith(r.strip) and r.cond.search(word):
                    form = word[:len(word) - len(r.strip)] + r.add
                    if len(form) < 2 or "-" in form:
                        continue
                    if FLAG_BEGIN in r.cont:
                        note(begin, form, word)
                    if FLAG_MIDDLE in r.cont:
                        note(middle, form, word)
    for table in (begin, middle):
        for form, base in table.items():
            # "avtals-" is avtal + s, not the verb avtala: a linking s after a word wins.
            if form.endswith("s") and form[:-1] in words and base != form[:-1]:
                table[form] = form[:-1]
    splits = _load_overrides(overrides)
    reviewed = {w: p[0] for w, p in _load_overrides(lemmas).items() if p}
    return Tables(words=words, by_ending=by_ending, begin=begin, middle=middle,
                  overrides=splits, max_ending=max(map(len, by_ending)), lemmas=reviewed, by_flag=by_flag,
                  reviewed_sources=_sources(reviewed, splits))


def _sources(lemmas: dict[str, str], splits: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    found: dict[str, list[str]] = {}
    for word, result in [*lemmas.items(), *((w, p) for w, parts in splits.items() for p in parts)]:
        found.setdefault(result, []).append(word)
    return {result: tuple(words) for result, words in found.items()}


_tables: Tables | None = None
_tables_lock = threading.Lock()
_EMPTY = Tables({}, {}, {}, {}, {}, 0, {})


def tables() -> Tables:
    """Return the process-wide tables, read on first use; empty when no dictionary is installed."""
    global _tables
    if _tables is None:
        with _tables_lock:
            if _tables is None:
                paths = dictionary_paths()
                _tables = build_tables(*paths) if paths else _EMPTY
    return _tables


def has_dictionary() -> bool:
    return tables() is not _EMPTY


# Plural endings the dictionary's flags sometimes miss on nouns (arter -> art, not the verb arta).
_PLURAL_ENDINGS = ("ernas", "erna", "ers", "er")


def _standalone(flags: str | None) -> bool:
    return flags is not None and FLAG_NEEDAFFIX not in flags and FLAG_ONLY_IN_COMPOUND not in flags


def _bases(word: str, t: Tables) -> list[str]:
    """Dictionary words that `word` is an inflected form of (itself first when it is one)."""
    found = []
    if _standalone(t.words.get(word)):
        found.append(word)
    for n in range(min(len(word) - 1, t.max_ending), -1, -1):
        for r in t.by_ending.get(word[len(word) - n:], ()):
            stem = word[:len(word) - n] + r.strip
            f = t.words.get(stem)
            if f is not None and r.flag in f and r.cond.search(stem) and stem not in found:
                found.append(stem)
    for ending in _PLURAL_ENDINGS:
        stem = word[: -len(ending)]
        if word.endswith(ending) and len(stem) >= MIN_PART and _standalone(t.words.get(stem)) \
                and stem not in found:
            found.append(stem)
    return found


@lru_cache(maxsize=4096)
def base_needles(base: str) -> frozenset[str]:
    """Return strings one of which every word whose base form, or a part's, is `base` contains.

    A rule strips at most its `strip` from the end of a base, a compound part is a
    substring of its compound, and Snowball only cuts endings: so such a word holds
    `base`'s first letters (länder -> land keeps one, miljöfrågorna -> fråga three).
    A reviewed lemma or split gives `base` from the words it lists: theirs too.
    """
    t = tables()
    return frozenset(w[:_kept_letters(w, t)] for w in (base, *t.reviewed_sources.get(base, ())))


def _kept_letters(base: str, t: Tables) -> int:
    # A compound the dictionary does not list is lemmatised by its last part, after a
    # first part of at least MIN_PART letters: no more than those are promised.
    kept = min(len(base), MIN_PART)
    for flag in set(t.words.get(base, "")):
        for r in t.by_flag.get(flag, ()):
            if base.endswith(r.strip) and r.cond.search(base):
                kept = min(kept, len(base) - len(r.strip))
    return kept


@lru_cache(maxsize=300_000)
def listed(word: str) -> bool:
    """Say whether the dictionary lists a lowercased word or inflects a listed one into it.

    Unlike lemma(), a compound the dictionary does not list is not enough:
    landskapsplanring splits into landskap, plan and ring but is a typo.
    """
    t = tables()
    return word in t.lemmas or bool(_bases(word, t))


def lemma(word: str) -> str | None:
    """Return the base form of a lowercased word, or None if the dictionary does not know it.

    strategin -> strategi, nätverkets -> nätverk; a compound the dictionary
    does not list is lemmatised by its last part: miljömålsuppföljningen ->
    miljömålsuppföljning.
    """
    t = tables()
    if word in t.lemmas:
        return t.lemmas[word]
    if word.endswith("s") and len(word) > MIN_PART + 1 and not NOUN_FLAGS & set(t.words.get(word, "")):
        # A passive (följs, behövs) is its verb: the dictionary lists it as a word of its own.
        verbs = [b for b in _bases(word[:-1], t) if b.endswith("a") and b != word[:-1]]
        if verbs:
            return min(verbs, key=len)
    bases = _bases(word, t)
    # Imperatives are listed as words (följ): the infinitive beside one is the lemma.
    bases = [b for b in bases if not (b + "a" in bases and not NOUN_FLAGS & set(t.words.get(b, "")))]
    if bases:
        # The dictionary lists some inflected forms as words of their own (nätverket,
        # kommunerna): the shortest base is the lemma; on a tie, the word itself.
        return min(bases, key=len)
    if len(word) >= 2 * MIN_PART:
        parts = _split(word, t)
        if parts:
            return word[: len(word) - len(parts[-1][0])] + parts[-1][1]
    return None


def _ends(rest: str, t: Tables) -> str | None:
    ends = [b for b in _bases(rest, t) if FLAG_END in t.words.get(b, "") and b not in PARTICLES]
    return min(ends, key=len) if ends else None


def _split(word: str, t: Tables, depth: int = 0) -> list[tuple[str, str]] | None:
    """Split into (surface, base) parts, fewest parts first; None when it is no compound."""
    table = t.middle if depth else t.begin
    best: list[tuple[str, str]] | None = None
    for i in range(len(word) - MIN_PART, MIN_PART - 1, -1):
        head = word[:i]
        candidates = [(head, word[i:])]
        if i >= 2 and word[i - 1] == word[i]:  # "fallucka" = fall + lucka: a triple letter was simplified
            candidates.append((head + word[i - 1], word[i:]))
        for prefix, rest in candidates:
            base = table.get(prefix) or (t.begin.get(prefix) if depth else None)
            if base is None or base in PARTICLES or len(base) < MIN_PART:
                continue
            end = _ends(rest, t)
            if end is not None and len(rest) >= MIN_PART:
                return [(prefix, base), (rest, end)]
            if depth + 2 < MAX_PARTS and best is None:
                tail = _split(rest, t, depth + 1)
                if tail:
                    best = [(prefix, base), *tail]
    return best


@lru_cache(maxsize=300_000)
def compound_parts(word: str) -> tuple[str, ...]:
    """Return the base forms of a lowercased compound's parts, or () if it is not one.

    Words the dictionary lists whole are not split (nätverk is not nät + verk)
    unless the reviewed override file says so.
    """
    t = tables()
    if word in t.overrides:
        return t.overrides[word]
    bases = _bases(word, t)
    if bases:
        for base in bases:
            if base in t.overrides:
                return t.overrides[base]
        return ()
    if len(word) < 2 * MIN_PART:
        return ()
    parts = _split(word, t)
    if not parts:
        return ()
    out: list[str] = []
    for _, base in parts:
        # A part may itself be a listed compound with a reviewed split: keep both.
        out.append(base)
        out.extend(t.overrides.get(base, ()))
    return tuple(dict.fromkeys(out))
