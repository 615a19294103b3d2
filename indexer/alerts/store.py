"""The subscriptions file beside the archive: personal data, so little of it, locked, atomic, 0600.

    <archive's parent>/<archive name>-alerts.json       the subscriptions
    <archive's parent>/<archive name>-alerts.json.lock  held while one process reads and rewrites it

Each subscription holds its address, its search, its frequency, timestamps and the
hashes of the tokens its mails carry; nothing else about the person. The web app
(a request, a confirmation, an unsubscription) and `arkiv alerts send` all change the
file under the same lock, read-modify-write, so neither loses the other's change.
"""
from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import os
import re
import secrets
from contextlib import contextmanager
from dataclasses import dataclass, field, replace as _replace
from datetime import date, datetime, timedelta, timezone
from email.errors import HeaderParseError
from email.headerregistry import Address
from pathlib import Path
from typing import Iterator

from ..atomic import write_bytes_atomic
from ..errors import ArkivError
from ..models import SearchRequest

ALERTS_SUFFIX = "-alerts.json"
FREQUENCIES = ("daily", "weekly")
FREQUENCY_LABELS = {"daily": "varje dag", "weekly": "varje vecka"}
# A confirmation link works this long; an unconfirmed subscription is deleted after it.
CONFIRM_HOURS = 48
# Abuse bounds. Per address: confirmation mails while unconfirmed ones wait (each waits at most
# CONFIRM_HOURS), and subscriptions in all. In all: what one file may hold.
MAX_CONFIRMATIONS_PER_ADDRESS = 3
MAX_PER_ADDRESS = 20
MAX_PENDING = 1_000
MAX_SUBSCRIPTIONS = 5_000
MAX_ADDRESS = 254  # RFC 5321's longest usable address
MAX_SEARCH = 8_192  # the search as stored JSON; the web app's own URL bound is the same
# Every digest carries a new unsubscribe link; the last this many work (100 days of daily mail).
UNSUBSCRIBE_TOKENS = 100
_LOCAL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}$")
_DOMAIN = re.compile(r"^(?=.{4,253}$)([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$")


class AlertError(ArkivError, ValueError):
    """A subscription cannot be made as asked (a bad address or search, a limit reached)."""


class AlertLimit(AlertError):
    """A limit against abuse is reached; `scope` says which ("address" or "all")."""

    def __init__(self, message: str, scope: str):
        super().__init__(message)
        self.scope = scope


def alerts_file(archive: Path) -> Path:
    archive = Path(archive).resolve()
    return archive.parent / f"{archive.name}{ALERTS_SUFFIX}"


def check_address(text: str) -> str:
    """The address, stripped, its domain in ASCII (IDNA); AlertError unless it is one plain mailbox."""
    address = text.strip()
    if not address or len(address) > MAX_ADDRESS or address.count("@") != 1:
        raise AlertError("not an e-mail address")
    local, domain = address.split("@")
    try:  # höör.se is xn--hr-fkaa.se to the mail servers: kept in the form they read
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        raise AlertError("not an e-mail address") from None
    address = f"{local}@{domain}"
    if not _LOCAL.match(local) or local.startswith(".") or local.endswith(".") or ".." in local \
            or not _DOMAIN.match(domain):
        raise AlertError("not an e-mail address")
    try:
        Address(addr_spec=address)
    except (ValueError, HeaderParseError, IndexError):
        raise AlertError("not an e-mail address") from None
    return address


def address_key(address: str) -> str:
    """Two spellings of one mailbox count as one for the limits (Anna@X.se is anna@x.se)."""
    return address.strip().lower()


# -- the search, as stored -------------------------------------------------------------------
def search_fields(req: SearchRequest) -> dict:
    """The words and filters of a search, the parts a subscription follows, as plain JSON."""
    fields: dict = {}
    if req.query:
        fields["q"] = req.query
    for name, values in (("group", req.groups), ("type", req.types), ("theme", req.themes),
                         ("year", req.years)):
        if values:
            fields[name] = list(values)
    if req.date_from:
        fields["from"] = req.date_from.isoformat()
    if req.date_to:
        fields["to"] = req.date_to.isoformat()
    if req.exact:
        fields["exact"] = True
    return fields


def search_request(fields: dict, **kw) -> SearchRequest:
    """The SearchRequest a stored search stands for (`kw`: sort, page, per_page)."""
    def day(name):
        return date.fromisoformat(fields[name]) if fields.get(name) else None
    return SearchRequest(query=fields.get("q", ""), groups=tuple(fields.get("group", ())),
                         types=tuple(fields.get("type", ())), themes=tuple(fields.get("theme", ())),
                         years=tuple(fields.get("year", ())), date_from=day("from"), date_to=day("to"),
                         exact=bool(fields.get("exact")), **kw)


# -- tokens ----------------------------------------------------------------------------------
def _digest(purpose: str, secret: str) -> str:
    # The purpose is hashed in: a confirmation token is never an unsubscribe token, whatever is stored.
    return hashlib.sha256(f"{purpose}:{secret}".encode()).hexdigest()[:32]


def _mint(sub_id: str, purpose: str) -> tuple[str, str]:
    secret = secrets.token_urlsafe(32)
    return f"{sub_id}.{secret}", _digest(purpose, secret)


def _split(token: str) -> tuple[str, str] | None:
    if not isinstance(token, str) or len(token) > 128:
        return None
    sub_id, dot, secret = token.partition(".")
    if not dot or not re.fullmatch(r"[0-9a-f]{16}", sub_id) or not re.fullmatch(r"[A-Za-z0-9_-]{20,80}", secret):
        return None
    return sub_id, secret


# -- the records -----------------------------------------------------------------------------
def stamp(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


def parse_stamp(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


@dataclass(frozen=True)
class Subscription:
    id: str
    address: str
    search: dict
    frequency: str
    created: str
    confirmed: str | None = None
    since: str | None = None  # documents first seen after this are new to it
    checked: str | None = None  # when its digest was last made (sent, or found nothing new)
    sent: str | None = None  # when a digest last went out
    base_url: str | None = None  # the address the request came to, when ARKIV_PUBLIC_URL is not set
    confirm_hash: str | None = None
    confirmations: int = 0  # confirmation mails sent while unconfirmed
    unsubscribe_hashes: tuple[str, ...] = field(default=(), repr=False)

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed is not None

    def expires(self) -> datetime | None:
        return None if self.is_confirmed else parse_stamp(self.created) + timedelta(hours=CONFIRM_HOURS)

    def to_json(self) -> dict:
        data = {k: v for k, v in vars(self).items() if v not in (None, 0, ())}
        data["unsubscribe_hashes"] = list(self.unsubscribe_hashes)
        return data

    @classmethod
    def from_json(cls, data: dict) -> "Subscription":
        data = dict(data)
        data["unsubscribe_hashes"] = tuple(data.get("unsubscribe_hashes", ()))
        return cls(**data)


@dataclass(frozen=True)
class Requested:
    """What a subscription request did: `token` is set when a confirmation mail is to be sent."""

    subscription: Subscription
    token: str | None  # the confirmation token, for the mail only; never stored


class Subscriptions:
    """The subscriptions file: every change is a locked read-modify-write, so two processes never lose one."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.lock_path = self.path.with_name(self.path.name + ".lock")

    # -- reading and writing under the lock --
    def _read(self) -> dict[str, Subscription]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as e:
            raise AlertError(f"{self.path} cannot be read ({e})") from e
        return {s["id"]: Subscription.from_json(s) for s in data.get("subscriptions", [])}

    def _write(self, subs: dict[str, Subscription]) -> None:
        data = {"version": 1, "subscriptions": [s.to_json() for s in sorted(subs.values(), key=lambda s: s.id)]}
        # Personal data: readable by its owner only, whatever the umask.
        write_bytes_atomic(self.path, json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8"), mode=0o600)

    @contextmanager
    def _locked(self) -> Iterator[dict[str, Subscription]]:
        """The subscriptions to change in place; written back (atomically) if changed, under an flock."""
        self.lock_path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            subs = self._read()
            before = dict(subs)
            yield subs
            if subs != before:
                self._write(subs)
        finally:
            os.close(fd)  # closing releases the lock

    @staticmethod
    def _expire(subs: dict[str, Subscription], now: datetime) -> None:
        for sub_id, sub in list(subs.items()):
            if not sub.is_confirmed and sub.expires() <= now:
                del subs[sub_id]

    def all(self, now: datetime) -> list[Subscription]:
        """Every subscription, unconfirmed ones past their 48 h deleted first."""
        with self._locked() as subs:
            self._expire(subs, now)
            return sorted(subs.values(), key=lambda s: (address_key(s.address), s.created))

    def get(self, sub_id: str) -> Subscription | None:
        with self._locked() as subs:
            return subs.get(sub_id)

    # -- the web app's changes --
    def request(self, address: str, search: dict, frequency: str, now: datetime,
                base_url: str | None = None) -> Requested:
        """Record a request to follow `search`; the token of the one confirmation mail to send, if any.

        Asking again for a subscription that waits for confirmation sends a new link (within the
        per-address limit); one that is already confirmed sends nothing, and the caller says the
        same to both, so the page never tells whether an address is subscribed.
        """
        address = check_address(address)
        if frequency not in FREQUENCIES:
            raise AlertError(f"unknown frequency '{frequency}'")
        if len(json.dumps(search, ensure_ascii=False)) > MAX_SEARCH:
            raise AlertError("the search is too long to follow")
        key = address_key(address)
        with self._locked() as subs:
            self._expire(subs, now)
            mine = [s for s in subs.values() if address_key(s.address) == key]
            same = next((s for s in mine if s.search == search), None)
            if same is not None and same.is_confirmed:
                return Requested(same, None)  # no mail, and the frequency is not changed by a stranger
            sent = sum(s.confirmations for s in mine if not s.is_confirmed)
            if sent >= MAX_CONFIRMATIONS_PER_ADDRESS:
                raise AlertLimit("too many confirmation mails to this address; wait for them to expire",
                                 "address")
            if same is None:
                if len(mine) >= MAX_PER_ADDRESS:
                    raise AlertLimit(f"this address already has {MAX_PER_ADDRESS} subscriptions", "address")
                if sum(not s.is_confirmed for s in subs.values()) >= MAX_PENDING or len(subs) >= MAX_SUBSCRIPTIONS:
                    raise AlertLimit("too many subscriptions", "all")
                sub_id = secrets.token_hex(8)
                while sub_id in subs:
                    sub_id = secrets.token_hex(8)
                same = Subscription(id=sub_id, address=address, search=search, frequency=frequency,
                                    created=stamp(now), base_url=base_url)
            token, digest = _mint(same.id, "confirm")
            sub = _replace(same, frequency=frequency, confirm_hash=digest, confirmations=same.confirmations + 1)
            subs[sub.id] = sub
            return Requested(sub, token)

    def withdraw(self, sub_id: str) -> None:
        """Undo a request whose confirmation mail could not be sent (a new one may be asked for)."""
        with self._locked() as subs:
            sub = subs.get(sub_id)
            if sub is None or sub.is_confirmed:
                return
            if sub.confirmations <= 1:
                del subs[sub_id]
            else:
                subs[sub_id] = _replace(sub, confirmations=sub.confirmations - 1, confirm_hash=None)

    def pending_by_token(self, token: str, now: datetime) -> Subscription | None:
        """The unconfirmed subscription this confirmation token is for, if it is valid now."""
        found = _split(token)
        if found is None:
            return None
        with self._locked() as subs:
            self._expire(subs, now)
            sub = subs.get(found[0])
        if sub is None or sub.is_confirmed or not sub.confirm_hash:
            return None
        return sub if hmac.compare_digest(sub.confirm_hash, _digest("confirm", found[1])) else None

    def confirm(self, token: str, now: datetime) -> Subscription | None:
        """Confirm with the token of the confirmation mail (once: it is spent); None if not valid."""
        found = _split(token)
        if found is None:
            return None
        with self._locked() as subs:
            self._expire(subs, now)
            sub = subs.get(found[0])
            if sub is None or sub.is_confirmed or not sub.confirm_hash \
                    or not hmac.compare_digest(sub.confirm_hash, _digest("confirm", found[1])):
                return None
            sub = _replace(sub, confirmed=stamp(now), since=stamp(now), confirm_hash=None, confirmations=0)
            subs[sub.id] = sub
            return sub

    @staticmethod
    def _unsubscribing(subs: dict[str, Subscription], token: str) -> Subscription | None:
        found = _split(token)
        sub = subs.get(found[0]) if found else None
        if sub is None:
            return None
        digest = _digest("unsubscribe", found[1])
        return sub if any(hmac.compare_digest(h, digest) for h in sub.unsubscribe_hashes) else None

    def by_unsubscribe_token(self, token: str) -> Subscription | None:
        """The subscription this unsubscribe token belongs to, if the token is one of its last."""
        with self._locked() as subs:
            return self._unsubscribing(subs, token)

    def unsubscribe(self, token: str) -> Subscription | None:
        """Delete the subscription this unsubscribe token belongs to; None if the token is not valid."""
        with self._locked() as subs:
            sub = self._unsubscribing(subs, token)
            if sub is not None:
                del subs[sub.id]
            return sub

    # -- the sender's changes --
    def issue_unsubscribe(self, sub_id: str) -> str | None:
        """A new unsubscribe token for the next mail, its hash stored first (the last 100 stay valid)."""
        with self._locked() as subs:
            sub = subs.get(sub_id)
            if sub is None:
                return None  # unsubscribed meanwhile
            token, digest = _mint(sub_id, "unsubscribe")
            subs[sub_id] = _replace(sub, unsubscribe_hashes=(sub.unsubscribe_hashes + (digest,))[-UNSUBSCRIBE_TOKENS:])
            return token

    def mark(self, sub_id: str, now: datetime, sent: bool) -> None:
        """Record a digest made at `now`: the documents first seen by then are no longer new to it."""
        with self._locked() as subs:
            sub = subs.get(sub_id)
            if sub is not None:
                subs[sub_id] = _replace(sub, since=stamp(now), checked=stamp(now),
                                        sent=stamp(now) if sent else sub.sent)

    def remove_address(self, address: str) -> int:
        """Delete every subscription of an address (any letter case); how many there were."""
        key = address_key(address)
        with self._locked() as subs:
            gone = [i for i, s in subs.items() if address_key(s.address) == key]
            for i in gone:
                del subs[i]
            return len(gone)
