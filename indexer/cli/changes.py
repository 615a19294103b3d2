"""`arkiv trash` and `arkiv import`: the CLI's commands that change the archive (see commands.py)."""
from __future__ import annotations

import argparse
import re
import sys
from datetime import timedelta
from pathlib import Path

from .common import EXIT_PARTIAL, location_args, locations, run_index
from .words import DATE_SOURCES, count, status_word

UNITS = {"d": "days", "h": "hours", "w": "weeks"}


def duration(text: str) -> timedelta:
    m = re.fullmatch(r"(\d+)\s*([dhw])", text.strip().lower())
    if not m:
        raise argparse.ArgumentTypeError(f"”{text}” är ingen tid som 90d, 12h eller 2w")
    return timedelta(**{UNITS[m[2]]: int(m[1])})


SKIPPED = {"not a document": "inget dokument"}


def _age(td: timedelta) -> str:
    if td.seconds == 0:
        return count(td.days, "dag", "dagar")
    return count(round(td.total_seconds() / 3600), "timme", "timmar")


def cmd_trash_list(args) -> int:
    from ..changes import trashed

    archive, _ = locations(args)
    items = trashed(archive)
    print(f"{count(len(items), 'dokument')} i papperskorgen i {archive}")
    for item in items:
        why = " (ersatt av en ny version)" if item.why == "replace" else ""
        print(f"  {item.when:%Y-%m-%d %H.%M} {item.who:<16} {item.original}{why}")
    return 0


def cmd_trash_empty(args) -> int:
    from ..changes import cli_user, empty_trash, trashed

    archive, _ = locations(args)
    deleted = empty_trash(archive, args.older_than, cli_user())
    print(f"Raderade {count(len(deleted), 'dokument')} för gott ur papperskorgen (borttagna för mer än "
          f"{_age(args.older_than)} sedan); {count(len(trashed(archive)), 'ligger', 'ligger')} kvar.")
    for item in deleted:
        print(f"  {item.original} (borttaget {item.when:%Y-%m-%d} av {item.who})")
    return 0


def print_plan(plan, dry_run: bool, out=None) -> None:
    out = out or sys.stdout
    placed, unsorted, skipped = plan.placed, plan.unsorted, plan.skipped
    verb = "Skulle lägga" if dry_run else "Lade"
    print(f"{verb} {count(len(placed), 'fil', 'filer')} i möten i ”{plan.group}”, {count(len(unsorted), 'fil', 'filer')} i "
          f"{plan.group}/osorterat/; {count(len(skipped), 'fil', 'filer')} hoppades över.", file=out)
    if placed:
        print("I möten:", file=out)
        for i in placed:
            where = "befintligt möte" if i.meeting_exists else "nytt möte"
            print(f"  {i.source}\n    -> {i.target}  ({where}; datum ur {DATE_SOURCES.get(i.date_from, i.date_from)})",
                  file=out)
    if unsorted:
        print("Kunde inte placeras (inget datum hittades), till osorterat:", file=out)
        for i in unsorted:
            print(f"  {i.source}\n    -> {i.target}", file=out)
    if skipped:
        print("Hoppades över:", file=out)
        for i in skipped:
            why = f"finns redan i arkivet som {i.detail}" if i.skipped == "duplicate" else \
                f"{SKIPPED.get(i.skipped, i.skipped)}: {i.detail}"
            print(f"  {i.source}: {why}", file=out)
    if dry_run:
        print("Provkörning: ingenting ändrades. Kör igen med --yes för att lägga in dem.", file=out)


def cmd_import(args) -> int:
    from ..changes import carry_out, cli_user, plan_import

    archive, index_dir = locations(args)
    plan = plan_import(archive, Path(args.folder), args.group, index_dir=index_dir)
    if not args.yes:
        print_plan(plan, dry_run=True)
        return 0
    ids = carry_out(archive, plan, cli_user())
    print_plan(plan, dry_run=False)
    report = run_index(archive, index_dir, quiet=True)
    failed = [p for p in report.failed if p.id in ids]
    for p in failed:
        print(f"  {p.id}: {status_word(p.reason)} – finns kvar i arkivet och hittas på sitt namn", file=sys.stderr)
    print(f"Indexerat: {count(len(ids), 'nytt dokument', 'nya dokument')}.")
    return EXIT_PARTIAL if failed else 0


def add_change_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("trash", help="visa papperskorgen, eller radera gamla borttagningar för gott")
    tsub = p.add_subparsers(dest="trash_command", required=True, metavar="list|empty", title="kommandon",
                            parser_class=type(p))
    t = tsub.add_parser("list", help="vad som ligger i papperskorgen, senast borttaget först")
    location_args(t)
    t.set_defaults(func=cmd_trash_list)
    t = tsub.add_parser("empty", help="radera för gott det som togs bort för tillräckligt länge sedan")
    location_args(t)
    t.add_argument("--older-than", required=True, metavar="ÅLDER", type=duration,
                   help="t.ex. 90d (dagar), 12h (timmar), 2w (veckor)")
    t.set_defaults(func=cmd_trash_empty)

    p = sub.add_parser("import", help="lägg in en mapp med gamla dokument i en grupps möten",
                       description="Gå igenom MAPP, föreslå ett möte för varje fil utifrån datumen i dess "
                                   "sökväg och text, och visa vart var och en skulle hamna. Ingenting ändras "
                                   "utan --yes. Filer utan datum hamnar i gruppens mapp osorterat; innehåll "
                                   "som redan finns i arkivet hoppas över.")
    p.add_argument("folder", metavar="MAPP")
    location_args(p)
    p.add_argument("--group", required=True, metavar="GRUPP")
    p.add_argument("--yes", action="store_true", help="lägg in dem (standard: en provkörning som bara visar planen)")
    p.set_defaults(func=cmd_import)
