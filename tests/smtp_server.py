"""A real SMTP server on loopback (aiosmtpd) that the alert tests send to, and read the mail from."""
from __future__ import annotations

import socket
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """What the server received; `refuse` (e.g. "451 try later") makes it refuse every DATA."""

    def __init__(self):
        self.messages: list[EmailMessage] = []
        self.refuse: str | None = None
        self.on_data = None  # called with the message before it is accepted (a test kills the sender here)
        self._lock = threading.Lock()
        self.received = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        if self.refuse:
            return self.refuse
        msg = message_from_bytes(envelope.content, policy=policy.default)
        msg.envelope_to = list(envelope.rcpt_tos)
        with self._lock:
            self.messages.append(msg)
        self.received.set()
        if self.on_data:
            self.on_data(msg)
        return "250 OK"

    def take(self) -> list[EmailMessage]:
        with self._lock:
            taken, self.messages = self.messages, []
        self.received.clear()
        return taken


class SmtpServer:
    def __init__(self):
        self.inbox = Inbox()
        self.port = free_port()
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> "SmtpServer":
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()

    def stop(self) -> None:
        self.controller.stop()

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()
