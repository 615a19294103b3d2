"""`arkiv trash` and `arkiv import`: the CLI's commands that change the archive (see commands.py)."""
from __future__ import annotations

import argparse
import re
import sys
from datetime import timedelta
from pathlib import Path

from ..changes import ImportPlan, carry_out, cli_user, empty_trash, plan_import, trashed
from .common import EXIT_PARTIAL, location_args, locations, run_index

UNITS = {"d": "days", "h": "hours", "w": "weeks"}


def duration(text: str) -> timedelta:
    m = re.fullmatch(r"(\d+)\s*([dhw])", text.strip().lower())
    if not m:
        raise argparse.ArgumentTypeError(f"'{text}' is not a duration such as 90d, 12h or 2w")
    return timedelta(**{UNITS[m[2]]: int(m[1])})


def _age(td: timedelta) -> str:
    if td.seconds == 0:
        return f"{td.days} day(s)"
    return f"{td.total_seconds() / 3600:.0f} hour(s)"


def cmd_trash_list(args) -> int:
    archive, _ = locations(args)
    items = trashed(archive)
    print(f"{len(items)} document(s) in the trash of {archive}")
    for item in items:
        why = " (replaced by a new version)" if item.why == "replace" else ""
        print(f"  {item.when:%Y-%m-%d %H:%M} {item.who:<16} {item.original}{why}")
    return 0


def cmd_trash_empty(args) -> int:
    archive, _ = locations(args)
    deleted = empty_trash(archive, args.older_than, cli_user())
    print(f"Deleted {len(deleted)} document(s) for good from the trash (removed more than "
          f"{_age(args.older_than)} ago); {len(trashed(archive))} remain.")
    for item in deleted:
        print(f"  {item.original} (removed {item.when:%Y-%m-%d} by {item.who})")
    return 0


def print_plan(plan: ImportPlan, dry_run: bool, out=None) -> None:
    out = out or sys.stdout
    placed, unsorted, skipped = plan.placed, plan.unsorted, plan.skipped
    verb = "Would file" if dry_run else "Filed"
    print(f"{verb} {len(placed)} file(s) into meetings of '{plan.group}', {len(unsorted)} into "
          f"{plan.group}/osorterat/; {len(skipped)} skipped.", file=out)
    if placed:
        print("Into meetings:", file=out)
        for i in placed:
            where = "existing meeting" if i.meeting_exists else "new meeting"
            print(f"  {i.source}\n    -> {i.target}  ({where}; date from the {i.date_from})", file=out)
    if unsorted:
        print("Could not be placed (no date found), to osorterat:", file=out)
        for i in unsorted:
            print(f"  {i.source}\n    -> {i.target}", file=out)
    if skipped:
        print("Skipped:", file=out)
        for i in skipped:
            why = f"already in the archive as {i.detail}" if i.skipped == "duplicate" else f"{i.skipped}: {i.detail}"
            print(f"  {i.source}: {why}", file=out)
    if dry_run:
        print("Dry run: nothing was changed. Run again with --yes to file them.", file=out)


def cmd_import(args) -> int:
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
        print(f"  {p.id}: {p.reason} — kept in the archive, findable by its name", file=sys.stderr)
    print(f"Indexed: {len(ids)} new document(s).")
    return EXIT_PARTIAL if failed else 0


def add_change_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("trash", help="list the trash, or delete old removals from it for good")
    tsub = p.add_subparsers(dest="trash_command", required=True, metavar="list|empty")
    t = tsub.add_parser("list", help="what is in the trash, most recent first")
    location_args(t)
    t.set_defaults(func=cmd_trash_list)
    t = tsub.add_parser("empty", help="delete for good what was removed long enough ago")
    location_args(t)
    t.add_argument("--older-than", required=True, metavar="AGE", type=duration,
                   help="e.g. 90d (days), 12h (hours), 2w (weeks)")
    t.set_defaults(func=cmd_trash_empty)

    p = sub.add_parser("import", help="file a folder of old documents into a group's meetings",
                       description="Walk FOLDER, propose a meeting for each file from the dates found in its "
                                   "path and text, and show where each would go. Nothing changes without "
                                   "--yes. Files without a date go to the group's osorterat folder; "
                                   "content already in the archive is skipped.")
    p.add_argument("folder", metavar="DIR")
    location_args(p)
    p.add_argument("--group", required=True, metavar="SLUG")
    p.add_argument("--yes", action="store_true", help="file them (default: a dry run that only shows the plan)")
    p.set_defaults(func=cmd_import)
