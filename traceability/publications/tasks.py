"""Background work of publishing: telling every submitter that the report is published."""

from __future__ import annotations

from django.urls import reverse
from django_tasks import task

from traceability.accounts.models import NotificationKind, User
from traceability.accounts.services import notify
from traceability.consultations.models import Process


@task()
def notify_publication(process_id: int, snapshot_number: int, sha256: str) -> int:
    """One publication e-mail to each distinct submitter of the process (read in chunks, so a process with a
    million submitters needs no more memory than one with ten). Returns how many were queued."""
    process = Process.objects.get(pk=process_id)
    context = {
        "process_title": process.title,
        "report_path": reverse("reports:report", args=[process.slug]),
        "snapshot_number": snapshot_number,
        "snapshot_sha256": sha256,
    }
    authors = User.objects.filter(submissions__process=process, is_active=True).distinct().order_by("pk")
    queued = 0
    for author in authors.iterator(chunk_size=1000):
        notify(user=author, kind=NotificationKind.PUBLICATION, template="accounts/email/publication", context=context)
        queued += 1
    return queued
