from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from traceability.consultations.access import get_organised_process, get_visible_process

from .gate import publication_blockers
from .models import Snapshot
from .panels import indicator_changes
from .selectors import latest_snapshot, snapshot_list
from .services import PublicationBlocked, snapshot_create

# A snapshot never changes: caches may keep it for a year.
IMMUTABLE = "public, max-age=31536000, immutable"


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def publish(request: HttpRequest, slug: str) -> HttpResponse:
    """The coverage gate's blockers, each with a link to where it is fixed, or the Publish button."""
    process = get_organised_process(request, slug)
    error = ""
    if request.method == "POST":
        try:
            snapshot = snapshot_create(process=process, actor=request.user)
        except PublicationBlocked:
            error = _("The report cannot be published yet; nothing was published.")
        except ValidationError as refused:
            error = " ".join(refused.messages)
        else:
            messages.success(
                request,
                _("Published snapshot %(number)d of the report. Its SHA-256 is %(sha256)s.")
                % {"number": snapshot.number, "sha256": snapshot.sha256},
            )
            return redirect("reports:report", slug=process.slug)
    latest = latest_snapshot(process)
    return render(
        request,
        "publications/publish.html",
        {
            "process": process,
            "blockers": publication_blockers(process),
            "latest": latest,
            "unchanged": latest is not None and latest.stats_version == process.stats_version,
            "error": error,
        },
        status=400 if error else 200,
    )


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
