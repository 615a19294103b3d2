"""The Swedish analysis chain: the one place that decides what a word is."""
from __future__ import annotations

from whoosh.analysis import LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
from whoosh.lang.stopwords import stoplists

# Whoosh's StopFilter(lang="sv") adds its English stop list too ("IT", "may"
# vanish); passing the Swedish list alone keeps them.
SWEDISH_STOPWORDS = frozenset(stoplists["sv"])
WORD = r"\w+(?:[.']\w+)*"


def swedish_analyzer():
    """Tokenize, lowercase, drop Swedish stop words, stem with Snowball Swedish.

    å, ä and ö stay distinct letters (får/far, för/for). Better Swedish handling
    (compounds, lemmas) replaces this chain here and nowhere else.
    """
    return (
        RegexTokenizer(WORD)
        | LowercaseFilter()
        | StopFilter(stoplist=SWEDISH_STOPWORDS, minsize=1)
        | StemFilter(lang="sv", cachesize=50000)
    )


def word_analyzer():
    """Lowercased whole words, unstemmed: what spelling suggestions are drawn from."""
    return RegexTokenizer(r"[^\W\d_]{3,}") | LowercaseFilter()
