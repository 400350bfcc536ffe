from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from traceability.consultations.access import get_visible_process
from traceability.consultations.models import Submission
from traceability.dispositions.models import DispositionEvent
from traceability.dispositions.selectors import with_status
from traceability.outcomes.models import Clause

from .cards import DEFINITIONS, indicator_cards
from .charts import group_bars
from .forms import ReportFilterForm
from .indicators import indicators_for
from .selectors import group_clause_links, report_clauses, report_submissions, report_version


@require_safe
def report(request: HttpRequest, slug: str) -> HttpResponse:
    process = get_visible_process(slug)
    indicators = indicators_for(process)
    version = report_version(process)
    clauses = (
        Clause.objects.filter(version=version).only("id", "eid", "label", "heading")
        if version
        else Clause.objects.none()
    )

    filters = ReportFilterForm(request.GET or None, groups=process.groups.all(), clauses=clauses)
    submissions = report_submissions(process)
    filtering = bool(set(request.GET) - {"page", "cpage"})
    if filters.is_valid():
        submissions = filters.apply(submissions)
    elif filtering:
        # Unknown filter values match nothing; the form says which value was not understood.
        submissions = submissions.none()
    page = Paginator(submissions, settings.TRACE_PAGE_SIZE).get_page(request.GET.get("page"))

    clause_page = None
    if version:
        clause_page = Paginator(report_clauses(version), settings.TRACE_PAGE_SIZE).get_page(request.GET.get("cpage"))
        group_clause_links(list(clause_page), [(group.pk, group.name) for group in indicators.groups])
    query = request.GET.copy()
    query.pop("page", None)
    clause_query = request.GET.copy()
    clause_query.pop("cpage", None)
    return render(
        request,
        "reports/report.html",
        {
            "process": process,
            "indicators": indicators,
            "cards": indicator_cards(indicators),
            "totals": indicators.totals,
            "chart": group_bars(indicators.groups),
            "filters": filters,
            "filtering": filtering,
            "page": page,
            "version": version,
            "clause_page": clause_page,
            "querystring": query.urlencode(),
            "clause_querystring": clause_query.urlencode(),
        },
    )


@require_safe
def methodology(request: HttpRequest) -> HttpResponse:
    return render(request, "reports/methodology.html", {"definitions": DEFINITIONS})


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
