from __future__ import annotations

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from traceability.accounts.models import User
from traceability.consultations.access import get_organised_process, get_visible_process
from traceability.consultations.models import Process

from .gate import publication_blockers
from .models import PublicationRequest, PublicationState, Snapshot
from .panels import indicator_changes
from .selectors import latest_snapshot, snapshot_list
from .tasks import publish_report

logger = logging.getLogger(__name__)
RETRY_AFTER = 5  # seconds between two looks at a publication being built

# A snapshot never changes: caches may keep it for a year.
IMMUTABLE = "public, max-age=31536000, immutable"


def _request_publication(process: Process, user: User) -> PublicationRequest:
    """The running publication of ``process``, or a new one queued for ``user`` (one at a time per process)."""
    running = PublicationRequest.objects.filter(
        process=process, state__in=[PublicationState.QUEUED, PublicationState.BUILDING]
    ).first()
    if running is not None:
        return running
    try:
        with transaction.atomic():
            publication = PublicationRequest.objects.create(process=process, requested_by=user)
    except IntegrityError:  # another press of the button got there first
        return PublicationRequest.objects.get(
            process=process, state__in=[PublicationState.QUEUED, PublicationState.BUILDING]
        )
    try:
        publish_report.enqueue(publication.pk)
    except Exception:
        logger.exception("Could not queue the publication of process %s", process.pk)
        PublicationRequest.objects.filter(pk=publication.pk).update(
            state=PublicationState.FAILED, message=_("The publication could not be queued. Try again in a minute.")
        )
    publication.refresh_from_db()  # a backend that runs tasks at once has published already
    return publication


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def publish(request: HttpRequest, slug: str) -> HttpResponse:
    """The coverage gate's blockers, each with a link to where it is fixed, or the Publish button. Publishing
    runs as a background task (the snapshot holds every submission); meanwhile this page says so."""
    process = get_organised_process(request, slug)
    error = ""
    latest = latest_snapshot(process)
    blockers = publication_blockers(process)
    unchanged = latest is not None and latest.stats_version == process.stats_version
    if request.method == "POST":
        if blockers:
            error = _("The report cannot be published yet; nothing was published.")
        elif unchanged:
            error = _("Nothing has changed since snapshot %(number)d; it is still the published report.") % {
                "number": latest.number
            }
        else:
            publication = _request_publication(process, request.user)
            if publication.state == PublicationState.DONE:
                snapshot = Snapshot.objects.get(process=process, number=publication.snapshot_number)
                messages.success(
                    request,
                    _("Published snapshot %(number)d of the report. Its SHA-256 is %(sha256)s.")
                    % {"number": snapshot.number, "sha256": snapshot.sha256},
                )
                return redirect("reports:report", slug=process.slug)
            if publication.state == PublicationState.FAILED:
                error = publication.message or _("The report could not be published; nothing was published.")
            else:
                return redirect("publications:publish", slug=process.slug)
    publication = PublicationRequest.objects.filter(process=process).order_by("-pk").first()
    running = publication is not None and publication.state in (PublicationState.QUEUED, PublicationState.BUILDING)
    if not error and publication is not None and publication.state == PublicationState.FAILED:
        if latest is None or publication.created_at > latest.created_at:  # failed in the background since
            error = publication.message or _("The report could not be published; nothing was published.")
    response = render(
        request,
        "publications/publish.html",
        {
            "process": process,
            "blockers": blockers,
            "latest": latest,
            "unchanged": unchanged,
            "error": error,
            "running": publication if running else None,
        },
        status=400 if error and request.method == "POST" else 200,
    )
    if running:
        response["Retry-After"] = str(RETRY_AFTER)
    return response


@require_safe
def snapshots(request: HttpRequest, slug: str) -> HttpResponse:
    process = get_visible_process(slug)
    page = Paginator(snapshot_list(process), settings.TRACE_PAGE_SIZE).get_page(request.GET.get("page"))
    for snapshot in page:
        snapshot.moved = indicator_changes(snapshot.changes)
    return render(request, "publications/snapshot_list.html", {"process": process, "page": page})


@require_safe
def snapshot_download(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """The stored bytes of one snapshot, exactly: hashing them gives the SHA-256 the report shows."""
    process = get_visible_process(slug)
    snapshot = get_object_or_404(Snapshot.objects.select_related("process"), process=process, number=number)
    etag = f'"{snapshot.sha256}"'
    if etag in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
        response: HttpResponse = HttpResponseNotModified()
    else:
        response = HttpResponse(bytes(snapshot.content), content_type="application/json")
        response["Content-Disposition"] = content_disposition_header(True, snapshot.filename())
    response["ETag"] = etag
    response["Cache-Control"] = IMMUTABLE
    return response
