"""E-mail alerts: subscriptions to a search, confirmed by mail, and digests of new documents.

The web app records requests and confirmations; `arkiv alerts send` (cron or a systemd timer)
sends what is due. Mail settings come in as a MailSettings, read at the edges.
"""
from __future__ import annotations

from .digest import AlertsBusy, Outcome, SendReport, is_due, send_due
from .mail import CONFIRM_PATH, UNSUBSCRIBE_PATH, confirmation_message, describe, digest_message
from .settings import AlertsConfigError, MailSettings
from .smtp import SEND_ERRORS, SmtpTransport
from .store import CONFIRM_HOURS, FREQUENCIES, FREQUENCY_LABELS, AlertError, AlertLimit, Requested, \
    Subscription, Subscriptions, alerts_file, check_address, search_fields

__all__ = [
    "AlertError", "AlertLimit", "AlertsBusy", "AlertsConfigError", "CONFIRM_HOURS", "CONFIRM_PATH",
    "FREQUENCIES", "FREQUENCY_LABELS", "MailSettings", "Outcome", "Requested", "SEND_ERRORS", "SendReport",
    "SmtpTransport", "Subscription", "Subscriptions", "UNSUBSCRIBE_PATH", "alerts_file", "check_address",
    "confirmation_message", "describe", "digest_message", "is_due", "search_fields", "send_due",
]
