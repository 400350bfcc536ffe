"""Mail backends for tests: a server that refuses every message, as a real one would."""

from __future__ import annotations

import smtplib

from django.core.mail.backends.base import BaseEmailBackend


class RefusingBackend(BaseEmailBackend):
    """Refuses every recipient, quoting the address like a real SMTP server does."""

    def send_messages(self, email_messages):  # type: ignore[no-untyped-def]
        raise smtplib.SMTPRecipientsRefused(
            {address: (550, b"5.1.1 mailbox unavailable") for message in email_messages for address in message.to}
        )
