"""Coordinator accounts: a JSON file beside the archive, passwords hashed with Argon2id.

    <archive's parent>/<archive name>-users.json    (or ARKIV_USERS / --users)

The file is never in the archive (the archive is shared and backed up as
documents) nor in the repository.  It is rewritten atomically and readable by
its owner only.  No account exists until `arkiv user add NAME` makes one.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import threading
import unicodedata
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from indexer import ArkivError, write_bytes_atomic

USERS_SUFFIX = "-users.json"
MIN_PASSWORD = 10
MAX_PASSWORD = 1024
NAME = re.compile(r"^[\w.@-]{2,64}$")

_hasher = PasswordHasher()  # Argon2id with the library's (RFC 9106) defaults


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """Compared against when the name is unknown, so a wrong name costs as long as a wrong password.

    Made on first use: hashing costs ~0.5 s, which every `arkiv` command paid at import.
    """
    return _hasher.hash("not a password anybody has")


class AccountError(ArkivError, ValueError):
    """An account cannot be made, changed or removed as asked."""


def users_file(archive: Path, configured: str | os.PathLike | None = None) -> Path:
    """ARKIV_USERS when set, else `<archive name>-users.json` beside the archive."""
    if configured:
        return Path(configured).expanduser()
    archive = Path(archive).resolve()
    return archive.parent / f"{archive.name}{USERS_SUFFIX}"


def normalize_name(name: str) -> str:
    """NFKC and case-folded: ｆｕｌｌｗｉｄｔｈ, ligatures and case do not make another name."""
    return unicodedata.normalize("NFKC", name.strip()).casefold()


def scripts(name: str) -> set[str]:
    """The writing systems of a name's letters (LATIN, CYRILLIC, GREEK, …)."""
    return {unicodedata.name(ch, "UNKNOWN").split()[0] for ch in name if ch.isalpha()}


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password must be at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise AccountError(f"the password must be at most {MAX_PASSWORD} characters")


@dataclass(frozen=True)
class Account:
    name: str
    hash: str
    created: str
    changed: str
    sessions: int = 0  # bumped by signing out: every session signed in before ends

    @property
    def stamp(self) -> str:
        """Changes with the password and at each sign-out: the sessions signed in before end with it."""
        # Generation 0 keeps the stamp of accounts made before generations existed.
        text = self.hash if not self.sessions else f"{self.hash}:{self.sessions}"
        return hashlib.sha256(text.encode()).hexdigest()[:16]


class Accounts:
    """The accounts file; read on every use, so changes from the CLI apply at once."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = threading.Lock()

    def _read(self) -> dict[str, Account]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as e:
            raise AccountError(f"{self.path} cannot be read ({e})") from e
        return {n: Account(n, a["hash"], a.get("created", ""), a.get("changed", ""), int(a.get("sessions", 0)))
                for n, a in data.get("accounts", {}).items()}

    def _write(self, accounts: dict[str, Account]) -> None:
        data = {"accounts": {n: {"hash": a.hash, "created": a.created, "changed": a.changed,
                                 **({"sessions": a.sessions} if a.sessions else {})}
                             for n, a in sorted(accounts.items())}}
        # Password hashes: readable by their owner only, whatever the umask.
        write_bytes_atomic(self.path, json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8"), mode=0o600)

    def names(self) -> list[str]:
        return sorted(self._read())

    def get(self, name: str) -> Account | None:
        return self._read().get(normalize_name(name))

    def add(self, name: str, password: str) -> str:
        name = normalize_name(name)
        if not NAME.match(name):
            raise AccountError(f"'{name}' is not a usable name: 2-64 letters, digits, '.', '_', '-' or '@'")
        if len(scripts(name)) > 1:
            # A Cyrillic а in "аnna" looks like anna on every screen, in the audit log too.
            raise AccountError(f"'{name}' mixes letters of {' and '.join(sorted(scripts(name))).lower()} "
                               "writing: use letters of one alphabet")
        check_password(password)
        with self._lock:
            accounts = self._read()
            if name in accounts:
                raise AccountError(f"there is already an account named '{name}'")
            now = _now()
            accounts[name] = Account(name, _hasher.hash(password), now, now)
            self._write(accounts)
        return name

    def set_password(self, name: str, password: str) -> str:
        name = normalize_name(name)
        check_password(password)
        with self._lock:
            accounts = self._read()
            if name not in accounts:
                raise AccountError(f"there is no account named '{name}'")
            old = accounts[name]
            accounts[name] = Account(name, _hasher.hash(password), old.created, _now())
            self._write(accounts)
        return name

    def end_sessions(self, name: str) -> None:
        """End every open session of the account (signing out ends them all, on every device)."""
        name = normalize_name(name)
        with self._lock:
            accounts = self._read()
            if name in accounts:
                accounts[name] = replace(accounts[name], sessions=accounts[name].sessions + 1)
                self._write(accounts)

    def remove(self, name: str) -> str:
        name = normalize_name(name)
        with self._lock:
            accounts = self._read()
            if name not in accounts:
                raise AccountError(f"there is no account named '{name}'")
            del accounts[name]
            self._write(accounts)
        return name

    def verify(self, name: str, password: str) -> Account | None:
        """The account when the password is right, else None (taking as long either way)."""
        account = self.get(name) if name else None
        try:
            _hasher.verify(account.hash if account else _dummy_hash(), password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return None
        if account is None:
            return None
        if _hasher.check_needs_rehash(account.hash):
            try:
                self.set_password(account.name, password)
                account = self.get(account.name) or account
            except AccountError:
                pass
        return account


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
