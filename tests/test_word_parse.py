"""A word of letters is turned into its query without Whoosh's parser: the same query as the parser's."""
from __future__ import annotations

import re

from whoosh.qparser import QueryParser

from indexer.index import build_schema
from indexer.search.query import make_parser

TRICKY = ["och", "OCH", "AND", "or", "NOT", "inte", "i", "å", "Ö", "EU", "Göteborgs", "miljömålsuppföljningen",
          "bostadsfrågorna", "İstanbul", "straße", "ﬁnns", "ǅemal", "ÆØÅ", "a" * 300, "länderna", "gick"]


def _both(parser, word):
    return parser.parse(word), QueryParser.parse(parser, word)


def test_a_word_of_letters_gets_the_parsers_own_query(sample_index):
    parser = make_parser(build_schema())
    texts = [p for d in sample_index.documents() for p in sample_index.document(d.id).pages]
    words = sorted({w for t in texts for w in re.findall(r"[^\W\d_]+", t)}) + TRICKY
    assert len(words) > 3000
    differ = [w for w in words if _both(parser, w)[0] != _both(parser, w)[1]]
    assert differ == []
    assert parser._word("klimat") is not None  # the fast path was taken, not the parser

