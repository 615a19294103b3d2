"""Answer searches and document lookups from the index; plain dataclasses out."""
from __future__ import annotations

import json
import re
import threading
import time
import weakref
from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh import scoring
from whoosh.collectors import FilterCollector, TimeLimit, TopCollector
from whoosh.reading import EmptyReader, MultiReader, SegmentReader
from whoosh.searching import Searcher

from ..config import load_archive_config
from ..errors import IndexMissing, IndexUnavailable
from ..extract import EXTRACTOR_VERSION
from ..index import NO_INDEX_YET, TextCache, schema_problem, stored_document, term_finder, whoosh_dir
from ..lang import lemma, listed
from ..paths import id_parts, unlinked_path
from ..models import SORTS, TEXT_LABELS, AgendaItem, ArchiveConfig, DecisionList, Document, Hit, MeetingRecord, \
    SearchRequest, SearchResult
from .expansion import expand
from .facets import FacetTable
from .fields import BadRequest, FieldValues
from .meetings import ItemTexts, check_decision_request, decision_list, meeting_record, with_items
from .plain import clauses, coordination, document_frequency, enough_words, gating, is_question, ranking_query
from .query import as_plain, bound_expansions, has_operators, make_parser, normalize_query, parse, query_words
from .snippets import best_page, leading_text, snippet
from .spelling import Spellings, distance
from .termarrays import Scorer, TermArrays, Unsupported, top

MAX_PER_PAGE = 100
TEXT_FIELDS = ("content", "title", "context", "parts")
MAX_PHRASE_WORDS = 8
# Answers remembered per committed index state: at most this many, this many bytes of
# JSON in all, and none larger than the last (an answer is a few kB).
REMEMBERED_ANSWERS = 512
REMEMBERED_BYTES = 32 * 1024 * 1024
MAX_REMEMBERED_ANSWER = 256 * 1024
PHRASE_BOOST = 2.0
# BM25F's length normalisation and term-frequency saturation (Whoosh's defaults).
BM25_B = 0.75
BM25_K1 = 1.2
MAX_PAGE = 1000
TIME_BUDGET = 1.0  # seconds a search may take before it answers with what it has found
BUDGET_CHECK_EVERY = 256  # documents matched or scored between looks at the clock
# Searchers open at once per committed state; a gunicorn worker runs 4 threads.  A searcher
# over compound segments holds its own in-memory copy of them (257 MB each on 44k pages);
# over the separate files the index writes now, it holds file handles (index/update.py).
MAX_SEARCHERS = 4
# Spelling suggestions are looked for only for words of a length real words have.
MAX_SUGGEST_CHARS = 24
# A server's processes each search this once at start, so that no visitor's first search
# pays for loading the dictionary (measured: ~1 s on a busy machine).
WARM_QUERY = "uppföljning av mötet"
MAX_SUGGEST_WORDS = 3
MAX_SUGGEST_EDITS = 2


class _Budget:
    """A search's time budget: past its deadline, a search answers with what it has."""

    def __init__(self, seconds: float | None):
        self.deadline = None if seconds is None else time.monotonic() + seconds
        self.spent = False

    def left(self) -> float | None:
        return None if self.deadline is None else self.deadline - time.monotonic()

    def over(self) -> bool:
        if self.deadline is not None and time.monotonic() > self.deadline:
            self.spent = True
        return self.spent


class _BudgetedFilter(FilterCollector):
    """Score only the documents in `allow` (document numbers), and stop when the budget is spent.

    Whoosh's TimeLimitCollector cannot do this: it collects past a FilterCollector
    inside it, and its timer needs SIGALRM, which only the main thread may use.
    """

    def __init__(self, child, allow: np.ndarray, budget: _Budget):
        super().__init__(child)
        self._sorted = np.sort(allow)
        self.budget = budget

    def collect_matches(self):
        # The allowed documents are usually far fewer than the query's matches (a function
        # word's thousands): jump the matcher from one to the next instead of walking them all.
        child, offset = self.child, self.offset
        matcher = child.matcher
        lo, hi = np.searchsorted(self._sorted, [offset, offset + child.subsearcher.doc_count_all()])
        for n, sub_docnum in enumerate((self._sorted[lo:hi] - offset).tolist()):
            if n % BUDGET_CHECK_EVERY == BUDGET_CHECK_EVERY - 1 and self.budget.over():
                raise TimeLimit
            if not matcher.is_active():
                break
            if matcher.id() < sub_docnum:
                matcher.skip_to(sub_docnum)
                if not matcher.is_active():
                    break
            if matcher.id() == sub_docnum:
                child.collect(sub_docnum)


class _Scaled(TopCollector):
    """The top `limit` by score, every match scored, each score times its document's factor."""

    def __init__(self, limit: int, factor: np.ndarray | None):
        # Whoosh's shortcuts for a top-N (replacing a matcher by a cheaper one once
        # the N-th score is known, skipping blocks by their best score) estimate the
        # best score too low for BM25F over boosted fields and drop the documents
        # that should rank first (measured: the answer scoring 16.0 left out for one
        # scoring 3.8), and a scaled score has no such bound anyway.
        super().__init__(limit=limit, usequality=False, replace=0)
        self.factor = factor

    def collect(self, sub_docnum):
        docnum = self.offset + sub_docnum
        score = self.matcher.score()
        if self.factor is not None:
            score *= float(self.factor[docnum])
        return self._collect(docnum, score)


def _docnums(searcher, q, budget: _Budget) -> np.ndarray:
    """Every document `q` matches, or those found before the budget ran out."""
    found = []
    for n, dn in enumerate(searcher.docs_for_query(q)):
        found.append(dn)
        if n % BUDGET_CHECK_EVERY == BUDGET_CHECK_EVERY - 1 and budget.over():
            break
    return np.array(found, dtype=np.int64)


def _weighting() -> scoring.BM25F:
    return scoring.BM25F(B=BM25_B, K1=BM25_K1)


def _close_all(searchers: list[Searcher]) -> None:
    for s in searchers:
        s.close()


def _open_columns(reader) -> None:
    """Open the column files a search reads (field lengths, stored fields) of the reader's segments now.

    A segment of separate files is read through file objects, and Whoosh opens a
    column at its first use; by then a writer that merged the segment away may have
    deleted its files, and a search that was fine a moment ago would fail.
    """
    for leaf, _ in reader.leaf_readers():
        if not leaf.doc_count_all():
            continue
        for field in leaf.schema.scorable_names():
            leaf.doc_field_length(0, field)
        leaf.stored_fields(0)


def _text_terms(q) -> set[str]:
    """The analysed words a query looks for in the text fields (for snippets and marks)."""
    terms: set[str] = set()
    if q is not None:
        for field, term in q.iter_all_terms():
            if field in TEXT_FIELDS:
                terms.add(term.decode("utf-8") if isinstance(term, bytes) else term)
    return terms


def _load_spellings(snap: _Snapshot) -> None:
    try:
        searcher = snap.lend()
    except OSError:  # the state was merged away meanwhile: its successor loads its own
        return
    try:
        snap.spellings.load(searcher.reader())
    finally:
        snap.give_back(searcher)


def check_request(req: SearchRequest) -> None:
    if req.sort not in SORTS:
        raise BadRequest(f"sort must be one of {', '.join(SORTS)}")
    if not 1 <= req.page <= MAX_PAGE:
        raise BadRequest(f"page must be between 1 and {MAX_PAGE}")
    if not 1 <= req.per_page <= MAX_PER_PAGE:
        raise BadRequest(f"per_page must be between 1 and {MAX_PER_PAGE}")
    if req.date_from and req.date_to and req.date_from > req.date_to:
        raise BadRequest("the from date is after the to date")
    for y in req.years:
        if not re.fullmatch(r"[0-9]{4}", y):  # \d would let ２０２３ through
            raise BadRequest(f"year '{y}' is not a four-digit year")
    for t in req.texts:
        if t not in TEXT_LABELS:
            raise BadRequest(f"text '{t}' is not one of {', '.join(TEXT_LABELS)}")


class _Snapshot:
    """One committed state of the index: its facet arrays, remembered answers, and searchers.

    Whoosh's readers seek in a file and then read it: two threads in one reader read
    at each other's positions and get garbage, or worse, a different answer.  So each
    search borrows a searcher of its own, opened on this state's segments (the same
    document numbers the facet arrays use), and gives it back when done; at most
    MAX_SEARCHERS are open, and a search past them waits for one.
    """

    def __init__(self, ix):
        first = ix.searcher(weighting=_weighting())
        reader = first.reader()
        _open_columns(reader)
        self._ix = ix
        self.generation = reader.generation()
        self._segments = [r.segment() for r, _ in reader.leaf_readers() if r.segment() is not None]
        self.table = FacetTable(reader)
        self.arrays = TermArrays()
        self.spellings = Spellings(MAX_SUGGEST_CHARS + MAX_SUGGEST_EDITS)
        self._idle = [first]
        # A snapshot nobody closed (a SearchIndex dropped without close()) still closes
        # its searchers' files when it is collected.
        weakref.finalize(self, _close_all, self._idle)
        self._pool_lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(MAX_SEARCHERS)
        self._retired = False
        # Answers for this committed state: popular searches and paging back cost nothing.
        self.answers: OrderedDict[SearchRequest, tuple[SearchResult, int]] = OrderedDict()
        self.answers_bytes = 0
        self.answers_lock = threading.Lock()

    def _open_searcher(self) -> Searcher:
        storage, schema = self._ix.storage, self._ix.schema
        readers = [SegmentReader(storage, schema, seg, generation=self.generation) for seg in self._segments]
        if not readers:
            reader = EmptyReader(schema)
        else:
            reader = readers[0] if len(readers) == 1 else MultiReader(readers, generation=self.generation)
        _open_columns(reader)
        return Searcher(reader, fromindex=self._ix, weighting=_weighting())

    def lend(self) -> Searcher:
        """Give this thread a searcher nobody else is reading with (give it back when done).

        Waits while MAX_SEARCHERS are lent out.
        """
        self._slots.acquire()
        try:
            with self._pool_lock:
                if self._idle:
                    return self._idle.pop()
            return self._open_searcher()
        except BaseException:
            self._slots.release()
            raise

    def give_back(self, searcher: Searcher) -> None:
        try:
            with self._pool_lock:
                if not self._retired:
                    self._idle.append(searcher)
                    return
            searcher.close()
        finally:
            self._slots.release()

    def retire(self) -> None:
        """Close the idle searchers; those still lent out close when they come back."""
        with self._pool_lock:
            self._retired = True
            idle = self._idle[:]
            self._idle.clear()
        for s in idle:
            s.close()

    def up_to_date(self) -> bool:
        return self._ix.latest_generation() == self.generation

    def remembered(self, req: SearchRequest) -> SearchResult | None:
        with self.answers_lock:
            found = self.answers.get(req)
            if found is None:
                return None
            self.answers.move_to_end(req)
            return found[0]

    def remember(self, req: SearchRequest, result: SearchResult) -> None:
        size = len(json.dumps(result.to_json(), ensure_ascii=False)) + len(req.query)
        if size > MAX_REMEMBERED_ANSWER:
            return
        with self.answers_lock:
            old = self.answers.pop(req, None)
            if old is not None:
                self.answers_bytes -= old[1]
            self.answers[req] = (result, size)
            self.answers_bytes += size
            while len(self.answers) > REMEMBERED_ANSWERS or self.answers_bytes > REMEMBERED_BYTES:
                self.answers_bytes -= self.answers.popitem(last=False)[1][1]

    def docnum(self, searcher: Searcher, doc_id: str) -> int | None:
        dn = searcher.document_number(id=doc_id)
        return dn if dn is not None and self.table.live[dn] else None


class SearchIndex:
    """The archive's index, opened once and searched many times (thread-safe)."""

    def __init__(self, archive: Path, index_dir: Path, time_budget: float | None = TIME_BUDGET):
        self.archive = Path(archive)
        self.index_dir = Path(index_dir)
        self.time_budget = time_budget
        self.config: ArchiveConfig = load_archive_config(self.archive)
        self._fields = FieldValues(self.config)
        self.texts = TextCache(self.index_dir, EXTRACTOR_VERSION)
        self._lock = threading.Lock()
        self._ix = None
        self._snapshot: _Snapshot | None = None
        self._folder: tuple[int, int] | None = None
        self._parser = None
        self._highlighter = None
        self._item_texts = ItemTexts()

    # -- opening and refreshing -------------------------------------------------
    def _open(self):
        problem = schema_problem(self.index_dir)
        if problem == NO_INDEX_YET:
            raise IndexMissing(f"there is no index in {self.index_dir} yet: run `arkiv index`")
        if problem:
            raise IndexUnavailable(f"{problem}: run `arkiv index` to rebuild it")
        try:
            return whoosh_index.open_dir(str(whoosh_dir(self.index_dir)))
        except Exception as e:
            raise IndexUnavailable(f"the index cannot be opened ({type(e).__name__}); "
                                   "run `arkiv index --rebuild`") from e

    def _folder_identity(self) -> tuple[int, int] | None:
        # A rebuild swaps a new folder in whose generation may equal the old one's.
        try:
            st = whoosh_dir(self.index_dir).stat()
        except OSError:
            return None
        return st.st_dev, st.st_ino

    def _current(self) -> _Snapshot:
        with self._lock:
            snap = self._snapshot
            folder = self._folder_identity()
            if self._ix is None or snap is None or folder != self._folder or not snap.up_to_date():
                self._ix = self._open()
                self._parser = make_parser(self._ix.schema)
                self._highlighter = None if "parts" in self._ix.schema else self._ix.schema["content"].analyzer
                try:
                    self._snapshot = _Snapshot(self._ix)
                except Exception as e:  # segments that the table of contents names but cannot be read
                    self._ix = None
                    raise IndexUnavailable(f"the index cannot be read ({type(e).__name__}); "
                                           "run `arkiv index --rebuild`") from e
                finally:
                    if snap is not None and snap is not self._snapshot:
                        snap.retire()
                if snap is not None:  # a server that searched the state before: it will again
                    threading.Thread(target=_load_spellings, args=(self._snapshot,), daemon=True).start()
                self._folder = folder
            return self._snapshot

    @contextmanager
    def _borrow(self) -> Iterator[tuple[_Snapshot, Searcher]]:
        """The current snapshot and a searcher of this thread's own over it."""
        snap = self._current()
        try:
            searcher = snap.lend()
        except OSError:
            # A writer merged away the segments of a state that was current a moment
            # ago: open the state that replaced it.
            if snap.up_to_date():
                raise
            snap = self._current()
            searcher = snap.lend()
        try:
            yield snap, searcher
        finally:
            snap.give_back(searcher)

    def close(self) -> None:
        with self._lock:
            if self._snapshot:
                self._snapshot.retire()
            self._snapshot = None
            self._ix = None

    def warm(self) -> None:
        """Open the index and load what every search needs (the Swedish tables, the parser, the spellings) now."""
        self.search(SearchRequest(query=WARM_QUERY))
        _load_spellings(self._current())

    # -- searching ----------------------------------------------------------------
    def search(self, req: SearchRequest) -> SearchResult:
        """Run `req`: filtered, faceted, sorted, one page of hits with snippets."""
        check_request(req)
        req = self._fields.request(req)
        with self._borrow() as (snap, searcher):
            found = snap.remembered(req)
            if found is not None:
                return found
            budget = _Budget(self.time_budget)
            result = self._search(snap, searcher, req, budget)
            if not result.total and result.suggestion and not req.exact and not budget.over():
                # Nothing found and a spelling the archive holds is close: show its hits at once.
                fixed = self._search(snap, searcher, replace(req, query=result.suggestion), budget)
                if fixed.total:
                    result = replace(fixed, query=result.query, suggestion=None, corrected=result.suggestion,
                                     partial=budget.spent)
        if not result.partial:  # a partial answer depends on the machine's load at the time
            snap.remember(req, result)
        return result

    def _search(self, snap: _Snapshot, searcher: Searcher, req: SearchRequest, budget: _Budget) -> SearchResult:
        text = normalize_query(req.query)
        reader = searcher.reader()
        question = is_question(req.query)
        q, expanded, words = self._prepare(text, reader, question)
        coord = scored = None
        if text and q is None:
            matched = np.zeros(0, dtype=np.int64)
        elif q is None:
            matched = snap.table.live_docs()
        elif words:
            live = int(snap.table.live.sum())
            gate = gating(words, [document_frequency(reader, c.query) for c in words], live)
            scorer = Scorer(snap.arrays, searcher, BM25_B, BM25_K1, budget.over)
            try:
                arrays = [np.flatnonzero(scorer.score(c.query).mask & snap.table.live) if g
                          else np.zeros(0, dtype=np.int64) for c, g in zip(words, gate)]
                scored = scorer.score(q)
            except Unsupported:  # a node the arrays cannot score: Whoosh's matchers, as before
                # Only the gating clauses' documents are read: a function word's are many and never needed.
                arrays = [_docnums(searcher, c.query, budget) if g else np.zeros(0, dtype=np.int64)
                          for c, g in zip(words, gate)]
            matched, shares = enough_words(arrays, gate, question)
            coord = np.ones(searcher.doc_count_all())
            coord[matched] = coordination(shares)
        else:
            scorer = Scorer(snap.arrays, searcher, BM25_B, BM25_K1, budget.over)
            try:
                scored = scorer.score(q)
                matched = np.flatnonzero(scored.mask & snap.table.live)
            except (Unsupported, wq.QueryError):
                scored = None
                try:
                    matched = _docnums(searcher, q, budget)
                except wq.QueryError:  # a query Whoosh parsed but cannot run here: search its words
                    # Only that: a read error is an error, never quietly a different answer.
                    q = parse(self._parser, " ".join(query_words(text)).lower())
                    matched = _docnums(searcher, q, budget) if q is not None else np.zeros(0, dtype=np.int64)
        kept, counts = snap.table.filter_and_count(matched, req)

        start, stop = (req.page - 1) * req.per_page, req.page * req.per_page
        terms = _text_terms(q)
        if scored is not None and req.sort == "relevance":
            best, cut = top(scorer, scored, kept, stop, coord, budget.over)
            budget.spent |= cut
            page = best[start:stop]
        elif q is not None and req.sort == "relevance":
            page = self._ranked(searcher, q, kept, start, stop, budget, coord)
        else:
            # Browsing, or a date sort: order by the date arrays, no scoring needed.
            ordered = snap.table.by_date(kept, newest=req.sort != "oldest")
            page = [(int(dn), 0.0) for dn in ordered[start:stop]]
        find = self._finder(terms)
        hits = tuple(self._hit(searcher, dn, score, terms, find) for dn, score in page)
        return SearchResult(
            query=req.query, total=int(len(kept)), page=req.page, per_page=req.per_page,
            suggestion=self._suggest(snap, searcher, text, budget) if text else None, hits=hits,
            facets=counts, expanded=expanded, partial=budget.spent,
        )

    @staticmethod
    def _ranked(searcher, q, kept: np.ndarray, start: int, stop: int, budget: _Budget,
                coord: np.ndarray | None = None) -> list[tuple[int, float]]:
        """The page's (docnum, score) by relevance, among `kept`, within the budget.

        `coord`, by document number, scales each score (see plain.coordination).
        """
        if not len(kept):
            return []
        collector = _BudgetedFilter(_Scaled(stop, coord), kept, budget)
        try:
            searcher.search_with_collector(q, collector)
        except TimeLimit:
            budget.spent = True
        results = collector.results()
        return [(hit.docnum, float(hit.score or 0.0)) for hit in list(results)[start:stop]]

    def _parse(self, parser, text: str, reader):
        q = parse(parser, text)
        return bound_expansions(q, reader) if q is not None else None

    def _expand(self, text: str, reader) -> tuple[str, tuple[str, ...]]:
        """Widen the words outside quotes; a quoted phrase is searched as written."""
        if not text or has_operators(text):
            return text, ()
        parts, added = re.split(r'("[^"]*")', text), []
        for i in range(0, len(parts), 2):
            parts[i], more = expand(parts[i], self.config.synonyms, lambda w: reader.doc_frequency("spell", w),
                                    lambda w: lemma(w) is not None,
                                    lambda base: any(reader.doc_frequency(f, base) for f in ("content", "title")))
            added.extend(more)
        return "".join(parts), tuple(dict.fromkeys(added))

    def _prepare(self, text: str, reader, question: bool = False):
        """Parse normalised query text, widened by synonyms, word families and å/ä/ö.

        Returns (the ranking query or None, the words added, the plain words' clauses).
        Plain words get a clause each (see plain.py); a query with operators is
        parsed as written, its words AND'ed, and has no clauses.  A topic's words
        found side by side rank higher; a question's are not looked for together:
        on bench/questions.py that changed MRR@10 by 0.001 and, on 44k pages, cost a
        question hundreds of milliseconds of reading positions.
        """
        if not text:
            return None, (), []
        if has_operators(text):
            qtext, expanded = self._expand(text, reader)
            return self._parse(self._parser, qtext, reader), expanded, []
        text = as_plain(text)
        qtext, expanded = self._expand(text, reader)
        words = [replace(c, query=bound_expansions(c.query, reader)) for c in clauses(self._parser, qtext)]
        if not words:
            return None, expanded, []
        q = ranking_query(self._parser, words, proximity=not question)
        if not question and 2 < len(text.split()) <= MAX_PHRASE_WORDS:
            # The whole phrasing found as typed ranks highest (Klimat 2030 i Västra Götaland).
            phrase = parse(self._parser, '"' + text.replace('"', " ") + '"')
            if phrase is not None:
                q = wq.AndMaybe(q, phrase.with_boost(PHRASE_BOOST))
        return q, expanded, words

    def highlighter(self, query: str) -> Callable[[str], list[tuple[int, int]]]:
        """Return a function giving the (start, end) spans in a text that `query` matches.

        The same words the search matches: forms, compound parts, synonyms.
        """
        with self._borrow() as (_snap, searcher):
            q, _, _ = self._prepare(normalize_query(query), searcher.reader())
        return self._finder(_text_terms(q))

    def _finder(self, terms: set[str]) -> Callable[[str], list[tuple[int, int]]]:
        """The spans of a text's words that reduce to `terms`, as the index's analysis reduces them."""
        if self._highlighter is not None:
            analyzer = self._highlighter  # an index from before the compound-parts field

            def spans(text: str) -> list[tuple[int, int]]:
                found: list[tuple[int, int]] = []
                for t in analyzer(text, chars=True, mode="query", removestops=False) if terms and text else ():
                    if t.text in terms and (t.startchar, t.endchar) not in found[-1:]:
                        found.append((t.startchar, t.endchar))
                return found
            return spans
        return term_finder(frozenset(terms))

    def _hit(self, searcher, docnum: int, score: float, terms: set[str], find) -> Hit:
        doc, sha = stored_document(searcher.stored_fields(docnum))
        cached = self.texts.text(sha)
        pages = cached.pages if cached else ()
        page = best_page(pages, terms)
        text = pages[page] if page is not None else ""
        item = self._best_item(self._item_texts.items(doc, sha, cached), find, page) if terms else None
        return Hit(id=doc.id, title=doc.title, group=doc.group, date=doc.date, type=doc.type,
                   themes=doc.themes, page=None if page is None else page + 1, score=score,
                   snippet=snippet(text, terms, find) if terms else leading_text(text),
                   item=None if item is None else (item.number, item.title),
                   meeting=doc.meeting.folder if doc.meeting else None)

    def _best_item(self, items: tuple[AgendaItem, ...], find, page: int | None) -> AgendaItem | None:
        """The agenda item whose title and text match the query's words most often, on the best page if paged."""
        best, best_count = None, 0
        for item in items:
            if page is not None and item.page is not None and item.page != page + 1:
                continue
            count = len(find(f"{item.title}\n{item.text}"))
            if count > best_count:
                best, best_count = item, count
        return best

    def _suggest(self, snap: _Snapshot, searcher, text: str, budget: _Budget) -> str | None:
        """Offer the query with unknown words replaced by close, frequent indexed words.

        Only offered when the corrected query finds something, only for words of a
        length real words have (see MAX_SUGGEST_CHARS), within the budget, and
        never for a word the dictionary lists: diplomerades is not a typo of
        diplomerade because the archive only holds the latter.
        """
        reader = searcher.reader()
        suggestion = text
        unknown = [w for w in query_words(text) if 4 <= len(w) <= MAX_SUGGEST_CHARS
                   and ("spell", w.lower()) not in reader and not listed(w.lower())]
        for word in unknown[:MAX_SUGGEST_WORDS]:
            if budget.over():
                return None
            low = word.lower()
            # Short words have many neighbours: allow one typo in them, two in longer ones.
            allowed = 1 if len(low) <= 5 else MAX_SUGGEST_EDITS
            candidates = snap.spellings.near(reader, low, allowed)
            if not candidates:
                continue
            best = min(candidates, key=lambda c: (distance(low, c), -reader.doc_frequency("spell", c)))
            suggestion = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", best, suggestion, count=1)
        if suggestion == text:
            return None
        q = parse(self._parser, suggestion)
        return suggestion if q is not None and any(True for _ in searcher.docs_for_query(q)) else None

    # -- documents ----------------------------------------------------------------
    def document(self, doc_id: str, with_text: bool = True) -> Document | None:
        """Return one document (with its text by page), or None if the index has no such id."""
        with self._borrow() as (snap, searcher):
            dn = snap.docnum(searcher, doc_id)
            if dn is None:
                return None
            doc, sha = stored_document(searcher.stored_fields(dn))
        if not with_text:
            return doc
        text = self.texts.text(sha)
        if not text:
            return doc
        return replace(with_items(doc, self._item_texts.items(doc, sha, text)), pages=text.pages,
                       layout=text.layout, notes=text.notes)

    def _group_documents(self, group: str | None) -> list[tuple[Document, str]]:
        with self._borrow() as (snap, searcher):
            docnums = snap.table.live_docs() if group is None else snap.table.group_docs(group)
            return [stored_document(searcher.stored_fields(int(dn))) for dn in docnums]

    def meeting(self, folder: str) -> MeetingRecord | None:
        """Return meeting `folder` ("naturvard/2023-10-10-lerum") with its documents, items and attendees, or None."""
        if not isinstance(folder, str) or len(folder) > 300 or not re.fullmatch(r"[a-z0-9][a-z0-9-]*/[^/\\]+", folder) \
                or folder.endswith("/..") or "/." in folder:
            return None
        group = folder.split("/", 1)[0]
        if self.config.group(group) is None:
            return None
        docs = self._group_documents(group)
        mine = [(d, sha) for d, sha in docs if d.meeting and d.meeting.folder == folder]
        full = [with_items(d, self._item_texts.items(d, sha, self.texts.text(sha) if d.items else None))
                for d, sha in mine]
        return meeting_record(folder, full, [d.meeting for d, _ in docs if d.meeting])

    def decisions(self, group: str | None = None, query: str = "", date_from=None, date_to=None,
                  limit: int = 50, offset: int = 0) -> DecisionList:
        """Return the decisions of agenda items (of `group`), newest first, those with every word of `query`."""
        check_decision_request(query, date_from, date_to, limit, offset)
        if group:
            group = self._fields.canonical("group", group)
        docs = [d for d, _ in self._group_documents(group or None)]
        return decision_list(docs, query, date_from, date_to, limit, offset)

    def documents(self, group: str | None = None) -> list[Document]:
        """Return every indexed document (of `group`), newest first, without text."""
        with self._borrow() as (snap, searcher):
            docnums = snap.table.live_docs() if group is None else snap.table.group_docs(group)
            docs = [stored_document(searcher.stored_fields(int(dn)))[0] for dn in docnums]
        return sorted(docs, key=lambda d: (d.date.isoformat() if d.date else "", d.id), reverse=True)

    def similar(self, doc_id: str, limit: int = 5) -> list[Document]:
        """Return documents about the same things, preferring other meetings than this one's."""
        with self._borrow() as (snap, searcher):
            dn = snap.docnum(searcher, doc_id)
            if dn is None:
                return []
            doc, sha = stored_document(searcher.stored_fields(dn))
            text = "\n".join(self.texts.pages(sha)) or doc.title
            results = searcher.more_like(dn, "content", text=text, top=limit * 3)
            found = [stored_document(r.fields())[0] for r in results]
        folder = doc.meeting.folder if doc.meeting else None
        found.sort(key=lambda d: folder is not None and d.meeting is not None and d.meeting.folder == folder)
        return found[:limit]

    def file_path(self, doc_id: str) -> Path | None:
        """Return the archived file for an indexed id, never a path outside the archive."""
        parts = id_parts(doc_id)
        if parts is None or self.document(doc_id, with_text=False) is None:
            return None
        path = unlinked_path(self.archive, parts)
        try:
            resolved = path.resolve(strict=True) if path is not None else None
        except OSError:
            return None
        if resolved is None or not resolved.is_relative_to(self.archive.resolve()) or not resolved.is_file():
            return None
        return resolved
