"""`arkiv alerts send`: which subscriptions are due, which documents are new to them, and the sending.

New means new to the archive, not a recent date: a meeting of 2019 filed today is news. The
ledger beside the subscriptions remembers when each document's content (by its SHA-256, from the
index's state) was first seen by a run, so a moved or renamed document is not news again, a
rebuilt index changes nothing, and a new version of a file is news. The first run ever sees
every document as old.

Delivery is at least once: a digest is marked sent only after the SMTP server accepted it, one
subscription at a time. A run killed between the server's acceptance and the mark sends that one
digest again next run; a digest that failed is not marked and is tried again next run.
"""
from __future__ import annotations

import errno
import fcntl
import json
import os
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Callable, Iterator

from ..atomic import write_bytes_atomic
from ..errors import ArkivError, IndexUnavailable
from ..export import Export
from ..index import load_state
from ..models import ArchiveConfig, Hit, SearchRequest, SearchResult
from .mail import digest_message
from .settings import MailSettings
from .smtp import SEND_ERRORS, SmtpTransport
from .store import Subscription, Subscriptions, parse_stamp, search_request, stamp

SEEN_SUFFIX = "-seen.json"
PERIODS = {"daily": timedelta(days=1), "weekly": timedelta(days=7)}
# A run from cron at 07:00 finds yesterday's 07:00:40 digest due: runs are not to the second.
DUE_SLACK = timedelta(hours=1)
# A document gone from the index this long is forgotten: back after that, it is news again.
FORGET_AFTER = timedelta(days=30)
BEFORE_ALL = "1970-01-01T00:00:00+00:00"  # first seen "always": the documents of the first run


class AlertsBusy(ArkivError):
    """Another `arkiv alerts send` is running."""


def is_due(sub: Subscription, now: datetime) -> bool:
    if not sub.is_confirmed:
        return False
    checked = parse_stamp(sub.checked)
    return checked is None or now - checked >= PERIODS[sub.frequency] - DUE_SLACK


class Ledger:
    """Content hash -> [first seen, last seen] by a run; written only by a run, under its lock."""

    def __init__(self, path: Path):
        self.path = Path(path)

    def load(self) -> dict[str, list[str]] | None:
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))["documents"]
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError):
            return None  # unreadable: start again, every document old (no flood of old news)

    def update(self, hashes: set[str], now: datetime) -> dict[str, list[str]]:
        """The ledger with this run's documents added (first seen now) and long-gone ones dropped."""
        known = self.load()
        # No ledger, or an empty one (a first run before anything was indexed): what is there is old.
        first = BEFORE_ALL if not known else stamp(now)
        known = dict(known or {})
        now_s = stamp(now)
        for sha in hashes:
            known[sha] = [known[sha][0], now_s] if sha in known else [first, now_s]
        cutoff = now - FORGET_AFTER
        return {sha: seen for sha, seen in known.items() if parse_stamp(seen[1]) >= cutoff}

    def save(self, documents: dict[str, list[str]]) -> None:
        write_bytes_atomic(self.path, json.dumps({"version": 1, "documents": documents}).encode(), mode=0o600)


@dataclass(frozen=True)
class Outcome:
    subscription: Subscription
    new: int  # documents new to it
    status: str  # "sent", "nothing new", "failed", "would send" (a dry run), "skipped" (after a failure)
    error: str = ""


@dataclass(frozen=True)
class SendReport:
    outcomes: tuple[Outcome, ...]
    confirmed: int  # confirmed subscriptions in all, due or not

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status in ("failed", "skipped")]


@contextmanager
def _run_lock(path: Path) -> Iterator[None]:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as e:
            if e.errno in (errno.EAGAIN, errno.EACCES):
                raise AlertsBusy(f"another `arkiv alerts send` is running ({path} is locked)") from None
            raise
        yield
    finally:
        os.close(fd)


def matching(search: Callable[[SearchRequest], SearchResult], fields: dict) -> list[Hit]:
    """Every document a followed search finds (up to the export's 10,000), newest date first."""
    return list(Export(search, search_request(fields, sort="newest")).hits())


def new_among(hits: list[Hit], sub: Subscription, hashes: dict[str, str], seen: dict[str, list[str]]) -> list[Hit]:
    """The hits whose content a run first saw after the subscription's last digest (or its confirmation)."""
    since = parse_stamp(sub.since or sub.confirmed)
    found = []
    for hit in hits:
        first = seen.get(hashes.get(hit.id, ""))
        if first is not None and parse_stamp(first[0]) > since:
            found.append(hit)
    return found


def send_due(store: Subscriptions, search: Callable[[SearchRequest], SearchResult], index_dir: Path,
             config: ArchiveConfig | None, settings: MailSettings | None, now: datetime, *,
             everything: bool = False, dry_run: bool = False,
             transport: Callable[[MailSettings], SmtpTransport] = SmtpTransport) -> SendReport:
    """Send each due subscription its digest of new documents (`everything`: each confirmed one).

    `dry_run` changes nothing and sends nothing: the report says what would go out.
    """
    if settings is None and not dry_run:
        raise ArkivError("no mail settings: set ARKIV_SMTP_HOST and ARKIV_MAIL_FROM (see README, Alerts)")
    with _run_lock(store.path.with_name(store.path.name + ".send.lock")):
        ledger = Ledger(store.path.with_name(store.path.name.removesuffix(".json") + SEEN_SUFFIX))
        hashes = {doc_id: f.sha256 for doc_id, f in load_state(index_dir).items()}
        seen = ledger.update(set(hashes.values()), now)
        if not dry_run:
            ledger.save(seen)  # before any mail: what is news now stays news until a digest says it
        subs = [s for s in store.all(now) if s.is_confirmed]
        due = [s for s in subs if everything or is_due(s, now)]
        outcomes: list[Outcome] = []
        found: dict[str, list[Hit] | Exception] = {}  # one search for all who follow the same one
        broken = ""
        with (transport(settings) if settings else _NoTransport()) as out:
            for sub in due:
                key = json.dumps(sub.search, sort_keys=True)
                if key not in found:
                    try:
                        found[key] = matching(search, sub.search)
                    except (ValueError, IndexUnavailable) as e:  # a group gone from arkiv.toml, say
                        found[key] = e
                if isinstance(found[key], Exception):
                    outcomes.append(Outcome(sub, 0, "failed", f"the search cannot be made: {found[key]}"))
                    continue
                hits = new_among(found[key], sub, hashes, seen)
                if not hits:
                    if not dry_run:
                        store.mark(sub.id, now, sent=False)
                    outcomes.append(Outcome(sub, 0, "nothing new"))
                    continue
                if dry_run:
                    outcomes.append(Outcome(sub, len(hits), "would send"))
                    continue
                if broken:  # the server could not be reached: the rest wait for the next run too
                    outcomes.append(Outcome(sub, len(hits), "skipped", broken))
                    continue
                token = store.issue_unsubscribe(sub.id)  # stored before the mail that carries it
                if token is None:
                    continue  # unsubscribed during this run
                base = (settings.public_url or sub.base_url or "").rstrip("/")
                msg = digest_message(settings, sub, hits, len(hits), token, base, config)
                try:
                    out.send(msg)
                except SEND_ERRORS as e:
                    error = f"{type(e).__name__}: {e}"
                    outcomes.append(Outcome(sub, len(hits), "failed", error))
                    if not _recipient_only(e):
                        broken = error
                    continue
                store.mark(sub.id, now, sent=True)
                outcomes.append(Outcome(sub, len(hits), "sent"))
        return SendReport(tuple(outcomes), len(subs))


def _recipient_only(e: Exception) -> bool:
    import smtplib

    return isinstance(e, (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError, smtplib.SMTPSenderRefused))


class _NoTransport:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return None
