"""Background work of publishing: building the snapshot, and telling every submitter that the report is published."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.urls import reverse
from django_tasks import task

from traceability.accounts.models import NotificationKind, User
from traceability.accounts.services import mail_language, notify
from traceability.consultations.models import Process


@task()
def publish_report(request_id: int) -> str:
    """Publish the report for one ``PublicationRequest``: ``snapshot_create`` (the gate re-checked under the
    process's lock, the full report built and frozen), recording the outcome on the request. Returns its state."""
    from .models import PublicationRequest, PublicationState
    from .services import snapshot_create

    request = PublicationRequest.objects.select_related("process", "requested_by").filter(pk=request_id).first()
    if request is None or request.state not in (PublicationState.QUEUED, PublicationState.BUILDING):
        return "gone"
    PublicationRequest.objects.filter(pk=request_id).update(state=PublicationState.BUILDING)
    try:
        snapshot = snapshot_create(process=request.process, actor=request.requested_by)
    except ValidationError as refused:  # the gate closed meanwhile, or nothing changed
        PublicationRequest.objects.filter(pk=request_id).update(
            state=PublicationState.FAILED, message=" ".join(refused.messages)
        )
        return PublicationState.FAILED
    except Exception:
        PublicationRequest.objects.filter(pk=request_id).update(state=PublicationState.FAILED)
        raise
    PublicationRequest.objects.filter(pk=request_id).update(
        state=PublicationState.DONE, snapshot_number=snapshot.number
    )
    return PublicationState.DONE


@task()
def notify_publication(process_id: int, snapshot_number: int, sha256: str) -> int:
    """One publication e-mail to each distinct submitter of the process (read in chunks, so a process with a
    million submitters needs no more memory than one with ten). Returns how many were queued."""
    process = Process.objects.get(pk=process_id)
    context = {
        "report_path": reverse("reports:report", args=[process.slug]),
        "snapshot_number": snapshot_number,
        "snapshot_sha256": sha256,
    }
    authors = User.objects.filter(submissions__process=process, is_active=True).distinct().order_by("pk")
    queued = 0
    for author in authors.iterator(chunk_size=1000):
        # The process's title as each recipient reads it: in their language when the process gives it.
        title = str(process.localised("title", mail_language(author)))
        notify(
            user=author,
            kind=NotificationKind.PUBLICATION,
            template="accounts/email/publication",
            context={**context, "process_title": title},
        )
        queued += 1
    return queued
