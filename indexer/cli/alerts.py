"""`arkiv alerts send|list|remove`: e-mail alerts from the command line (cron runs `send`)."""
from __future__ import annotations

import argparse
import os
import sys
from datetime import datetime, timezone

from ..alerts import AlertsBusy, MailSettings, Subscriptions, alerts_file, describe, send_due
from ..config import load_archive_config
from ..paths import resolve_archive
from .common import EXIT_FAILED, EXIT_OK, EXIT_PARTIAL, location_args, locations

STATUS_WORDS = {"sent": "sent", "nothing new": "nothing new", "failed": "FAILED, retried next run",
                "skipped": "not tried (the server failed), retried next run", "would send": "would send"}


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _config(archive):
    try:
        return load_archive_config(archive)
    except Exception:  # noqa: BLE001 - the mails then name groups by their slugs
        return None


def cmd_alerts_send(args) -> int:
    from ..search import SearchIndex  # numpy and the query code: only sending needs them

    archive, index_dir = locations(args)
    settings = MailSettings.from_environ(os.environ)  # the one place the CLI reads them
    if settings is None and not args.dry_run:
        print("arkiv: no mail settings: set ARKIV_SMTP_HOST and ARKIV_MAIL_FROM (README, E-mail alerts); "
              "--dry-run shows what would be sent", file=sys.stderr)
        return EXIT_FAILED
    index = SearchIndex(archive, index_dir)
    try:
        report = send_due(Subscriptions(alerts_file(archive)), index.search, index_dir, index.config, settings,
                          _now(), everything=args.now, dry_run=args.dry_run)
    except AlertsBusy as e:
        print(f"arkiv: {e}", file=sys.stderr)
        return EXIT_FAILED
    finally:
        index.close()
    for o in report.outcomes:
        line = f"  {o.subscription.address}: {o.new} new, {STATUS_WORDS[o.status]}"
        print(line + (f" ({o.error})" if o.error else ""), file=sys.stderr if o.error else sys.stdout)
    verb = "Would send" if args.dry_run else "Sent"
    print(f"{verb} {sum(o.status == ('would send' if args.dry_run else 'sent') for o in report.outcomes)} "
          f"digest(s); {len(report.outcomes)} of {report.confirmed} confirmed subscription(s) were due"
          f"{'' if not report.failed else f', {len(report.failed)} failed'}.")
    if args.dry_run:
        print("Dry run: nothing was sent or marked.")
    return EXIT_PARTIAL if report.failed else EXIT_OK


def cmd_alerts_list(args) -> int:
    archive = resolve_archive(args.archive)
    store = Subscriptions(alerts_file(archive))
    now = _now()
    subs = store.all(now)
    config = _config(archive)
    confirmed = sum(s.is_confirmed for s in subs)
    print(f"{len(subs)} subscription(s) in {store.path}: {confirmed} confirmed, {len(subs) - confirmed} "
          "waiting for confirmation")
    for s in subs:
        if s.is_confirmed:
            state = f"confirmed {s.confirmed[:10]}, last digest {s.sent[:16] if s.sent else 'none yet'}"
        else:
            state = f"unconfirmed, deleted {s.expires():%Y-%m-%d %H:%M} UTC unless confirmed"
        print(f"  {s.address}  {s.frequency}  {state}\n    {describe(s.search, config)}")
    return EXIT_OK


def cmd_alerts_remove(args) -> int:
    archive = resolve_archive(args.archive)
    n = Subscriptions(alerts_file(archive)).remove_address(args.address)
    print(f"Removed {n} subscription(s) of {args.address}.")
    return EXIT_OK if n else EXIT_FAILED


def add_alert_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("alerts", help="e-mail alerts: send the digests that are due, list, remove",
                       description="E-mail alerts of new documents for a search, subscribed to on the site. "
                                   "The subscriptions are kept in <archive>-alerts.json beside the archive. "
                                   "Mail goes out through ARKIV_SMTP_HOST (README: E-mail alerts).")
    asub = p.add_subparsers(dest="alerts_command", required=True, metavar="send|list|remove")
    a = asub.add_parser("send", help="send each due subscription its digest of new documents (run from cron)",
                        description="Send each confirmed subscription that is due (daily or weekly) a digest of "
                                    "the documents new to the archive that match its search. A digest that "
                                    "fails is tried again on the next run. Exit 0 when all went out, 3 when "
                                    "some failed, 1 when nothing could be done.")
    location_args(a)
    a.add_argument("--dry-run", action="store_true", help="say what would be sent; send and change nothing")
    a.add_argument("--now", action="store_true",
                   help="every confirmed subscription with new documents, whatever its frequency")
    a.set_defaults(func=cmd_alerts_send)
    a = asub.add_parser("list", help="every subscription: address, frequency, state, search")
    location_args(a, ("archive",))
    a.set_defaults(func=cmd_alerts_list)
    a = asub.add_parser("remove", help="delete every subscription of an e-mail address")
    a.add_argument("address", metavar="ADDRESS")
    location_args(a, ("archive",))
    a.set_defaults(func=cmd_alerts_remove)
