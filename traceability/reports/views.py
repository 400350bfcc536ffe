from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from traceability.consultations.access import get_visible_process
from traceability.consultations.models import Submission
from traceability.dispositions.models import DispositionEvent
from traceability.dispositions.selectors import filter_status, with_status

from .forms import ReportFilterForm
from .selectors import Totals, group_counts, report_clauses, report_submissions, report_version


@require_safe
def report(request: HttpRequest, slug: str) -> HttpResponse:
    process = get_visible_process(slug)
    groups = list(group_counts(process))
    totals = Totals.of(groups)

    filters = ReportFilterForm(request.GET or None, groups=process.groups.all())
    submissions = report_submissions(process)
    if filters.is_valid():
        data = filters.cleaned_data
        if data["group"]:
            submissions = submissions.filter(stakeholder_group=data["group"])
        if data["status"]:
            submissions = filter_status(submissions, data["status"])
        if data["q"].strip():
            term = data["q"].strip()
            submissions = submissions.filter(
                Q(title__icontains=term) | Q(text__icontains=term) | Q(reference__iexact=term)
            )
    elif filters.is_bound and set(request.GET) - {"page", "cpage"}:
        submissions = submissions.none()
    page = Paginator(submissions, settings.TRACE_PAGE_SIZE).get_page(request.GET.get("page"))

    version = report_version(process)
    clause_page = (
        Paginator(report_clauses(version), settings.TRACE_PAGE_SIZE).get_page(request.GET.get("cpage"))
        if version
        else None
    )
    query = request.GET.copy()
    query.pop("page", None)
    clause_query = request.GET.copy()
    clause_query.pop("cpage", None)
    return render(
        request,
        "reports/report.html",
        {
            "process": process,
            "groups": groups,
            "totals": totals,
            "filters": filters,
            "page": page,
            "version": version,
            "clause_page": clause_page,
            "querystring": query.urlencode(),
            "clause_querystring": clause_query.urlencode(),
        },
    )


@require_safe
def submission_trace(request: HttpRequest, slug: str, reference: str) -> HttpResponse:
    process = get_visible_process(slug)
    submission = get_object_or_404(report_submissions(process).select_related("process"), reference=reference)
    events = DispositionEvent.objects.filter(submission=submission).order_by("at", "pk")
    return render(
        request,
        "reports/trace.html",
        {"process": process, "submission": submission, "events": events},
    )


@require_safe
@login_required
def my_submissions(request: HttpRequest) -> HttpResponse:
    submissions = (
        with_status(Submission.objects.by(request.user))
        .select_related("process", "stakeholder_group")
        .order_by("-received_at", "-pk")
    )
    page = Paginator(submissions, settings.TRACE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "reports/me.html", {"page": page})
