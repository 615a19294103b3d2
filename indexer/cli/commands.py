"""The `arkiv` command line: index, search, add, problems (serve and user come from the web app)."""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Sequence

from ..changes import AddRequest, add_files
from ..errors import ArkivError
from ..export import Export, csv_chunks
from ..index import index_warnings, load_state, problems
from ..models import DOCUMENT_TYPES, READ_STATUSES, SORTS, IndexReport, SearchRequest
from .changes import add_change_commands
from .common import EXIT_FAILED, EXIT_OK, EXIT_PARTIAL, EXIT_USAGE, Command, iso_date, location_args, locations, \
    positive, run_index, year


def print_report(report: IndexReport, out=None) -> None:
    out = out or sys.stdout
    if report.rebuilt_because:
        print(f"Rebuilt the index: {report.rebuilt_because}.", file=out)
    print(f"added {len(report.added)}, updated {len(report.updated)}, moved {len(report.moved)}, "
          f"removed {len(report.removed)}, unchanged {report.unchanged}, failed {len(report.failed)}, "
          f"warnings {len(report.warnings)}", file=out)
    for old, new in report.moved:
        print(f"  moved  {old} -> {new}", file=out)
    for title, listed in (("Could not be read", report.failed), ("Warnings", report.warnings)):
        if not listed:
            continue
        print(f"{title}:", file=out)
        by_reason: dict[str, list[str]] = {}
        for p in listed:
            by_reason.setdefault(p.reason, []).append(p.id)
        for reason, ids in sorted(by_reason.items()):
            print(f"  {reason} ({len(ids)}):", file=out)
            for i in ids:
                print(f"    {i}", file=out)


def cmd_index(args) -> int:
    archive, index_dir = locations(args)
    report = run_index(archive, index_dir, rebuild=args.rebuild, jobs=args.jobs, quiet=args.json)
    if args.json:
        json.dump(report.to_json(), sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        print_report(report)
    return EXIT_PARTIAL if report.failed else EXIT_OK


def cmd_problems(args) -> int:
    """Documents whose text could not be read (or only in part), from the last run's state."""
    archive, index_dir = locations(args)
    found = problems(index_dir)
    warned = index_warnings(index_dir) if args.warnings else []
    if args.json:
        data = {"documents": len(load_state(index_dir)),
                "problems": [{"id": p.id, "reason": p.reason, "detail": p.detail} for p in found]}
        if args.warnings:
            data["warnings"] = [{"id": w.id, "reason": w.reason} for w in warned]
        json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
        print()
        return EXIT_OK
    total = len(load_state(index_dir))
    unread = [p for p in found if p.reason not in READ_STATUSES]
    partial = [p for p in found if p.reason in READ_STATUSES]
    print(f"{total} document(s) in the index: {len(unread)} could not be read, "
          f"{len(partial)} read only in part.")
    for title, group in (("Could not be read (findable by name and metadata only)", unread),
                         ("Read only in part", partial)):
        if not group:
            continue
        print(f"{title}:")
        by_reason: dict[str, list] = {}
        for p in group:
            by_reason.setdefault(p.reason, []).append(p)
        for reason, items in sorted(by_reason.items()):
            print(f"  {reason} ({len(items)}):")
            for p in items:
                print(f"    {p.id}" + (f" — {p.detail}" if p.detail else ""))
    if warned:
        print("Warnings:")
        by_warning: dict[str, list[str]] = {}
        for w in warned:
            by_warning.setdefault(w.reason, []).append(w.id)
        for reason, ids in sorted(by_warning.items()):
            print(f"  {reason} ({len(ids)}):")
            for i in ids:
                print(f"    {i}")
    return EXIT_OK


def _plain(snippet: str, tty: bool) -> str:
    import html

    on, off = ("\033[1m", "\033[0m") if tty else ("[", "]")
    return html.unescape(snippet.replace("<mark>", on).replace("</mark>", off))


def cmd_search(args) -> int:
    from ..search import SearchIndex  # numpy and the query code: only a search needs them

    archive, index_dir = locations(args)
    req = SearchRequest(query=args.query or "", groups=tuple(args.group), types=tuple(args.type),
                        themes=tuple(args.theme), years=tuple(args.year), municipalities=tuple(args.municipality),
                        date_from=args.date_from,
                        date_to=args.date_to, sort=args.sort, page=args.page, per_page=args.limit,
                        exact=args.exact)
    index = SearchIndex(archive, index_dir)
    if args.csv:
        # Every hit, --page and --limit aside: the same bytes as the web app's /export.csv.
        export = Export(index.search, req)
        for chunk in csv_chunks(export, args.base_url or ""):
            sys.stdout.buffer.write(chunk)
        sys.stdout.buffer.flush()
        if export.capped:
            print(f"arkiv: capped at {export.limit} of {export.total} hits (the last row says so)", file=sys.stderr)
        return EXIT_OK
    result = index.search(req)
    if args.json:
        json.dump(result.to_json(), sys.stdout, ensure_ascii=False, indent=2)
        print()
        return EXIT_OK
    tty = sys.stdout.isatty()
    pages = max(1, -(-result.total // result.per_page))
    what = f' for "{result.query}"' if result.query else ""
    print(f"{result.total} document(s){what} — page {result.page} of {pages}")
    if result.corrected:
        print(f'Showing hits for "{result.corrected}"; nothing was found for "{result.query}" '
              "(--exact searches it as typed)")
    if result.suggestion:
        print(f"Did you mean: {result.suggestion}")
    start = (result.page - 1) * result.per_page
    for n, h in enumerate(result.hits, start + 1):
        where = f", page {h.page}" if h.page and h.page > 1 else ""
        day = h.date.isoformat() if h.date else "no date"
        print(f"\n{n:>3}. {h.title}")
        print(f"     {h.group} · {day} · {h.type}{where} · {h.id}")
        if h.themes:
            print(f"     themes: {', '.join(h.themes)}")
        if h.item:
            print(f"     item: {h.item[0]} {h.item[1]}".rstrip())
        if h.snippet:
            print(f"     {_plain(h.snippet, tty)}")
    for facet, values in result.facets.items():
        if values:
            print(f"\n{facet}: " + ", ".join(f"{v} ({c})" for v, c in values.items()))
    return EXIT_OK


def cmd_add(args) -> int:
    archive, index_dir = locations(args)
    req = AddRequest(files=tuple(Path(f) for f in args.files), group=args.group, meeting=args.meeting,
                     type=args.type, themes=tuple(args.theme), title=args.title)
    ids = add_files(archive, req)
    for i in ids:
        print(f"added {i}")
    report = run_index(archive, index_dir, quiet=True)
    failed = [p for p in report.failed if p.id in ids]
    for p in failed:
        print(f"  {p.id}: {p.reason} — kept in the archive, findable by its name", file=sys.stderr)
    for p in report.warnings:
        if p.id in ids:
            print(f"  {p.id}: {p.reason}", file=sys.stderr)
    return EXIT_PARTIAL if failed else EXIT_OK


def build_parser(commands: Sequence[Command] = ()) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="arkiv", description="Nätverksarkivet: index and search the archive.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("index", help="bring the index up to date with the archive folder")
    location_args(p)
    p.add_argument("--rebuild", action="store_true", help="build the index again from scratch")
    p.add_argument("--jobs", type=positive, default=min(2, os.cpu_count() or 1),
                   help="files read in parallel (default: %(default)s)")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(func=cmd_index)

    p = sub.add_parser("search", help="search the archive; an empty query with filters browses")
    p.add_argument("query", nargs="?", default="", metavar="QUERY")
    location_args(p)
    p.add_argument("--group", action="append", default=[], metavar="SLUG")
    # Values as the UI labels them too (--type minnesanteckningar, --group Naturvårdsgruppen):
    # the search resolves them and names the possible ones for an unknown value.
    p.add_argument("--type", action="append", default=[], metavar="T",
                   help=f"{', '.join(DOCUMENT_TYPES)}, or the Swedish label")
    p.add_argument("--theme", action="append", default=[], metavar="NAME")
    p.add_argument("--municipality", action="append", default=[], metavar="NAME",
                   help="a municipality or region named in the documents (Lerum, Borås, boras, Region Skåne)")
    p.add_argument("--year", action="append", default=[], type=year, metavar="Y")
    p.add_argument("--from", dest="date_from", type=iso_date, metavar="YYYY-MM-DD")
    p.add_argument("--to", dest="date_to", type=iso_date, metavar="YYYY-MM-DD")
    p.add_argument("--sort", choices=SORTS, default="relevance")
    p.add_argument("--limit", type=positive, default=10, metavar="N", help="hits per page (max 100)")
    p.add_argument("--exact", action="store_true",
                   help="search the words as typed, never a corrected spelling when nothing is found")
    p.add_argument("--page", type=positive, default=1, metavar="N")
    output = p.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true")
    output.add_argument("--csv", action="store_true",
                        help="every hit (up to 10,000) as CSV, UTF-8 with a byte order mark; --page and --limit "
                             "do not apply")
    p.add_argument("--base-url", default=os.environ.get("ARKIV_PUBLIC_URL", ""), metavar="URL",
                   help="where the web app is served, for the CSV's links (default: $ARKIV_PUBLIC_URL, "
                        "else links are paths such as /documents/...)")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("add", help="copy files into the archive and index them")
    p.add_argument("files", nargs="+", metavar="FILE")
    location_args(p)
    p.add_argument("--group", required=True, metavar="SLUG")
    p.add_argument("--meeting", metavar="YYYY-MM-DD[-place]")
    p.add_argument("--type", choices=DOCUMENT_TYPES)
    p.add_argument("--theme", action="append", default=[], metavar="NAME")
    p.add_argument("--title")
    p.set_defaults(func=cmd_add)

    p = sub.add_parser("problems", help="list the documents whose text could not be read, by reason",
                       description="List the documents whose text could not be read (or only in part), "
                                   "grouped by reason, as the last `arkiv index` left them. Exit 0 when "
                                   "the list could be made, 1 when there is no index.")
    location_args(p)
    p.add_argument("--warnings", action="store_true",
                   help="also list what indexing noticed about readable files (no text, no date, ...)")
    p.add_argument("--json", action="store_true",
                   help='print {"documents", "problems": [{"id", "reason", "detail"}]} (and "warnings")')
    p.set_defaults(func=cmd_problems)
    add_change_commands(sub)  # trash, import
    for c in commands:
        p = sub.add_parser(c.name, help=c.help, description=c.description)
        c.arguments(p)
        location_args(p, c.locations)
        p.set_defaults(func=c.run)
    return parser


def main(argv: list[str] | None = None, commands: Sequence[Command] = ()) -> int:
    """Run the CLI with `commands` added to its own (the web app's serve and user)."""
    parser = build_parser(commands)
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except ArkivError as e:
        print(f"arkiv: {e}", file=sys.stderr)
        return EXIT_USAGE if isinstance(e, ValueError) else EXIT_FAILED
    except OSError as e:
        print(f"arkiv: {e.filename or ''}: {e.strerror or e}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("arkiv: interrupted; the index keeps its last committed state", file=sys.stderr)
        return 130
