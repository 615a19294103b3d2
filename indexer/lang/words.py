"""Which query words ask rather than name, and which base forms are one word family."""
from __future__ import annotations

import re
import threading
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
FUNCTION_WORDS_FILE = DATA_DIR / "sv_function_words.txt"
DERIVATIONS_FILE = DATA_DIR / "sv_derivations.txt"

_lock = threading.Lock()
_tables: tuple[frozenset[str], dict[str, tuple[str, ...]], dict[tuple[str, str], str]] | None = None


def _data_lines(path: Path):
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            yield line.strip()


def _load():
    global _tables
    if _tables is None:  # as dictionary.tables(): the lock only while the tables are read
        with _lock:
            if _tables is None:
                _tables = _read_tables()
    return _tables


def _read_tables():
    function = frozenset(w for line in _data_lines(FUNCTION_WORDS_FILE) for w in line.split())
    family: dict[str, list[str]] = {}
    particle_verbs: dict[tuple[str, str], str] = {}
    for line in _data_lines(DERIVATIONS_FILE):
        verb, noun = re.split(r"\s{2,}", line)
        words = verb.split()
        if len(words) > 1:  # a particle verb: "följa upp" is looked up as a pair
            particle_verbs[(words[0], " ".join(words[1:]))] = noun
            continue
        family.setdefault(verb, []).append(noun)
        family.setdefault(noun, []).append(verb)
    return function, {k: tuple(v) for k, v in family.items()}, particle_verbs


def is_function_word(word: str) -> bool:
    """Say whether a typed word asks or joins (vad, hur, får, finns, kring) rather than names a topic."""
    return word.lower() in _load()[0]


def word_family(base: str) -> tuple[str, ...]:
    """The other base forms of a base form's word family: besluta -> beslut, beslut -> besluta."""
    return _load()[1].get(base, ())


def particle_verb_noun(verb_base: str, particle: str) -> str | None:
    """The noun of a particle verb written as two words: (följa, upp) -> uppföljning."""
    return _load()[2].get((verb_base, particle.lower()))
