"""Background tasks of the accounts app (Django tasks API: run by whichever backend ``TASKS`` names)."""

from __future__ import annotations

from django_tasks import task


@task()
def deliver_notification(notification_id: int) -> str:
    """Send one queued notification; returns the status it ended in. Failures are recorded and
    retried by the service, never raised: a task result must not carry an address in a traceback."""
    from .services import notification_deliver

    return notification_deliver(notification_id=notification_id)


@task()
def send_account_mail(sealed: str) -> int:
    """Send a mail of the account flows (confirm an address, reset a password, a security notice),
    rendered in the request and handed over encrypted (accounts/crypto.py).

    The SMTP connection times out after ``EMAIL_TIMEOUT`` seconds; a failure raises, so the task
    backend records it (the links in these mails expire, and the person can ask for a new one).
    """
    import json

    from django.core.mail import EmailMultiAlternatives

    from .crypto import decrypt

    mail = json.loads(decrypt(sealed))
    message = EmailMultiAlternatives(
        subject=mail["subject"], body=mail["body"], from_email=mail["from_email"], to=mail["to"]
    )
    if mail["html"]:
        message.attach_alternative(mail["html"], "text/html")
    return message.send()
