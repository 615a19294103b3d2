"""The two mails an alert sends: the one confirmation, and a digest of new documents (plain text)."""
from __future__ import annotations

import re
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from urllib.parse import quote, urlencode

from ..export import document_link
from ..models import TYPE_LABELS, ArchiveConfig, Hit
from .settings import MailSettings
from .store import CONFIRM_HOURS, FREQUENCY_LABELS, Subscription

# The web app serves these paths; the token follows.
CONFIRM_PATH = "/alerts/confirm/"
UNSUBSCRIBE_PATH = "/alerts/unsubscribe/"
# A digest lists at most this many documents and links the search for the rest.
MAX_LISTED = 25
# Line breaks and other controls in a title or a query would start a new header line or a fake
# line of the mail: they become spaces. A subject is cut to this many characters.
_CONTROLS = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]+")
MAX_SUBJECT = 150
_PARAMS = (("q", "q"), ("group", "group"), ("type", "type"), ("theme", "theme"), ("year", "year"),
           ("from", "from"), ("to", "to"))


def one_line(text: str) -> str:
    """Text with its line breaks and control characters as single spaces."""
    return " ".join(_CONTROLS.sub(" ", text).split())


def describe(search: dict, config: ArchiveConfig | None) -> str:
    """A search in words, as a person reads it: "upphandling · Naturvårdsgruppen · 2023"."""
    return one_line(_describe(search, config))


def _describe(search: dict, config: ArchiveConfig | None) -> str:
    parts = [f"”{search['q']}”"] if search.get("q") else []
    for slug in search.get("group", ()):
        group = config.group(slug) if config else None
        parts.append(group.name if group else slug)
    parts += [TYPE_LABELS.get(t, t) for t in search.get("type", ())]
    parts += list(search.get("theme", ())) + list(search.get("year", ()))
    if search.get("from") or search.get("to"):
        parts.append(f"{search.get('from', '')}–{search.get('to', '')}")
    return " · ".join(parts) or "alla nya dokument"


def search_link(base_url: str, search: dict) -> str:
    """The followed search as a page of the site, newest first."""
    pairs = []
    for key, name in _PARAMS:
        value = search.get(key)
        for v in (value if isinstance(value, list) else [value] if value else []):
            pairs.append((name, v))
    if search.get("exact"):
        pairs.append(("exact", "1"))
    pairs.append(("sort", "newest"))
    return f"{base_url.rstrip('/')}/?{urlencode(pairs, quote_via=quote)}"


def token_link(base_url: str, path: str, token: str) -> str:
    return f"{base_url.rstrip('/')}{path}{token}"


def _message(settings: MailSettings, to: str, subject: str, body: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = settings.sender
    msg["To"] = to
    subject = one_line(subject)
    msg["Subject"] = subject if len(subject) <= MAX_SUBJECT else subject[:MAX_SUBJECT - 1] + "…"
    msg["Date"] = formatdate(localtime=False, usegmt=True)
    msg["Message-ID"] = make_msgid(domain=parseaddr(settings.sender)[1].rpartition("@")[2] or None)
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies back
    msg.set_content(body, charset="utf-8")
    return msg


def confirmation_message(settings: MailSettings, sub: Subscription, token: str, base_url: str,
                         config: ArchiveConfig | None) -> EmailMessage:
    name = config.name if config else "Nätverksarkivet"
    what = describe(sub.search, config)
    body = (f"Hej!\n\n"
            f"Någon, förhoppningsvis du, har bett om e-post från {name}s arkiv när nya dokument "
            f"kommer in som passar sökningen\n\n    {what}\n\n"
            f"({FREQUENCY_LABELS[sub.frequency]}, bara när något nytt har kommit).\n\n"
            f"Bekräfta bevakningen här inom {CONFIRM_HOURS} timmar:\n\n"
            f"    {token_link(base_url, CONFIRM_PATH, token)}\n\n"
            f"Var det inte du? Gör ingenting: utan bekräftelse skickas inga fler brev till adressen, "
            f"och uppgifterna raderas efter {CONFIRM_HOURS} timmar.\n")
    return _message(settings, sub.address, f"Bekräfta din bevakning i {name}s arkiv", body)


def _hit_lines(n: int, hit: Hit, base_url: str, config: ArchiveConfig | None) -> str:
    group = config.group(hit.group) if config else None
    meta = [group.name if group else hit.group, hit.date.isoformat() if hit.date else "utan datum",
            TYPE_LABELS.get(hit.type, hit.type)]
    return f"{n}. {one_line(hit.title)}\n   {' · '.join(meta)}\n   {document_link(base_url, hit.id)}\n"


def digest_message(settings: MailSettings, sub: Subscription, hits: list[Hit], total: int, token: str,
                   base_url: str, config: ArchiveConfig | None) -> EmailMessage:
    """The digest of `total` new documents (the first MAX_LISTED of `hits` listed), with its unsubscribe link."""
    name = config.name if config else "Nätverksarkivet"
    what = describe(sub.search, config)
    unsubscribe = token_link(base_url, UNSUBSCRIBE_PATH, token)
    listed = hits[:MAX_LISTED]
    count = f"{total} nytt dokument" if total == 1 else f"{total} nya dokument"
    lines = [f"Hej!\n\n{count.capitalize()} i {name}s arkiv passar din bevakning {what}:\n"]
    lines += [_hit_lines(n, h, base_url, config) for n, h in enumerate(listed, 1)]
    more = f"och {total - len(listed)} till. " if total > len(listed) else ""
    lines.append(f"{more.capitalize()}Hela sökningen, nyast först:\n{search_link(base_url, sub.search)}\n")
    lines.append(f"--\nDu får det här brevet {FREQUENCY_LABELS[sub.frequency]} när nya dokument har kommit in.\n"
                 f"Avsluta bevakningen (ett klick): {unsubscribe}\n")
    msg = _message(settings, sub.address, f"{count.capitalize()}: {what}", "\n".join(lines))
    # RFC 2369 and RFC 8058: the mail program's own "unsubscribe" button, which POSTs to the link.
    msg["List-Unsubscribe"] = f"<{unsubscribe}>"
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg["List-Id"] = f"Bevakning <{sub.id}.alerts.{parseaddr(settings.sender)[1].rpartition('@')[2] or 'arkiv'}>"
    return msg
