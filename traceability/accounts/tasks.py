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
def send_account_mail(*, subject: str, body: str, html: str, from_email: str, to: list[str]) -> int:
    """Send a mail of the account flows (verify an address, reset a password), rendered in the request.

    The SMTP connection times out after ``EMAIL_TIMEOUT`` seconds; a failure raises, so the task
    backend records it (the links in these mails expire, and the person can ask for a new one).
    """
    from django.core.mail import EmailMultiAlternatives

    message = EmailMultiAlternatives(subject=subject, body=body, from_email=from_email, to=to)
    if html:
        message.attach_alternative(html, "text/html")
    return message.send()
