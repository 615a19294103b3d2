"""Time and size the answers to oversized search URLs, the attack tests' and the largest allowed.

Copies the sample archive (or --archive) to a temporary folder, indexes it, and asks the
Flask test client for each case N times (default 5) on `/` and `/api/search`: status,
body size and the median and slowest time. It measures the checkout that `webapp` is
imported from (printed first), so `PYTHONPATH=../other-checkout` measures another one.
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import webapp
from indexer import DOCUMENT_TYPES, IndexSettings, update_index
from webapp import create_app

REPO = Path(__file__).resolve().parent.parent
THEME = "Miljömålsuppföljning och indikatorer"  # a real theme name, 36 characters


def themes(n: int) -> list[tuple[str, str]]:
    return [("theme", f"{THEME} {i}") for i in range(n)]


def largest(width: int, char: str = "å") -> list[tuple[str, str]]:
    """Every facet full: 50 groups and themes of `width` characters, 50 years, every type."""
    return ([("group", f"g{i}".ljust(width, char)) for i in range(50)]
            + [("theme", f"t{i}".ljust(width, char)) for i in range(50)]
            + [("type", t) for t in DOCUMENT_TYPES] + [("year", str(1900 + i)) for i in range(50)]
            + [("from", "1900-01-01"), ("to", "2099-12-31")])


CASES = {
    "a person's search (q, 2 groups, type, year)": [("q", "uppföljning"), ("group", "miljostrategi"),
                                                    ("group", "naturvard"), ("type", "minutes"), ("year", "2023")],
    "50 themes of 40 characters": themes(50),
    "51 themes": themes(51),
    "2,000 themes (the attack)": themes(2000),
    "251 parameters": [(f"utm_{i}", "x") for i in range(251)],
    "page=²": [("page", "²")],
    "every facet full, 60 characters a value (fits 8 KB)": largest(60, "x"),
    "every facet full, 200 emoji a value": largest(200, "😀"),
}


def measure(client, route: str, query: str, repeat: int) -> tuple[int, int, float, float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        r = client.get(f"{route}?{query}")
        times.append(time.perf_counter() - start)
    return r.status_code, len(r.data), statistics.median(times), max(times)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--archive", type=Path, default=REPO / "archive")
    p.add_argument("--repeat", type=int, default=5)
    args = p.parse_args()
    print(f"webapp from {Path(webapp.__file__).parent}")
    with tempfile.TemporaryDirectory() as tmp:
        archive = Path(tmp) / "arkiv"
        shutil.copytree(args.archive, archive)
        update_index(IndexSettings(archive=archive, index_dir=Path(tmp) / "index"))
        client = create_app({"TESTING": True, "ARKIV_ARCHIVE": str(archive),
                             "ARKIV_INDEX": str(Path(tmp) / "index")}).test_client()
        print("| case | URL after ? | route | status | body | median | slowest |\n|---|---:|---|---:|---:|---:|---:|")
        for name, pairs in CASES.items():
            query = urlencode(pairs)  # once, so the times are the app's and not the encoding's
            for route in ("/", "/api/search"):
                status, size, median, slowest = measure(client, route, query, args.repeat)
                print(f"| {name} | {len(query):,} B | {route} | {status} | {size:,} B "
                      f"| {median * 1000:.0f} ms | {slowest * 1000:.0f} ms |")


if __name__ == "__main__":
    main()
