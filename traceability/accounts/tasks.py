"""Background tasks of the accounts app (Django tasks API: run by whichever backend ``TASKS`` names)."""

from __future__ import annotations

from django_tasks import task


@task()
def deliver_notification(notification_id: int) -> str:
    """Send one queued notification; returns the status it ended in. Failures are recorded and
    retried by the service, never raised: a task result must not carry an address in a traceback."""
    from .services import notification_deliver

    return notification_deliver(notification_id=notification_id)
