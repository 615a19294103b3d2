"""The mail settings, read from a mapping (the environment) by the CLI and the app factory, never deeper."""
from __future__ import annotations

from dataclasses import dataclass, field
from email.headerregistry import Address
from email.errors import HeaderParseError
from typing import Mapping

from ..errors import ArkivError

TRUE = ("1", "true", "yes", "ja", "on")


class AlertsConfigError(ArkivError, ValueError):
    """The mail settings are incomplete or cannot work."""


@dataclass(frozen=True)
class MailSettings:
    """Where mail goes out (ARKIV_SMTP_*), who it is from, and the site's public address for its links."""

    host: str
    sender: str  # ARKIV_MAIL_FROM: "Nätverksarkivet <arkiv@example.se>" or a bare address
    port: int = 25
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    starttls: bool = False
    public_url: str | None = None  # ARKIV_PUBLIC_URL; without it, the address a request came to
    timeout: float = 30.0  # seconds for each SMTP step: a hung server must not hang a request or cron

    @classmethod
    def from_environ(cls, env: Mapping[str, str]) -> "MailSettings | None":
        """The settings in `env` (os.environ at an edge); None when ARKIV_SMTP_HOST is not set."""
        host = (env.get("ARKIV_SMTP_HOST") or "").strip()
        if not host:
            return None
        sender = (env.get("ARKIV_MAIL_FROM") or "").strip()
        if not sender:
            raise AlertsConfigError("ARKIV_SMTP_HOST is set but ARKIV_MAIL_FROM is not: say which address "
                                    "alert mails come from")
        check_sender(sender)
        starttls = (env.get("ARKIV_SMTP_STARTTLS") or "").strip().lower() in TRUE
        port_text = (env.get("ARKIV_SMTP_PORT") or "").strip()
        if port_text:
            if not (port_text.isascii() and port_text.isdigit()) or not 0 < int(port_text) < 65536:
                raise AlertsConfigError(f"ARKIV_SMTP_PORT '{port_text}' is not a port number (1-65535)")
            port = int(port_text)
        else:
            port = 587 if starttls else 25
        user = env.get("ARKIV_SMTP_USER") or None
        password = env.get("ARKIV_SMTP_PASSWORD") or None
        if bool(user) != bool(password):
            raise AlertsConfigError("set both ARKIV_SMTP_USER and ARKIV_SMTP_PASSWORD, or neither")
        public = (env.get("ARKIV_PUBLIC_URL") or "").strip().rstrip("/") or None
        if public and not public.startswith(("http://", "https://")):
            raise AlertsConfigError(f"ARKIV_PUBLIC_URL '{public}' must start with http:// or https://")
        return cls(host=host, sender=sender, port=port, user=user, password=password, starttls=starttls,
                   public_url=public)


def check_sender(sender: str) -> None:
    from email.utils import parseaddr

    name, address = parseaddr(sender)
    try:
        if "@" not in address:
            raise ValueError
        Address(display_name=name, addr_spec=address)
    except (ValueError, HeaderParseError, IndexError):
        raise AlertsConfigError(f"ARKIV_MAIL_FROM '{sender}' is not an e-mail address") from None
