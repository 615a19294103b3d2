"""Mail out through one SMTP connection (smtplib), opened on the first message and closed at the end."""
from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import parseaddr

from .settings import MailSettings

# What a failed delivery raises: the server refused, went away, or could not be reached.
SEND_ERRORS = (smtplib.SMTPException, OSError)


class SmtpTransport:
    """`with SmtpTransport(settings) as t: t.send(msg)`; any failure raises one of SEND_ERRORS."""

    def __init__(self, settings: MailSettings):
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        if s.port == 465:  # implicit TLS ("SMTPS"); STARTTLS is for 587 and 25
            smtp = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
        try:
            smtp.ehlo()
            if s.starttls:
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if s.user:
                smtp.login(s.user, s.password or "")
        except BaseException:
            smtp.close()
            raise
        return smtp

    def send(self, msg: EmailMessage) -> None:
        """Deliver one message to its To address; returns only when the server has accepted it."""
        if self._smtp is None:
            self._smtp = self._connect()
        try:
            self._smtp.send_message(msg, from_addr=parseaddr(self.settings.sender)[1],
                                    to_addrs=[parseaddr(msg["To"])[1]])
        except smtplib.SMTPRecipientsRefused:
            raise  # this address only: the connection stays usable
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except SEND_ERRORS:
                self._smtp.close()
            self._smtp = None

    def __enter__(self) -> "SmtpTransport":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
