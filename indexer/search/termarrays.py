"""BM25F for plain-word queries from per-term arrays: Whoosh's scores without its matchers.

A never-asked query spent most of its time in Whoosh's matcher trees: a union
of four fields per word, each posting visited in Python (bench/latency.py on
44k pages: 100-200 ms for two common words).  Here each term's postings are
read once per committed index state as (document number, weight) arrays, and a
query's score is computed over whole arrays with numpy: the same BM25F, the
same boosts, the same tree of Or/And/AndMaybe, so the same ranking
(tests/test_termarrays.py compares both on every kind of plain query).

Word order (a Phrase) needs positions.  A phrase that ranks (the pairs and
whole phrasing a topic adds, under AndMaybe) can at most add its words' own
scores in its field; that bound is computed for every document, and positions
are read only for the best documents by bound until no unread document could
still reach the page (a "max-score" top-k, exact).  A phrase that decides
which documents match (a quoted phrase) is matched by Whoosh, as before.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np
from whoosh import query as wq
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, _lenfield
from whoosh.reading import TermNotFound
from whoosh.util.numeric import byte_to_length

# The postings arrays kept per committed state: a common word's are 16 bytes a
# document, so this holds the 40-odd commonest words' of a 44k-page archive and
# every rarer word a day's searches ask for.
TERM_ARRAYS_BYTES = 64 * 1024 * 1024
FIRST_BATCH = 32  # documents past the page whose phrases are checked first
# Terms a query scores before its time budget is looked at.  A plain query has a few
# per word, each bounded by the archive's size; the budget is for a wildcard's many.
# Without this, a first search that also pays for loading the dictionary would answer
# nothing at all.
BUDGET_FREE_TERMS = 32
_BYTE_TO_LENGTH = np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)


class Unsupported(Exception):
    """The query holds a node this module does not score; let Whoosh's matchers run it."""


@dataclass
class _Pending:
    """A ranking phrase not yet checked: what it adds to each document where its words stand in order."""

    node: wq.Phrase
    bound: np.ndarray  # by document number: its words' scores in its field times the boosts above it


@dataclass
class Scored:
    """A query's sure scores and matches by document number, and the phrases still to check."""

    score: np.ndarray
    mask: np.ndarray
    pending: list[_Pending] = field(default_factory=list)


class TermArrays:
    """One committed state's postings and field lengths as arrays, shared by the threads searching it."""

    def __init__(self, max_bytes: int = TERM_ARRAYS_BYTES):
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._terms: OrderedDict[tuple[str, bytes], tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._bytes = 0
        self._lengths: dict[str, np.ndarray] = {}

    def postings(self, searcher, fieldname: str, btext: bytes) -> tuple[np.ndarray, np.ndarray]:
        """The documents holding a term (deleted ones too) and its weight in each."""
        key = (fieldname, btext)
        with self._lock:
            found = self._terms.get(key)
            if found is not None:
                self._terms.move_to_end(key)
                return found
        # Read outside the lock, with this thread's own searcher (its own file positions);
        # two threads reading the same term at once both get the same arrays.
        found = _read_postings(searcher.reader(), fieldname, btext)
        size = found[0].nbytes + found[1].nbytes
        with self._lock:
            if key not in self._terms and size <= self.max_bytes:
                self._terms[key] = found
                self._bytes += size
                while self._bytes > self.max_bytes:
                    old = self._terms.popitem(last=False)[1]
                    self._bytes -= old[0].nbytes + old[1].nbytes
        return found

    def lengths(self, searcher, fieldname: str) -> np.ndarray:
        """Every document's length in a field, as Whoosh's scorer reads it (1 where none is stored)."""
        with self._lock:
            found = self._lengths.get(fieldname)
        if found is None:
            found = _read_lengths(searcher.reader(), fieldname)
            with self._lock:
                self._lengths.setdefault(fieldname, found)
        return found


def _read_postings(reader, fieldname: str, btext: bytes) -> tuple[np.ndarray, np.ndarray]:
    docs, weights = [], []
    for leaf, offset in reader.leaf_readers():
        try:  # one look-up of the term, not a test and then another
            m = leaf.postings(fieldname, btext)
        except TermNotFound:
            continue
        while not isinstance(m, W3LeafMatcher) and hasattr(m, "child"):
            m = m.child  # past the filter that hides deleted documents: the caller masks them
        ids, ws = _blocks(m) if isinstance(m, W3LeafMatcher) else _one_by_one(m)
        docs.append(ids + offset)
        weights.append(ws)
    if not docs:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    return np.concatenate(docs), np.concatenate(weights)


def _blocks(m: W3LeafMatcher) -> tuple[np.ndarray, np.ndarray]:
    """Read a term's postings a block (up to 128 postings) at a time, not a posting at a time."""
    if m._byteids:  # ids that are strings: no postings of a search field are
        return _one_by_one(m)
    m.reset()  # the filter hiding deleted documents may have moved it past the first ones
    ids, ws = [], []
    while m.is_active():
        # Decoded here as whole arrays: the matcher's own _read_ids()/_read_weights() undo
        # the delta coding and expand a block's one weight a posting at a time in Python.
        if m._data is None:
            m._read_data()
        raw, weights = m._data[0], m._data[1]
        block = np.cumsum(np.asarray(raw, dtype=np.int64))
        ids.append(block)
        if weights is None or isinstance(weights, float):
            # As the matcher gives them: one weight repeated, through a float32 array.
            ws.append(np.full(len(block), np.float32(1.0 if weights is None else weights), dtype=np.float64))
        else:
            ws.append(np.asarray(weights, dtype=np.float64))
        m._next_block()
    if not ids:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    return np.concatenate(ids), np.concatenate(ws)


def _one_by_one(m) -> tuple[np.ndarray, np.ndarray]:
    ids, ws = [], []
    while m.is_active():
        ids.append(m.id())
        ws.append(m.weight())
        m.next()
    return np.array(ids, dtype=np.int64), np.array(ws, dtype=np.float64)


def _read_lengths(reader, fieldname: str) -> np.ndarray:
    out = np.ones(reader.doc_count_all(), dtype=np.float64)
    for leaf, offset in reader.leaf_readers():
        n = leaf.doc_count_all()
        column = _length_column(leaf, fieldname)
        if column is not None:
            raw = np.frombuffer(column._dbfile.get(column._basepos, min(column._count, n)), dtype=np.uint8)
            codes = np.zeros(n, dtype=np.uint8)
            codes[:len(raw)] = raw
            lengths = _BYTE_TO_LENGTH[codes]
        else:
            lengths = np.array([leaf.doc_field_length(d, fieldname, 0) or 0 for d in range(n)], dtype=np.float64)
        out[offset:offset + n] = np.where(lengths > 0, lengths, 1.0)
    return out


def _length_column(leaf, fieldname: str):
    perdoc = getattr(leaf, "_perdoc", None)
    if perdoc is None or not hasattr(perdoc, "_cached_reader"):
        return None
    column = perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    return column if all(hasattr(column, a) for a in ("_dbfile", "_basepos", "_count")) else None


class Scorer:
    """Score one query over every document with one searcher: BM25F as Whoosh's BM25F computes it."""

    def __init__(self, arrays: TermArrays, searcher, B: float, K1: float, over=lambda: False):
        self.arrays = arrays
        self.over = over  # the search's time budget is spent: score no further terms
        self.cut = False
        self.searcher = searcher
        self.B, self.K1 = B, K1
        self.n = searcher.doc_count_all()
        self.schema = searcher.schema
        self._scores: dict[tuple[str, object], tuple[np.ndarray, np.ndarray]] = {}

    # -- one term ---------------------------------------------------------------
    def term(self, fieldname: str, text) -> tuple[np.ndarray, np.ndarray]:
        """The documents holding a term and its BM25F score in each (boost not applied)."""
        key = (fieldname, text)
        if key not in self._scores and len(self._scores) >= BUDGET_FREE_TERMS and (self.cut or self.over()):
            self.cut = True  # what was scored so far is the answer, flagged partial
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        if key not in self._scores:
            self._scores[key] = self._term(fieldname, text)
        return self._scores[key]

    def _term(self, fieldname: str, text) -> tuple[np.ndarray, np.ndarray]:
        if fieldname not in self.schema:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        btext = self.schema[fieldname].to_bytes(text)
        docs, weights = self.arrays.postings(self.searcher, fieldname, btext)
        if not len(docs):
            return docs, weights
        if not self.schema[fieldname].scorable:
            return docs, weights
        idf = self.searcher.idf(fieldname, btext)
        avgfl = self.searcher.avg_field_length(fieldname) or 1
        fl = self.arrays.lengths(self.searcher, fieldname)[docs]
        B, K1 = self.B, self.K1
        # The operations in the order of whoosh.scoring.bm25, so the floats come out the same.
        return docs, idf * ((weights * (K1 + 1)) / (weights + K1 * ((1 - B) + B * fl / avgfl)))

    # -- a query tree -------------------------------------------------------------
    def score(self, q: wq.Query) -> Scored:
        """Every document's score for `q` and whether it matches; ranking phrases left pending."""
        out = Scored(np.zeros(self.n), np.zeros(self.n, dtype=bool))
        self._add(q, 1.0, out, optional=False)
        return out

    def _add(self, q, factor: float, out: Scored, optional: bool) -> None:
        if isinstance(q, wq.Term):
            docs, scores = self.term(q.fieldname, q.text)
            out.score[docs] += scores * (q.boost * factor) if q.boost != 1.0 else scores * factor
            out.mask[docs] = True
        elif isinstance(q, (wq.Or, wq.And)) and type(q) in (wq.Or, wq.And):
            if isinstance(q, wq.Or) and (q.scale or q.minmatch):
                raise Unsupported(repr(q))
            subs = q.subqueries
            # Whoosh builds no matcher of its own for one subquery, and so drops its boost.
            boost = q.boost if len(subs) > 1 else 1.0
            if isinstance(q, wq.Or):
                for sub in subs:
                    self._add(sub, factor * boost, out, optional)
            else:
                self._and(subs, factor * boost, out)
        elif isinstance(q, wq.AndMaybe):
            a = Scored(np.zeros(self.n), np.zeros(self.n, dtype=bool))
            self._add(q.a, 1.0, a, optional=False)
            b = Scored(np.zeros(self.n), np.zeros(self.n, dtype=bool))
            self._add(q.b, 1.0, b, optional=True)
            out.score += factor * (a.score + b.score * a.mask)
            out.mask |= a.mask
            out.pending.extend(_Pending(p.node, p.bound * a.mask * factor) for p in a.pending + b.pending)
        elif isinstance(q, wq.AndNot):
            a = Scored(np.zeros(self.n), np.zeros(self.n, dtype=bool))
            self._add(q.a, 1.0, a, optional=False)
            b = Scored(np.zeros(self.n), np.zeros(self.n, dtype=bool))
            self._add(q.b, 1.0, b, optional=False)  # only its matches count: pending phrases would not
            if b.pending:
                raise Unsupported("a ranking phrase in what is left out")
            mask = a.mask & ~b.mask
            out.score += factor * a.score * mask
            out.mask |= mask
            out.pending.extend(_Pending(p.node, p.bound * mask * factor) for p in a.pending)
        elif isinstance(q, wq.Phrase):
            docs, bound = self.phrase_bound(q)
            if optional:
                dense = np.zeros(self.n)
                dense[docs] = bound * factor
                out.pending.append(_Pending(q, dense))
            else:
                matched = np.fromiter(q.docs(self.searcher), dtype=np.int64)
                keep = np.isin(docs, matched, assume_unique=True)
                out.score[docs[keep]] += bound[keep] * factor
                out.mask[docs[keep]] = True
        elif q is wq.NullQuery or isinstance(q, type(wq.NullQuery)):
            return
        else:
            raise Unsupported(type(q).__name__)

    def _and(self, subs, factor: float, out: Scored) -> None:
        parts = []
        for sub in subs:
            part = Scored(np.zeros(self.n), np.zeros(self.n, dtype=bool))
            self._add(sub, 1.0, part, optional=False)
            if part.pending:
                raise Unsupported("a ranking phrase inside And")
            parts.append(part)
        mask = np.logical_and.reduce([p.mask for p in parts])
        out.score += factor * sum(p.score for p in parts) * mask
        out.mask |= mask

    def phrase_bound(self, q: wq.Phrase) -> tuple[np.ndarray, np.ndarray]:
        """The documents holding all of a phrase's words in its field, and what the phrase scores there.

        Whoosh scores a phrase as the sum of its words' scores (its matcher is an
        intersection of theirs), times its boost, wherever the words stand in order.
        """
        if q.fieldname not in self.schema or not q.words:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        terms = [self.term(q.fieldname, w) for w in q.words]
        if any(not len(d) for d, _ in terms):
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        docs = terms[0][0]
        for d, _ in terms[1:]:
            docs = np.intersect1d(docs, d, assume_unique=True)
        total = np.zeros(len(docs))
        for d, s in terms:
            total += s[np.searchsorted(d, docs)]
        return docs, total * q.boost

    # -- positions ----------------------------------------------------------------
    def in_order(self, q: wq.Phrase, docnums: np.ndarray) -> np.ndarray:
        """Which of `docnums` (sorted) hold the phrase's words in order, as Whoosh's Phrase matches them."""
        found = np.zeros(len(docnums), dtype=bool)
        field = self.schema[q.fieldname]
        words = [field.to_bytes(w) for w in q.words]
        for sub, offset in _subsearchers(self.searcher):
            reader = sub.reader()
            lo, hi = np.searchsorted(docnums, [offset, offset + reader.doc_count_all()])
            if lo == hi or any((q.fieldname, w) not in reader for w in words):
                continue
            matchers = [reader.postings(q.fieldname, w) for w in words]
            for i in range(lo, hi):
                local = int(docnums[i]) - offset
                lists = []
                for m in matchers:
                    if m.is_active() and m.id() < local:
                        m.skip_to(local)
                    if not m.is_active() or m.id() != local:
                        break
                    lists.append(m.value_as("positions"))
                else:
                    found[i] = _spans_in_order(lists, q.slop)
        return found


def _subsearchers(searcher):
    subs = getattr(searcher, "subsearchers", None)
    return subs if subs else [(searcher, 0)]


def _spans_in_order(lists: list[list[int]], slop: int) -> bool:
    """Whoosh's SpanNear2 (ordered, mindist 1): each next word 1..slop positions after the span so far."""
    spans = {(p, p) for p in lists[0]}
    for positions in lists[1:]:
        spans = {(start, p) for start, end in spans for p in positions if 1 <= p - end <= slop}
        if not spans:
            return False
    return True


def top(scorer: Scorer, scored: Scored, kept: np.ndarray, stop: int, factor: np.ndarray | None,
        over=lambda: False) -> tuple[list[tuple[int, float]], bool]:
    """The best `stop` of `kept` as (docnum, score), best first, ties by document number; and whether cut short.

    `factor` scales each document's score (coordination).  Pending phrases are
    checked for the documents whose bound could still reach the top `stop`.
    """
    if not len(kept) or stop <= 0:
        return [], False
    kept = np.sort(kept)
    sure = scored.score[kept]
    extra = np.zeros(len(kept))
    if factor is not None:
        sure = sure * factor[kept]
    bounds = [p.bound[kept] * (factor[kept] if factor is not None else 1.0) for p in scored.pending]
    upper = sure + (np.sum(bounds, axis=0) if bounds else 0.0)
    if not bounds or not np.any(upper > sure):
        return _best(kept, sure, stop), False
    order = np.lexsort((kept, -upper))
    checked = np.zeros(len(kept), dtype=bool)
    start, batch = 0, stop + FIRST_BATCH
    while start < len(order):
        if over():
            return _best(kept[checked], (sure + extra)[checked], stop), True
        chunk = np.sort(order[start:start + batch])
        for p, bound in zip(scored.pending, bounds):
            need = chunk[bound[chunk] > 0]
            if len(need):
                extra[need] += bound[need] * scorer.in_order(p.node, kept[need])
        checked[chunk] = True
        start += batch
        batch *= 2
        exact = (sure + extra)[checked]
        if start >= len(order) or (np.count_nonzero(checked) >= stop
                                   and np.sort(exact)[-stop] > upper[order[start]]):
            break
    final = np.where(checked, sure + extra, sure)
    # Unchecked documents keep only their sure score: none of them can reach the page.
    return _best(kept, final, stop), False


def _best(docnums: np.ndarray, scores: np.ndarray, stop: int) -> list[tuple[int, float]]:
    order = np.lexsort((docnums, -scores))[:stop]
    return [(int(docnums[i]), float(scores[i])) for i in order]
