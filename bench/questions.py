#!/usr/bin/env python3
"""Measure how real questions find their answers: regeringen.se's own questions and answers.

    .venv/bin/python bench/questions.py [--distractors N] [--split dev|test|all] [--json FILE]
                                        [--verbose] [--keep DIR]

regeringen.se writes questions as headings or bold lines ending in "?" and
answers them in the paragraphs below ("Frågor och svar om …" pages, and many
others). Every such question with an answer of at least MIN_ANSWER characters
becomes a judged pair; the answer passage alone is one document of a temporary
archive (the question is not in it), beside N distractor pages of the same
corpus. Each question then has exactly one relevant document, and the script
prints, for the default search (`SearchIndex.search`, as `/api/search` runs it)
and for stock Whoosh (`LanguageAnalyzer("sv")` over title and text, BM25F, OR
and AND grouping, no wildcards), MRR@10 and Recall@10, overall and by the
question's first word.

Pairs are split by their page into `dev` (to look at while changing the search)
and `test` (to report); both are printed. Nothing of the corpus is copied into
the repository: the archive lives in a temporary folder.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
import tarfile
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
for _path in (REPO, REPO / "bench"):  # run as a script from anywhere, or imported by a test
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from make_corpus_archive import CORPUS  # noqa: E402
from relevance import mean, recall_at_k, reciprocal_rank  # noqa: E402

K = 10
MIN_ANSWER = 120
MAX_ANSWER = 4000
MIN_QUESTION_WORDS = 3
# A question is a heading, a bold line or a short paragraph of its own ending in "?".
_HEADING_Q = re.compile(r"^#{1,6}\s+(.+\?)\s*$")
_BOLD_Q = re.compile(r"^\*\*([^*]+\?)\*\*\s*$")
_HEADING = re.compile(r"^#{1,6}\s|^\*\*[^*]+\*\*\s*$|^-{3,}\s*$")
_MARKUP = re.compile(r"\[([^\]]*)\]\([^)]*\)|[*_#>`]")
SYSTEMS = ("arkiv", "stock-or", "stock-and")
TYPES = ("vad", "hur", "när", "vem", "vilka", "varför", "kan", "får", "ska", "finns", "är", "other")


@dataclass(frozen=True)
class Pair:
    page: str
    number: int
    question: str
    answer: str
    kind: str = "heading"  # or "bold": a bold line, as interviews write their questions

    @property
    def doc_name(self) -> str:
        # Neutral: a page named after its question would hand the answer a title holding it.
        digest = hashlib.sha1(f"{self.page}#{self.number}".encode()).hexdigest()[:10]
        return f"svar-{digest}.txt"

    @property
    def split(self) -> str:
        return "dev" if hashlib.sha1(self.page.encode()).digest()[0] % 2 == 0 else "test"

    @property
    def type(self) -> str:
        first = re.findall(r"\w+", self.question.lower())[:1]
        return first[0] if first and first[0] in TYPES else "other"


def _clean(line: str) -> str:
    return " ".join(_MARKUP.sub(lambda m: m.group(1) or "", line).split())


def pairs_of_page(page: str, text: str) -> list[Pair]:
    """The (question, answer passage) pairs one page holds, in order."""
    lines = text.splitlines()
    found: list[Pair] = []
    i = 0
    while i < len(lines):
        heading = _HEADING_Q.match(lines[i])
        m = heading or _BOLD_Q.match(lines[i])
        i += 1
        if not m:
            continue
        question = _clean(m.group(1))
        answer_lines = []
        while i < len(lines) and not _HEADING.match(lines[i]):
            answer_lines.append(lines[i])
            i += 1
        answer = "\n".join(_clean(a) for a in answer_lines if a.strip())
        # A passage that repeats its question (a report's summary under its title) would hand it over.
        if len(re.findall(r"\w+", question)) >= MIN_QUESTION_WORDS and MIN_ANSWER <= len(answer) <= MAX_ANSWER \
                and question.lower().rstrip("?") not in answer.lower():
            found.append(Pair(page, len(found) + 1, question, answer, "heading" if heading else "bold"))
    return found


def read_corpus(corpus: Path = CORPUS) -> tuple[list[Pair], list[tuple[str, str]]]:
    """Every judged pair of the corpus (each question once), and every page as (name, text)."""
    pairs: list[Pair] = []
    pages: list[tuple[str, str]] = []
    seen: set[str] = set()
    with tarfile.open(corpus, "r:gz") as tar:
        for member in tar:
            if not (member.isfile() and member.name.endswith(".md")):
                continue
            with tar.extractfile(member) as f:
                text = f.read().decode("utf-8", "replace")
            pages.append((member.name, text))
            for p in pairs_of_page(member.name, text):
                if p.question.lower() not in seen:  # the same question on two pages: keep the first
                    seen.add(p.question.lower())
                    pairs.append(p)
    return pairs, pages


def write_archive(out: Path, pairs: list[Pair], distractors: list[tuple[str, str]]) -> None:
    """An archive of one group: each answer as a text file, the distractor pages beside them."""
    (out / "svar" / "2024-01-01").mkdir(parents=True)
    (out / "arkiv.toml").write_text(
        '[network]\nname = "Frågor och svar (benchmark)"\n\n'
        '[[groups]]\nslug = "svar"\nname = "Svar"\n', encoding="utf-8")
    for p in pairs:
        (out / "svar" / "2024-01-01" / p.doc_name).write_text(p.answer + "\n", encoding="utf-8")
    if distractors:
        (out / "svar" / "2023-01-01").mkdir()
    for n, (_name, text) in enumerate(distractors):
        (out / "svar" / "2023-01-01" / f"sida-{n:05d}.md").write_text(text, encoding="utf-8")


# ----------------------------------------------------------------------------- the systems
def arkiv_search(archive: Path, index_dir: Path):
    """The default search of this project, as /api/search runs it."""
    from indexer import IndexSettings, SearchIndex, SearchRequest, update_index
    report = update_index(IndexSettings(archive=archive, index_dir=index_dir))
    if report.failed:
        raise RuntimeError(f"{len(report.failed)} documents failed to index: {report.failed[:3]}")
    ix = SearchIndex(archive, index_dir)

    def ranked(question: str) -> list[str]:
        return [h.id for h in ix.search(SearchRequest(query=question, per_page=K)).hits]
    return ranked, ix


def stock_search(ix_arkiv, index_dir: Path, group: str):
    """Whoosh's own Swedish chain over the same titles and texts, grouped with OR or AND."""
    from whoosh import index as wi
    from whoosh import qparser
    from whoosh.analysis import LanguageAnalyzer
    from whoosh.fields import ID, TEXT, Schema
    schema = Schema(id=ID(stored=True, unique=True), title=TEXT(analyzer=LanguageAnalyzer("sv")),
                    content=TEXT(analyzer=LanguageAnalyzer("sv")))
    index_dir.mkdir(parents=True)
    ix = wi.create_in(str(index_dir), schema)
    with ix.writer() as w:
        for doc in ix_arkiv.documents():
            full = ix_arkiv.document(doc.id)
            w.add_document(id=doc.id, title=doc.title, content="\n".join(full.pages))
    parser = qparser.MultifieldParser(
        ["title", "content"], schema, group=qparser.OrGroup if group == "or" else qparser.AndGroup)
    parser.remove_plugin_class(qparser.WildcardPlugin)
    searcher = ix.searcher()

    def ranked(question: str) -> list[str]:
        q = parser.parse(question)
        return [hit["id"] for hit in searcher.search(q, limit=K)]
    return ranked


# ----------------------------------------------------------------------------- measuring
def measure(rankings: dict[str, list[list[str]]], pairs: list[Pair], ids: list[str]) -> dict:
    """MRR@10 and Recall@10 per system: overall, per split and per question type."""
    table: dict = {}
    for system, ranked in rankings.items():
        rows = defaultdict(lambda: {"mrr": [], "recall": []})
        for pair, doc_id, ranking in zip(pairs, ids, ranked):
            rr, rec = reciprocal_rank(ranking, {doc_id}, K), recall_at_k(ranking, {doc_id}, K)
            for key in ("all", pair.split, "kind:" + pair.kind, "type:" + pair.type):
                rows[key]["mrr"].append(rr)
                rows[key]["recall"].append(rec)
        table[system] = {key: {"n": len(v["mrr"]), "mrr": mean(v["mrr"]), "recall": mean(v["recall"])}
                         for key, v in rows.items()}
    return table


def report(table: dict) -> str:
    systems = list(table)
    keys = ["all", "dev", "test", "kind:heading", "kind:bold"] + [f"type:{t}" for t in TYPES]
    head = "| questions | n | " + " | ".join(f"MRR@10 {s}" for s in systems) + " | " + \
        " | ".join(f"R@10 {s}" for s in systems) + " |"
    lines = [head, "|" + "---|" * (2 + 2 * len(systems))]
    for key in keys:
        if key not in table[systems[0]]:
            continue
        n = table[systems[0]][key]["n"]
        mrr = " | ".join(f"{table[s][key]['mrr']:.3f}" for s in systems)
        rec = " | ".join(f"{table[s][key]['recall']:.3f}" for s in systems)
        label = {"kind:heading": "asked in a heading (FAQ)", "kind:bold": "asked in bold (interviews)"}.get(key, key)
        lines.append(f"| {label.removeprefix('type:')} | {n} | {mrr} | {rec} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--distractors", type=int, default=0, help="other corpus pages indexed beside the answers")
    ap.add_argument("--split", choices=("dev", "test", "all"), default="all")
    ap.add_argument("--json", type=Path, help="write every ranking and number here")
    ap.add_argument("--verbose", action="store_true", help="list the questions whose answer is not first")
    ap.add_argument("--keep", type=Path, help="build the archive and indexes here and keep them")
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    args = ap.parse_args(argv)
    if not args.corpus.is_file():
        print(f"{args.corpus} is missing: this benchmark needs ../shared/corpus", file=sys.stderr)
        return 1
    started = time.perf_counter()
    pairs, pages = read_corpus(args.corpus)
    answer_pages = {p.page for p in pairs}
    rng = random.Random(20261202)
    others = [pg for pg in pages if pg[0] not in answer_pages]
    distractors = rng.sample(others, min(args.distractors, len(others)))
    chosen = [p for p in pairs if args.split == "all" or p.split == args.split]
    print(f"{len(chosen)} questions ({sum(p.split == 'dev' for p in chosen)} dev, "
          f"{sum(p.split == 'test' for p in chosen)} test) from {len({p.page for p in chosen})} pages, "
          f"{len(distractors)} distractor pages; read in {time.perf_counter() - started:.0f} s")

    with tempfile.TemporaryDirectory(prefix="arkiv-questions-") as tmp:
        work = args.keep or Path(tmp)
        archive = work / "archive"
        if archive.exists():
            import shutil
            shutil.rmtree(work / "archive")
            shutil.rmtree(work / "index", ignore_errors=True)
            shutil.rmtree(work / "stock-or", ignore_errors=True)
            shutil.rmtree(work / "stock-and", ignore_errors=True)
        archive.mkdir(parents=True)
        write_archive(archive, chosen, distractors)
        ours, ix = arkiv_search(archive, work / "index")
        try:
            ids = [f"svar/2024-01-01/{p.doc_name}" for p in chosen]
            questions = [p.question for p in chosen]
            rankings = {"arkiv": [ours(q) for q in questions]}
            for group in ("or", "and"):
                stock = stock_search(ix, work / f"stock-{group}", group)
                rankings[f"stock-{group}"] = [stock(q) for q in questions]
        finally:
            ix.close()
    table = measure(rankings, chosen, ids)
    print(report(table))
    if args.verbose:
        for p, doc_id, mine, stock in zip(chosen, ids, rankings["arkiv"], rankings["stock-or"]):
            if not mine or mine[0] != doc_id:
                at = mine.index(doc_id) + 1 if doc_id in mine else "-"
                st = stock.index(doc_id) + 1 if doc_id in stock else "-"
                print(f"[{p.split}] {at} (stock {st}) {p.question}")
    if args.json:
        args.json.write_text(json.dumps({"table": table, "questions": questions, "ids": ids,
                                         "rankings": rankings}, ensure_ascii=False, indent=1),
                             encoding="utf-8")
    print(f"done in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
