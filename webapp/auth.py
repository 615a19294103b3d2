"""Coordinators sign in: sessions, the secret key, CSRF, the login throttle, the private-site switch.

Settings (app config; from the environment with the ARKIV_ prefix, e.g. ARKIV_PRIVATE=true):

    SECRET_KEY            signs the session cookie; when unset, one is generated on first
                          run and kept in `<archive name>-secret-key` beside the archive (0600)
    ARKIV_SECRET_KEY_FILE where to keep the generated key instead
    ARKIV_USERS           the accounts file (default `<archive name>-users.json` beside the archive)
    ARKIV_SECURE_COOKIES  true when the site is served over HTTPS: cookies get `Secure`
    ARKIV_PRIVATE         true: every page needs a signed-in coordinator, not only changes

The login throttle counts failures per (account, address) and per address in
this process's memory: a restart forgets them, and several processes would each
count their own (`arkiv serve` runs one).
"""
from __future__ import annotations

import os
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from functools import wraps
from pathlib import Path
from urllib.parse import urlsplit

from flask import Blueprint, Flask, current_app, flash, jsonify, redirect, render_template, request, session, \
    url_for
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from flask_wtf.csrf import CSRFError, CSRFProtect

from indexer import ArkivError, Change, record_change

from .accounts import MAX_PASSWORD, MIN_PASSWORD, Accounts, AccountError, normalize_name, users_file
from .archive import archive_dir

bp = Blueprint("auth", __name__)
csrf = CSRFProtect()
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Logga in som samordnare för att göra ändringar i arkivet."
login_manager.login_message_category = "info"

SECRET_SUFFIX = "-secret-key"
MIN_SECRET_BYTES = 32
SESSION_HOURS = 12  # from signing in, however often the session is used
SIGNED_IN_AT = "signed_in_at"
# Failures allowed per (account, address) and per address within the window.
MAX_FAILURES_ACCOUNT = 5
MAX_FAILURES_ADDRESS = 20
WINDOW_SECONDS = 15 * 60


@dataclass(frozen=True)
class Coordinator(UserMixin):
    name: str
    stamp: str

    def get_id(self) -> str:
        return f"{self.stamp}:{self.name}"


def accounts(app: Flask | None = None) -> Accounts:
    return (app or current_app).extensions["arkiv-accounts"]


def who() -> str:
    """The signed-in coordinator, as the audit log names them."""
    return current_user.name if current_user.is_authenticated else "anonym"


@login_manager.user_loader
def load_user(user_id: str) -> Coordinator | None:
    stamp, _, name = user_id.partition(":")
    try:
        account = accounts().get(name)
    except AccountError:
        return None
    # A changed password or a removed account ends the sessions signed in before.
    if account is None or not secrets.compare_digest(account.stamp, stamp):
        return None
    return Coordinator(account.name, account.stamp)


@login_manager.unauthorized_handler
def unauthorized():
    if request.path.startswith("/api/"):
        return jsonify({"error": "Logga in för att använda arkivet."}), 401
    if request.method != "GET":
        # A change without a session: nothing is done, and the form is not replayed later.
        return render_template("refused.html"), 401
    private = current_app.config["ARKIV_PRIVATE"] and request.blueprint not in ("upload", "manage")
    flash("Arkivet är bara öppet för inloggade." if private else login_manager.login_message, "info")
    return redirect(url_for("auth.login", next=request.full_path if request.query_string else request.path))


def coordinator_required(view):
    """A signed-in coordinator only; CSRFProtect has already checked the token of a POST."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        return view(*args, **kwargs)
    return wrapped


# -- the secret key --------------------------------------------------------------------
def secret_key_file(archive: Path, configured: str | None = None) -> Path:
    if configured:
        return Path(configured).expanduser()
    archive = Path(archive).resolve()
    return archive.parent / f"{archive.name}{SECRET_SUFFIX}"


class SecretKeyError(ArkivError, ValueError):
    """The secret key that signs sessions is too short to keep them from being forged."""


def check_secret(key: str, where: str) -> str:
    """The key, or SecretKeyError when it is shorter than MIN_SECRET_BYTES."""
    if len(key.encode("utf-8")) < MIN_SECRET_BYTES:
        raise SecretKeyError(
            f"the secret key in {where} has {len(key.encode('utf-8'))} bytes; at least {MIN_SECRET_BYTES} "
            "are needed, or anyone could forge a coordinator's session. Remove it to have one made, or set "
            "a long random one (python -c 'import secrets; print(secrets.token_hex(32))')")
    return key


def load_or_create_secret(path: Path, warn=None) -> str:
    """The key in `path`; made (random, 0600, never overwritten) when there is none yet.

    A key too short to trust is refused, not replaced: someone wrote it by hand.
    """
    try:
        key = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        pass
    else:
        mode = path.stat().st_mode
        if mode & 0o077 and warn:
            warn(f"{path} can be read by other users (mode {mode & 0o777:o}): chmod 600 it")
        return check_secret(key, str(path))
    key = secrets.token_hex(32)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, key.encode("ascii") + b"\n")
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(tmp, path)  # two processes starting at once: the first key wins
    except FileExistsError:
        os.unlink(tmp)
        return check_secret(path.read_text(encoding="utf-8").strip(), str(path))
    os.unlink(tmp)
    return key


# -- the login throttle ---------------------------------------------------------------
class LoginThrottle:
    """Failed sign-ins per (account, address) and per address, in a sliding window."""

    def __init__(self, per_account: int = MAX_FAILURES_ACCOUNT, per_address: int = MAX_FAILURES_ADDRESS,
                 window: float = WINDOW_SECONDS, clock=time.monotonic):
        self.per_account, self.per_address, self.window, self.clock = per_account, per_address, window, clock
        self._failures: dict[tuple[str, str], list[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: tuple[str, str], now: float) -> list[float]:
        times = [t for t in self._failures.get(key, []) if now - t < self.window]
        if times:
            self._failures[key] = times
        else:
            self._failures.pop(key, None)
        return times

    def attempt(self, name: str, address: str) -> int:
        """Count a sign-in attempt as failed until it succeeds; the seconds to wait when it may not run.

        Counted before the password is checked: the check takes most of a second,
        and attempts sent at once must not all be checked before the first fails.
        """
        now = self.clock()
        with self._lock:
            waits = []
            for key, limit in (((name, address), self.per_account), (("", address), self.per_address)):
                times = self._recent(key, now)
                if len(times) >= limit:
                    waits.append(int(times[-limit] + self.window - now) + 1)
            if waits:
                return max(waits)
            if len(self._failures) > 10_000:  # an address spraying names: keep memory bounded
                for key in list(self._failures):
                    self._recent(key, now)
            for key in ((name, address), ("", address)):
                self._failures.setdefault(key, []).append(now)
            return 0

    def succeeded(self, name: str, address: str) -> None:
        with self._lock:
            self._failures.pop((name, address), None)
            by_address = self._failures.get(("", address))
            if by_address:
                by_address.pop()  # this attempt, counted as failed while it was checked


def _safe_next(target: str | None) -> str | None:
    """Only a path on this site: never another host, never a scheme, never a control character."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target \
            or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


@bp.route("/login", methods=["GET", "POST"])
def login():
    # A private site does not say whether it has any account before one signs in.
    names_exist = current_app.config["ARKIV_PRIVATE"] or bool(_names())
    next_url = _safe_next(request.values.get("next"))
    error = None
    status = 200
    name = ""
    if request.method == "POST":
        name = normalize_name(request.form.get("name", ""))[:64]
        password = request.form.get("password", "")
        address = request.remote_addr or "?"
        throttle: LoginThrottle = current_app.extensions["arkiv-throttle"]
        wait = throttle.attempt(name, address)
        if wait:
            minutes = max(1, -(-wait // 60))
            error = (f"För många misslyckade inloggningar. Vänta {minutes} "
                     f"{'minut' if minutes == 1 else 'minuter'} och försök igen.")
            status = 429
        else:
            account = accounts().verify(name, password) if name and password else None
            if account is None:
                error = "Fel användarnamn eller lösenord."
                status = 401
            else:
                throttle.succeeded(name, address)
                session.clear()  # a fresh session: nothing from before signing in carries over
                login_user(Coordinator(account.name, account.stamp))
                session.permanent = True
                session[SIGNED_IN_AT] = int(time.time())
                flash(f"Du är inloggad som {account.name}.", "info")
                return redirect(next_url or url_for("web.search"))
    return render_template("login.html", error=error, name=name, next_url=next_url,
                           names_exist=names_exist), status


@bp.route("/account/password", methods=["GET", "POST"])
def password():
    """A coordinator changes their own password: the old one, the new one twice."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    error = field = None
    status = 200
    if request.method == "POST":
        name, address = current_user.name, request.remote_addr or "?"
        old, new, again = (request.form.get(k, "") for k in ("old", "new", "again"))
        throttle: LoginThrottle = current_app.extensions["arkiv-throttle"]
        wait = throttle.attempt(name, address)  # guessing the old password here is signing in
        if wait:
            error, field, status = "För många felaktiga försök. Vänta en stund och försök igen.", "old", 429
        elif accounts().verify(name, old) is None:
            error, field, status = "Det nuvarande lösenordet stämmer inte.", "old", 400
        else:
            throttle.succeeded(name, address)
            if new != again:
                error, field, status = "De två nya lösenorden är olika.", "new", 400
            elif not MIN_PASSWORD <= len(new) <= MAX_PASSWORD:
                error, field, status = (f"Det nya lösenordet måste ha {MIN_PASSWORD}–{MAX_PASSWORD} tecken.",
                                        "new", 400)
            else:
                accounts().set_password(name, new)  # the stamp changes: every other session ends
                account = accounts().get(name)
                signed_in_at = session.get(SIGNED_IN_AT)
                login_user(Coordinator(account.name, account.stamp))  # this one goes on
                session[SIGNED_IN_AT] = signed_in_at
                record_change(archive_dir(), Change("user-passwd", name, file=name, detail={"from": "web"}))
                flash("Lösenordet är bytt. Du är utloggad överallt annars.", "info")
                return redirect(url_for("web.search"))
    return render_template("password.html", error=error, error_field=field, min_length=MIN_PASSWORD), status


def _names() -> list[str]:
    try:
        return accounts().names()
    except AccountError:
        current_app.logger.exception("the accounts file cannot be read")
        return []


@bp.post("/logout")
def logout():
    name = current_user.name if current_user.is_authenticated else None
    logout_user()
    session.clear()
    if name:
        try:
            # A copy of the cookie (another tab, a stolen one) must not outlive signing out.
            accounts().end_sessions(name)
        except AccountError:
            current_app.logger.exception("the accounts file cannot be written: %s's sessions stay open", name)
    flash("Du är utloggad.", "info")
    return redirect(url_for("web.search"))


# -- wiring ---------------------------------------------------------------------------
def _truthy(value) -> bool:
    return value is True or str(value).strip().lower() in ("1", "true", "yes", "ja", "on")


def init_auth(app: Flask, archive: Path) -> None:
    users = users_file(archive, app.config.get("ARKIV_USERS"))
    app.extensions["arkiv-accounts"] = Accounts(users)
    app.extensions["arkiv-throttle"] = LoginThrottle()
    if app.config.get("SECRET_KEY"):
        check_secret(str(app.config["SECRET_KEY"]), "SECRET_KEY ($ARKIV_SECRET_KEY)")
    else:
        app.config["SECRET_KEY"] = load_or_create_secret(
            secret_key_file(archive, app.config.get("ARKIV_SECRET_KEY_FILE")), warn=app.logger.warning)
    secure = _truthy(app.config.get("ARKIV_SECURE_COOKIES"))
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=secure,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=SESSION_HOURS),
        WTF_CSRF_TIME_LIMIT=SESSION_HOURS * 3600,
    )
    app.config["ARKIV_PRIVATE"] = _truthy(app.config.get("ARKIV_PRIVATE"))
    login_manager.init_app(app)
    csrf.init_app(app)
    app.register_blueprint(bp)

    @app.before_request
    def session_lifetime():
        # Flask re-signs the cookie on every use: without this, a session used now and
        # then would never end.  SESSION_HOURS count from signing in.
        if not current_user.is_authenticated:
            return None
        started, now = session.get(SIGNED_IN_AT), time.time()
        if not isinstance(started, int) or not now - SESSION_HOURS * 3600 < started <= now + 60:
            logout_user()
            session.clear()
        return None

    @app.after_request
    def not_cached(response):
        if request.endpoint == "auth.login" or current_user.is_authenticated:
            response.headers["Cache-Control"] = "no-store"  # a coordinator's pages stay out of shared caches
        return response

    @app.before_request
    def private_site():
        if not app.config["ARKIV_PRIVATE"] or current_user.is_authenticated:
            return None
        if request.endpoint in ("auth.login", "static"):
            return None
        return login_manager.unauthorized()

    @app.errorhandler(CSRFError)
    def csrf_error(e):
        if request.path.startswith("/api/"):
            return jsonify({"error": "Formuläret saknar en giltig säkerhetskod."}), 400
        return render_template(
            "error.html", status=400, title="Formuläret kunde inte tas emot",
            message="Formuläret saknade en giltig säkerhetskod, eller så hade sidan varit öppen för länge. "
                    "Ingenting ändrades.",
            hint="Gå tillbaka, ladda om sidan och försök igen.", command=None), 400

    @app.context_processor
    def coordinator_context():
        return {"coordinator": current_user if current_user.is_authenticated else None}
