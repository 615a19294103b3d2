"""The `arkiv` command line: index, search, add, problems (serve and user come from the web app).

Nothing heavy is imported here: each command imports what it needs (Whoosh, the
extractors) when it runs, so `arkiv --help` and a usage error answer at once.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Sequence

from ..errors import ArkivError
from ..models import DOCUMENT_TYPES, READ_STATUSES, SORTS, TEXT_LABELS, UNREADABLE_SCAN, IndexReport, SearchRequest
from .alerts import add_alert_commands
from .changes import add_change_commands
from .common import EXIT_FAILED, EXIT_OK, EXIT_PARTIAL, EXIT_USAGE, Command, Parser, iso_date, location_args, \
    locations, positive, run_index, year
from .words import FACET_HEADINGS, INTERRUPTED, TYPE_NAMES, count, error_line, number, os_error_line, page_word, \
    status_word, sv_date, type_name, warning_word


def print_report(report: IndexReport, out=None) -> None:
    out = out or sys.stdout
    if report.rebuilt_because:
        print(f"Indexet byggdes om: {report.rebuilt_because}.", file=out)
    ocr = f", {count(report.ocr_pages, 'sida', 'sidor')} lästa med OCR" if report.ocr_pages else ""
    print(f"{count(len(report.added), 'ny', 'nya')}, {count(len(report.updated), 'ändrad', 'ändrade')}, "
          f"{count(len(report.moved), 'flyttad', 'flyttade')}, {count(len(report.removed), 'borttagen', 'borttagna')}, "
          f"{number(report.unchanged)} oförändrade, {count(len(report.failed), 'oläsbar', 'oläsbara')}, "
          f"{count(len(report.warnings), 'varning', 'varningar')}{ocr}", file=out)
    for old, new in report.moved:
        print(f"  flyttad  {old} -> {new}", file=out)
    for title, listed, word in (("Kunde inte läsas", report.failed, status_word),
                                ("Varningar", report.warnings, warning_word)):
        if not listed:
            continue
        print(f"{title}:", file=out)
        by_reason: dict[str, list[str]] = {}
        for p in listed:
            by_reason.setdefault(p.reason, []).append(p.id)
        for reason, ids in sorted(by_reason.items()):
            print(f"  {word(reason)} ({len(ids)}):", file=out)
            for i in ids:
                print(f"    {i}", file=out)


def _json(data) -> None:
    """DESIGN.md's JSON: English keys and values, å/ä/ö as themselves (as /api/search writes them)."""
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    print()


def cmd_index(args) -> int:
    archive, index_dir = locations(args)
    report = run_index(archive, index_dir, rebuild=args.rebuild, jobs=args.jobs, quiet=args.json,
                       ocr=False if args.no_ocr else None)
    if args.json:
        _json(report.to_json())
    else:
        print_report(report)
    return EXIT_PARTIAL if report.failed else EXIT_OK


def cmd_problems(args) -> int:
    """Documents whose text could not be read (or only in part), from the last run's state."""
    from ..index import index_warnings, load_state, problems

    archive, index_dir = locations(args)
    found = problems(index_dir)
    warned = index_warnings(index_dir) if args.warnings else []
    if args.json:
        data = {"documents": len(load_state(index_dir)),
                "problems": [{"id": p.id, "reason": p.reason, "detail": p.detail} for p in found]}
        if args.warnings:
            data["warnings"] = [{"id": w.id, "reason": w.reason} for w in warned]
        _json(data)
        return EXIT_OK
    total = len(load_state(index_dir))
    unread = [p for p in found if p.reason not in READ_STATUSES]
    scans = [p for p in found if p.reason == UNREADABLE_SCAN]
    partial = [p for p in found if p.reason in READ_STATUSES and p.reason != UNREADABLE_SCAN]
    print(f"{count(total, 'dokument')} i indexet: {number(len(unread))} kunde inte läsas, "
          f"{count(len(scans), 'inskannad fil', 'inskannade filer')} utan läsbar text, "
          f"{number(len(partial))} lästes bara delvis.")
    for title, group in (("Kunde inte läsas (hittas bara på namn och uppgifter)", unread),
                         ("Inskannade filer vars text inte kunde läsas (hittas bara på namn och uppgifter)", scans),
                         ("Lästes bara delvis", partial)):
        if not group:
            continue
        print(f"{title}:")
        by_reason: dict[str, list] = {}
        for p in group:
            by_reason.setdefault(p.reason, []).append(p)
        for reason, items in sorted(by_reason.items()):
            print(f"  {status_word(reason)} ({len(items)}):")
            for p in items:
                print(f"    {p.id}" + (f" – {p.detail}" if p.detail else ""))
    if warned:
        print("Varningar:")
        by_warning: dict[str, list[str]] = {}
        for w in warned:
            by_warning.setdefault(w.reason, []).append(w.id)
        for reason, ids in sorted(by_warning.items()):
            print(f"  {warning_word(reason)} ({len(ids)}):")
            for i in ids:
                print(f"    {i}")
    return EXIT_OK


def _plain(snippet: str, tty: bool) -> str:
    import html

    on, off = ("\033[1m", "\033[0m") if tty else ("[", "]")
    return html.unescape(snippet.replace("<mark>", on).replace("</mark>", off))


def _facet_value(config, facet: str, value: str) -> str:
    if facet == "group":
        group = config.group(value)
        return group.name if group else value
    if facet == "type":
        return type_name(value)
    return value


def cmd_search(args) -> int:
    from ..export import Export, csv_chunks
    from ..search import SearchIndex  # Whoosh, numpy and the query code: only a search needs them

    archive, index_dir = locations(args)
    req = SearchRequest(query=args.query or "", groups=tuple(args.group), types=tuple(args.type),
                        themes=tuple(args.theme), years=tuple(args.year), municipalities=tuple(args.municipality),
                        texts=tuple(args.text),
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
            print(f"arkiv: bara de första {number(export.limit)} av {count(export.total, 'träff', 'träffar')} "
                  "(sista raden säger det)", file=sys.stderr)
        return EXIT_OK
    result = index.search(req)
    if args.json:
        _json(result.to_json())
        return EXIT_OK
    config = index.config
    tty = sys.stdout.isatty()
    pages = max(1, -(-result.total // result.per_page))
    what = f" för ”{result.query}”" if result.query else ""
    print(f"{count(result.total, 'dokument')}{what} – sida {result.page} av {pages}")
    if result.corrected:
        print(f"Visar träffar för ”{result.corrected}”; inget hittades för ”{result.query}” "
              "(--exact söker orden som de skrevs)")
    if result.suggestion:
        print(f"Menade du: {result.suggestion}")
    if result.partial:
        print("Sökningen tog för lång tid: det här är vad den hann hitta.")
    start = (result.page - 1) * result.per_page
    for n, h in enumerate(result.hits, start + 1):
        parts = [_facet_value(config, "group", h.group), sv_date(h.date), type_name(h.type),
                 page_word(h.id, h.page), h.id]
        print(f"\n{n:>3}. {h.title}")
        print("     " + " · ".join(p for p in parts if p))
        if h.themes:
            print(f"     teman: {', '.join(h.themes)}")
        if h.item:
            print(f"     punkt: {h.item[0]} {h.item[1]}".rstrip())
        if h.snippet:
            print(f"     {_plain(h.snippet, tty)}")
    for facet, values in result.facets.items():
        if values:
            listed = ", ".join(f"{_facet_value(config, facet, v)} ({number(c)})" for v, c in values.items())
            print(f"\n{FACET_HEADINGS.get(facet, facet)}: {listed}")
    return EXIT_OK


def cmd_add(args) -> int:
    from ..changes import AddRequest, add_files

    archive, index_dir = locations(args)
    req = AddRequest(files=tuple(Path(f) for f in args.files), group=args.group, meeting=args.meeting,
                     type=args.type, themes=tuple(args.theme), title=args.title)
    ids = add_files(archive, req)
    for i in ids:
        print(f"tillagd: {i}")
    report = run_index(archive, index_dir, quiet=True)
    failed = [p for p in report.failed if p.id in ids]
    for p in failed:
        print(f"  {p.id}: {status_word(p.reason)} – finns kvar i arkivet och hittas på sitt namn", file=sys.stderr)
    for p in report.warnings:
        if p.id in ids:
            print(f"  {p.id}: {warning_word(p.reason)}", file=sys.stderr)
    return EXIT_PARTIAL if failed else EXIT_OK


def build_parser(commands: Sequence[Command] = ()) -> argparse.ArgumentParser:
    parser = Parser(prog="arkiv", description="Nätverksarkivet: indexera och sök i arkivet.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="KOMMANDO", title="kommandon",
                                parser_class=Parser)

    p = sub.add_parser("index", help="uppdatera sökindexet efter arkivmappen")
    location_args(p)
    p.add_argument("--rebuild", action="store_true", help="bygg om indexet från början")
    p.add_argument("--jobs", type=positive, default=min(2, os.cpu_count() or 1),
                   help="filer som läses samtidigt (standard: %(default)s)")
    p.add_argument("--no-ocr", action="store_true",
                   help="lämna inskannade sidor och bilder olästa (också ARKIV_OCR=off); en senare körning "
                        "med OCR läser dem")
    p.add_argument("--json", action="store_true", help="skriv sammanfattningen som JSON")
    p.set_defaults(func=cmd_index)

    p = sub.add_parser("search", help="sök i arkivet; en tom sökning med filter bläddrar")
    p.add_argument("query", nargs="?", default="", metavar="SÖKNING")
    location_args(p)
    # Names as the UI shows them too (--type minnesanteckningar, --group Naturvårdsgruppen):
    # the search resolves them and names the possible ones for an unknown value (exit 2).
    p.add_argument("--group", action="append", default=[], metavar="GRUPP",
                   help="gruppens kortnamn eller namn (naturvard, Naturvårdsgruppen)")
    p.add_argument("--type", action="append", default=[], metavar="TYP",
                   help=f"{', '.join(DOCUMENT_TYPES)}, eller på svenska ({', '.join(TYPE_NAMES.values())})")
    p.add_argument("--theme", action="append", default=[], metavar="TEMA", help="ett tema ur arkiv.toml")
    p.add_argument("--municipality", action="append", default=[], metavar="KOMMUN",
                   help="en kommun eller region som dokumenten nämner (Lerum, Borås, boras, Region Skåne)")
    p.add_argument("--year", action="append", default=[], type=year, metavar="ÅR")
    p.add_argument("--text", action="append", default=[], choices=sorted(TEXT_LABELS),
                   help="ocr: bara dokument vars text lästes med OCR (inskannade, foton)")
    p.add_argument("--from", dest="date_from", type=iso_date, metavar="ÅÅÅÅ-MM-DD", help="från och med datum")
    p.add_argument("--to", dest="date_to", type=iso_date, metavar="ÅÅÅÅ-MM-DD", help="till och med datum")
    p.add_argument("--sort", choices=SORTS, default="relevance", help="ordning (standard: %(default)s)")
    p.add_argument("--limit", type=positive, default=10, metavar="N", help="träffar per sida (högst 100)")
    p.add_argument("--exact", action="store_true",
                   help="sök orden som de skrevs, aldrig en rättad stavning när inget hittas")
    p.add_argument("--page", type=positive, default=1, metavar="N", help="vilken sida av träffarna")
    output = p.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="skriv svaret som JSON (DESIGN.md)")
    output.add_argument("--csv", action="store_true",
                        help="alla träffar (högst 10 000) som CSV, UTF-8 med byte order mark; --page och "
                             "--limit gäller inte")
    p.add_argument("--base-url", default=os.environ.get("ARKIV_PUBLIC_URL", ""), metavar="URL",
                   help="webbappens adress, för länkarna i CSV:n (standard: $ARKIV_PUBLIC_URL, annars "
                        "sökvägar som /documents/...)")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("add", help="kopiera filer in i arkivet och indexera dem")
    p.add_argument("files", nargs="+", metavar="FIL")
    location_args(p)
    p.add_argument("--group", required=True, metavar="GRUPP", help="gruppens kortnamn")
    p.add_argument("--meeting", metavar="ÅÅÅÅ-MM-DD[-plats]", help="mötet (standard: gruppens Övrigt)")
    p.add_argument("--type", choices=DOCUMENT_TYPES, help="dokumenttypen")
    p.add_argument("--theme", action="append", default=[], metavar="TEMA")
    p.add_argument("--title", metavar="TITEL")
    p.set_defaults(func=cmd_add)

    p = sub.add_parser("problems", help="lista dokumenten vars text inte kunde läsas, efter orsak",
                       description="Lista dokumenten vars text inte kunde läsas (eller bara delvis), "
                                   "efter orsak, som senaste `arkiv index` lämnade dem. Slutkod 0 när "
                                   "listan kunde göras, 1 när det inte finns något index.")
    location_args(p)
    p.add_argument("--warnings", action="store_true",
                   help="lista också vad indexeringen märkte i läsbara filer (ingen text, inget datum, ...)")
    p.add_argument("--json", action="store_true",
                   help='skriv {"documents", "problems": [{"id", "reason", "detail"}]} (och "warnings")')
    p.set_defaults(func=cmd_problems)
    add_change_commands(sub)  # trash, import
    add_alert_commands(sub)
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
        print(error_line(e), file=sys.stderr)
        return EXIT_USAGE if isinstance(e, ValueError) else EXIT_FAILED
    except BrokenPipeError:
        # `arkiv search ... | head`: the reader has what it wanted; say nothing more.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except OSError as e:
        print(os_error_line(e), file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print(f"arkiv: {INTERRUPTED}", file=sys.stderr)
        return 130
