#!/usr/bin/env python3
"""Measure agenda-item and decision extraction on real minutes annotated by hand.

    .venv/bin/python bench/minutes.py [--corpus DIR] [--verbose] [--json FILE]

The minutes are ../shared/corpus/minutes/ (real Swedish minutes nobody here
wrote; not in this repository). The annotations are
tests/relevance/minutes_annotations.json: each document's items (number as
printed, title) and decisions (a short phrase of each decision's own wording).

Items: an extracted item is right when its title is the annotated title (any
case, å/ä/ö or not, punctuation aside; a title cut short by a line break counts
when it keeps at least 60 % of it). Numbers are scored separately, over the
items found. Decisions: each extracted decision (an item's decision text, split
at "; ") is right when it holds one of the document's annotated phrases; an
annotated decision is found when an extracted decision not yet used for another
holds its phrase. Figures are micro-averaged over the documents.

The baseline, in the same run: every line that starts with a number or "§" is
an item, and every sentence with a word beginning "beslut" is a decision.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from indexer.extract import extract  # noqa: E402
from indexer.lang import fold  # noqa: E402
from indexer.minutes import PAGED_FORMATS, minutes_pages, parse_minutes  # noqa: E402

CORPUS = REPO.parent / "shared" / "corpus" / "minutes"
ANNOTATIONS = REPO / "tests" / "relevance" / "minutes_annotations.json"
MIN_TITLE_SHARE = 0.6


@dataclass
class Score:
    right: int = 0
    found: int = 0  # extracted
    wanted: int = 0  # annotated
    recalled: int = 0

    def add(self, other: "Score") -> None:
        self.right += other.right
        self.found += other.found
        self.wanted += other.wanted
        self.recalled += other.recalled

    @property
    def precision(self) -> float:
        return self.right / self.found if self.found else 1.0

    @property
    def recall(self) -> float:
        return self.recalled / self.wanted if self.wanted else 1.0

    def row(self) -> str:
        return f"P {self.precision:.2f}  R {self.recall:.2f}  ({self.right}/{self.found} right, " \
               f"{self.recalled}/{self.wanted} found)"


@dataclass
class Result:
    items: Score = field(default_factory=Score)
    decisions: Score = field(default_factory=Score)
    numbers_right: int = 0
    numbers_seen: int = 0


def _key(title: str) -> str:
    return " ".join(re.findall(r"\w+", fold(title)))


def _same_title(found: str, wanted: str) -> bool:
    a, b = _key(found), _key(wanted)
    if a == b:
        return bool(a)
    short, long_ = sorted((a, b), key=len)
    return bool(short) and long_.startswith(short) and len(short) >= MIN_TITLE_SHARE * len(long_)


def score_items(found: list[tuple[str, str]], wanted: list[tuple[str, str]]) -> tuple[Score, int, int]:
    """Score extracted (number, title) items against the annotated ones, each matched at most once."""
    used = set()
    right = numbers = 0
    for number, title in found:
        match = next((i for i, (_, t) in enumerate(wanted) if i not in used and _same_title(title, t)), None)
        if match is not None:
            used.add(match)
            right += 1
            numbers += number == wanted[match][0]
    return Score(right=right, found=len(found), wanted=len(wanted), recalled=len(used)), numbers, right


def score_decisions(found: list[str], phrases: list[str]) -> Score:
    texts = [fold(" ".join(f.split())) for f in found]
    wanted = [fold(p) for p in phrases]
    used = set()
    for p in wanted:
        hit = next((i for i, t in enumerate(texts) if i not in used and p in t), None)
        if hit is not None:
            used.add(hit)
    right = sum(1 for t in texts if any(p in t for p in wanted))
    return Score(right=right, found=len(texts), wanted=len(wanted), recalled=len(used))


def extracted(pages: tuple[str, ...], fmt: str) -> tuple[list[tuple[str, str]], list[str]]:
    parsed = parse_minutes(pages, paged=fmt in PAGED_FORMATS)
    items = [(i.number, i.title) for i in parsed.items]
    decisions = [d for i in parsed.items if i.decision for d in i.decision.split("; ")]
    return items, decisions


def baseline(pages: tuple[str, ...], fmt: str) -> tuple[list[tuple[str, str]], list[str]]:
    text = "\n".join(pages)
    items = [(m[1], m[2]) for m in re.finditer(r"^\s*(?:§\s*)?(\d{1,3})[.):]?\s+(\S.*)$", text, re.M)]
    sentences = re.split(r"(?<=[.!?])\s+|\n\s*\n", text)
    decisions = [s for s in sentences if re.search(r"(?<!\w)[Bb]eslut", s)]
    return items, decisions


def measure(corpus: Path = CORPUS, verbose: bool = False) -> dict[str, Result]:
    docs = json.loads(ANNOTATIONS.read_text(encoding="utf-8"))["documents"]
    results = {"arkiv": Result(), "baseline": Result()}
    for doc in docs:
        e = extract(corpus / doc["path"])
        wanted_items = [tuple(i) for i in doc["items"]]
        phrases = [p for _, p in doc["decisions"]]
        for name, run in (("arkiv", extracted), ("baseline", baseline)):
            items, decisions = run(minutes_pages(e.format, e.pages, e.layout), e.format)
            s_items, numbers, matched = score_items(items, wanted_items)
            s_dec = score_decisions(decisions, phrases)
            r = results[name]
            r.items.add(s_items)
            r.decisions.add(s_dec)
            r.numbers_right += numbers
            r.numbers_seen += matched
            if verbose and name == "arkiv":
                print(f"{doc['path']}: items {s_items.row()}; decisions {s_dec.row()}")
    return results


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    if not args.corpus.is_dir():
        print(f"{args.corpus} is absent", file=sys.stderr)
        return 1
    results = measure(args.corpus, args.verbose)
    docs = len(json.loads(ANNOTATIONS.read_text(encoding="utf-8"))["documents"])
    print(f"{docs} annotated minutes in {args.corpus}")
    for name, r in results.items():
        share = r.numbers_right / r.numbers_seen if r.numbers_seen else 0.0
        print(f"{name:9} items     {r.items.row()}; numbers right on {share:.2f} of the items found")
        print(f"{'':9} decisions {r.decisions.row()}")
    if args.json:
        args.json.write_text(json.dumps({n: {"items_precision": r.items.precision, "items_recall": r.items.recall,
                                             "decisions_precision": r.decisions.precision,
                                             "decisions_recall": r.decisions.recall} for n, r in results.items()},
                                        indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
