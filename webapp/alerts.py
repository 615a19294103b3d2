"""E-mail alerts on the site: "Bevaka sökningen", the confirmation link, the unsubscribe link.

Offered only when mail settings exist (ARKIV_SMTP_HOST, ARKIV_MAIL_FROM) and the links in a mail
can be built from a trusted address: ARKIV_PUBLIC_URL, else the Host a request came to when
ARKIV_TRUSTED_HOSTS limits it (a link built from any Host a client sends would let a stranger
make the confirmation mail point anywhere). Never on a private site: a digest would carry
titles out past the sign-in.

The forms here take no CSRF token: the confirmation and unsubscribe tokens are the
authority, a mail program's one-click POST (RFC 8058) carries no cookie, and a forged
subscription request can do no more than the one confirmation mail anyone can ask for.
A token link opened by GET shows a button; only the POST acts, so a mail scanner that
fetches every link neither confirms nor unsubscribes anyone.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timezone

from flask import Blueprint, Flask, abort, current_app, render_template, request

from indexer import (CONFIRM_HOURS, FREQUENCIES, FREQUENCY_LABELS, SEND_ERRORS, AlertError, AlertLimit,
                     MailSettings, SearchRequest, SmtpTransport, Subscriptions, alerts_file, confirmation_message,
                     describe, search_fields)

from . import params
from .archive import get_index
from .auth import LoginThrottle, csrf

bp = Blueprint("alerts", __name__)
EXTENSION = "arkiv-alerts"
# Per client address (in this process): requests per (address, e-mail) and per address, an hour.
MAX_REQUESTS_PER_EMAIL = 3
MAX_REQUESTS_PER_CLIENT = 10
REQUEST_WINDOW = 3600
MAX_BODY = 64 * 1024  # a subscription request is a search and an address: far less than this
WEB_SMTP_TIMEOUT = 10.0  # a request waits for the confirmation mail at most this long per SMTP step
EMAIL_FIELD_MAX = 254


@dataclass
class AlertsSite:
    store: Subscriptions
    mail: MailSettings
    trust_host: bool  # the Host of a request may make the links (TRUSTED_HOSTS is set)
    throttle: LoginThrottle
    transport: type = SmtpTransport

    def base_url(self) -> str | None:
        if self.mail.public_url:
            return self.mail.public_url
        return request.host_url.rstrip("/") if self.trust_host else None


def init_alerts(app: Flask, archive, mail: MailSettings | None) -> None:
    """Offer alerts when `mail` is given, the site is public, and links have a trusted address."""
    site = None
    if mail is not None and not app.config.get("ARKIV_PRIVATE"):
        if mail.public_url or app.config.get("TRUSTED_HOSTS"):
            site = AlertsSite(Subscriptions(alerts_file(archive)), mail, bool(app.config.get("TRUSTED_HOSTS")),
                              LoginThrottle(MAX_REQUESTS_PER_EMAIL, MAX_REQUESTS_PER_CLIENT, REQUEST_WINDOW))
        else:
            app.logger.warning("e-mail alerts are off: set ARKIV_PUBLIC_URL (or ARKIV_TRUSTED_HOSTS) so that "
                               "the links in the mails have a trusted address")
    app.extensions[EXTENSION] = site
    app.register_blueprint(bp)
    for view in (subscribe, confirm, unsubscribe):
        csrf.exempt(view)

    @app.context_processor
    def alerts_context():
        return {"alerts_on": app.extensions[EXTENSION] is not None, "alert_frequencies": FREQUENCY_LABELS,
                "alert_email_max": EMAIL_FIELD_MAX}


def _site() -> AlertsSite:
    site = current_app.extensions.get(EXTENSION)
    if site is None:
        abort(404)
    return site


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _page(title: str, message: str, status: int = 200, headers: dict | None = None, **kw):
    return render_template("alert.html", title=title, message=message, **kw), status, headers or {}


def alert_fields(req: SearchRequest) -> list[tuple[str, str]]:
    """The search's own words and filters as hidden fields of the form (no page, size or order)."""
    return [(k, v) for k, v in params.url_args(req) if k not in ("sort", "page", "limit")]


@bp.post("/alerts")
def subscribe():
    site = _site()
    if (request.content_length or 0) > MAX_BODY:
        abort(413)
    try:
        req = params.search_request(request.form)
    except params.ParamError as e:
        abort(400, description=str(e))
    email = request.form.get("email", "").strip()
    frequency = request.form.get("frequency", "")
    what = describe(search_fields(req), get_index().config)
    error = None
    if len(email) > EMAIL_FIELD_MAX:
        error = f"E-postadressen är för lång (högst {EMAIL_FIELD_MAX} tecken)."
    elif frequency not in FREQUENCIES:
        error = "Välj hur ofta du vill få e-post: varje dag eller varje vecka."
    if error:
        return _page("Bevakningen kunde inte startas", error, 400, back=params.search_url(req, "/"))
    try:
        wait = site.throttle.attempt(email.lower(), request.remote_addr or "?")
        if wait:
            raise AlertLimit("client", "client")
        base = site.base_url()
        requested = site.store.request(email, search_fields(req), frequency, _now(),
                                       base_url=None if site.mail.public_url else base)
    except AlertLimit:
        return _page("För många förfrågningar",
                     "Det har kommit för många förfrågningar om bevakningar från dig eller till den här adressen. "
                     f"Försök igen om en stund; obekräftade bevakningar tas bort efter {CONFIRM_HOURS} timmar.",
                     429, back=params.search_url(req, "/"))
    except AlertError:
        return _page("Bevakningen kunde inte startas",
                     "Det där ser inte ut som en e-postadress. Skriv den som namn@exempel.se.", 400,
                     back=params.search_url(req, "/"))
    if requested.token is not None:
        msg = confirmation_message(site.mail, requested.subscription, requested.token, base, get_index().config)
        try:
            with site.transport(replace(site.mail, timeout=WEB_SMTP_TIMEOUT)) as out:
                out.send(msg)
        except SEND_ERRORS:
            current_app.logger.exception("the confirmation mail could not be sent")
            site.store.withdraw(requested.subscription.id)
            return _page("Brevet kunde inte skickas",
                         "Bekräftelsebrevet kunde inte skickas just nu. Ingenting sparades. Försök igen senare.",
                         503, back=params.search_url(req, "/"))
    # The same page whether a mail went out or the address already follows the search:
    # it never tells a stranger whether an address is subscribed.
    return _page("Titta i din e-post",
                 f"Om adressen kan ta emot e-post har vi skickat ett brev till den med en länk. Klicka på länken "
                 f"inom {CONFIRM_HOURS} timmar för att starta bevakningen av {what}. Till dess skickas inget mer "
                 "till adressen, och utan bekräftelse raderas uppgifterna.", back=params.search_url(req, "/"))


@bp.route("/alerts/confirm/<token>", methods=["GET", "POST"])
def confirm(token: str):
    site = _site()
    config = get_index().config
    if request.method == "GET":
        sub = site.store.pending_by_token(token, _now())
        if sub is None:
            return _invalid()
        return render_template("alert_action.html", title="Bekräfta bevakningen",
                               what=describe(sub.search, config), frequency=FREQUENCY_LABELS[sub.frequency],
                               button="Starta bevakningen", action="confirm"), 200, _private()
    sub = site.store.confirm(token, _now())
    if sub is None:
        return _invalid()
    return _page("Bevakningen är startad",
                 f"Du får e-post {FREQUENCY_LABELS[sub.frequency]} när nya dokument som passar "
                 f"{describe(sub.search, config)} har kommit in i arkivet. Varje brev har en länk för att "
                 "avsluta bevakningen.", headers=_private())


@bp.route("/alerts/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str):
    site = _site()
    config = get_index().config
    if request.method == "GET":
        sub = site.store.by_unsubscribe_token(token)
        if sub is None:
            return _invalid(unsubscribe=True)
        return render_template("alert_action.html", title="Avsluta bevakningen",
                               what=describe(sub.search, config), frequency=FREQUENCY_LABELS[sub.frequency],
                               button="Avsluta bevakningen", action="unsubscribe"), 200, _private()
    sub = site.store.unsubscribe(token)
    if sub is None:
        return _invalid(unsubscribe=True)
    if request.form.get("List-Unsubscribe") == "One-Click":  # a mail program's button (RFC 8058)
        return "Bevakningen är avslutad.\n", 200, {"Content-Type": "text/plain; charset=utf-8", **_private()}
    return _page("Bevakningen är avslutad",
                 f"Du får inga fler brev om {describe(sub.search, config)}, och adressen är borttagen "
                 "för den bevakningen.", headers=_private())


def _private() -> dict[str, str]:
    # A page reached by a token: kept out of caches, and the token out of the Referer of its links.
    return {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def _invalid(unsubscribe: bool = False):
    if unsubscribe:
        message = ("Länken gäller inte: bevakningen är redan avslutad, eller länken är för gammal eller "
                   "felskriven. Använd länken i det senaste brevet.")
    else:
        message = (f"Länken gäller inte: den är redan använd, äldre än {CONFIRM_HOURS} timmar eller felskriven. "
                   "Starta bevakningen igen från sökningen.")
    return _page("Länken gäller inte", message, 404, _private())
