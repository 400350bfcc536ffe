from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from traceability.consultations.access import get_organised_process
from traceability.consultations.models import Process, Submission
from traceability.outcomes.models import Clause, DocumentVersion

from .forms import ClauseLinkFormSet, ExcludeForm, QueueFilterForm
from .models import DispositionEvent
from .selectors import Status, filter_status, progress, with_status
from .services import disposition_exclude, disposition_reflect


@require_safe
@login_required
def workspace(request: HttpRequest, slug: str) -> HttpResponse:
    process = get_organised_process(request, slug)
    groups = process.groups.all()
    # The queue opens on what still needs a decision; "Any status" shows everything.
    data = request.GET.copy()
    data.setdefault("status", Status.PENDING)  # also on page 2 of the default queue, whose link has no status
    filters = QueueFilterForm(data, groups=groups)
    queue = with_status(Submission.objects.for_process(process)).select_related("stakeholder_group")
    if filters.is_valid():
        data = filters.cleaned_data
        if data["group"]:
            queue = queue.filter(stakeholder_group=data["group"])
        if data["status"]:
            queue = filter_status(queue, data["status"])
        if data["q"].strip():
            term = data["q"].strip()
            queue = queue.filter(Q(title__icontains=term) | Q(text__icontains=term) | Q(reference__iexact=term))
    else:
        queue = queue.none()
    page = Paginator(queue.order_by("number"), settings.TRACE_PAGE_SIZE).get_page(request.GET.get("page"))
    counts = progress(process)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "dispositions/workspace.html",
        {
            "process": process,
            "filters": filters,
            "page": page,
            "progress": counts,
            "querystring": query.urlencode(),
            "has_document": DocumentVersion.objects.filter(process=process).exists(),
        },
    )


def _review_context(process: Process, submission: Submission, *, links=None, exclude=None) -> dict[str, object]:  # type: ignore[no-untyped-def]
    version = DocumentVersion.objects.latest_for(process)
    clauses = Clause.objects.filter(version=version) if version else Clause.objects.none()
    disposition = getattr(submission, "disposition", None)
    if links is None:
        initial = []
        if disposition is not None:
            initial = [
                {"clause": link.clause_id, "extent": link.extent, "note": link.note} for link in disposition.links.all()
            ]
        links = ClauseLinkFormSet(initial=initial, form_kwargs={"clauses": clauses}, prefix="links")
    if exclude is None:
        initial = {}
        if disposition is not None and disposition.kind == "excluded":
            initial = {
                "ground": disposition.ground,
                "legal_provision": disposition.legal_provision,
                "justification": disposition.justification,
            }
        exclude = ExcludeForm(initial=initial, prefix="exclude")
    return {
        "process": process,
        "submission": submission,
        "disposition": disposition,
        "version": version,
        "links_formset": links,
        "exclude_form": exclude,
        "events": DispositionEvent.objects.filter(submission=submission).order_by("at", "pk"),
    }


def _get_submission(process: Process, reference: str) -> Submission:
    return get_object_or_404(
        Submission.objects.select_related("stakeholder_group", "disposition").prefetch_related(
            "disposition__links__clause"
        ),
        process=process,
        reference=reference,
    )


@require_safe
@login_required
def review(request: HttpRequest, slug: str, reference: str) -> HttpResponse:
    process = get_organised_process(request, slug)
    submission = _get_submission(process, reference)
    return render(request, "dispositions/review.html", _review_context(process, submission))


@require_POST
@login_required
def reflect(request: HttpRequest, slug: str, reference: str) -> HttpResponse:
    process = get_organised_process(request, slug)
    submission = _get_submission(process, reference)
    version = DocumentVersion.objects.latest_for(process)
    clauses = Clause.objects.filter(version=version).select_related("version") if version else Clause.objects.none()
    formset = ClauseLinkFormSet(request.POST, form_kwargs={"clauses": clauses}, prefix="links")
    if formset.is_valid():
        try:
            disposition_reflect(submission=submission, actor=request.user, links=formset.links())
        except ValidationError as error:
            formset._non_form_errors = formset.error_class(error.messages)  # shown above the formset
        else:
            messages.success(request, _("%(reference)s is marked as reflected.") % {"reference": submission.reference})
            return redirect("dispositions:workspace", slug=process.slug)
    context = _review_context(process, submission, links=formset)
    return render(request, "dispositions/review.html", context, status=400)


@require_POST
@login_required
def exclude(request: HttpRequest, slug: str, reference: str) -> HttpResponse:
    process = get_organised_process(request, slug)
    submission = _get_submission(process, reference)
    form = ExcludeForm(request.POST, prefix="exclude")
    if form.is_valid():
        try:
            disposition_exclude(
                submission=submission,
                actor=request.user,
                ground=form.cleaned_data["ground"],
                legal_provision=form.cleaned_data["legal_provision"],
                justification=form.cleaned_data["justification"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("%(reference)s is marked as excluded.") % {"reference": submission.reference})
            return redirect("dispositions:workspace", slug=process.slug)
    context = _review_context(process, submission, exclude=form)
    return render(request, "dispositions/review.html", context, status=400)
