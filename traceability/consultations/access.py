"""Access helpers: return the object the user may act on, or raise PermissionDenied."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from traceability.accounts import audit
from traceability.accounts.models import BlockReason

from .models import Process, Submission


def get_visible_process(slug: str) -> Process:
    return get_object_or_404(Process.objects.visible(), slug=slug)


def get_organised_process(request: HttpRequest, slug: str) -> Process:
    """The process, if the signed-in user organises it. Organisers of other processes get 403."""
    process = get_object_or_404(Process, slug=slug)
    if not process.is_organiser(request.user):
        raise PermissionDenied
    return process


def get_own_submission(request: HttpRequest, slug: str, reference: str) -> Submission:
    submission = get_object_or_404(
        Submission.objects.select_related("process", "stakeholder_group"), process__slug=slug, reference=reference
    )
    if submission.author_id != request.user.pk:
        raise PermissionDenied
    return submission


def unconfirmed_response(request: HttpRequest, process: Process, *, action: str) -> HttpResponse:
    """For an account whose address is not confirmed: it writes nothing, is told how to confirm, and a
    POST is recorded as a blocked attempt."""
    if request.method == "POST":
        audit.blocked(request, action=action, reason=BlockReason.UNVERIFIED, process_id=process.pk)
    return render(request, "consultations/verify_first.html", {"process": process}, status=403)
