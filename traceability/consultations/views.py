from __future__ import annotations

from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from django.views.generic import ListView

from traceability.accounts import audit, ratelimit
from traceability.accounts.models import BlockReason, SecurityEvent
from traceability.accounts.selectors import has_verified_email

from .access import get_organised_process, get_own_submission, get_visible_process, unconfirmed_response
from .forms import SubmissionForm
from .models import Phase, Process
from .services import ProcessNotOpen, declared_group, submission_file, submission_update, submission_withdraw


class ProcessListView(ListView):
    template_name = "consultations/process_list.html"
    context_object_name = "processes"
    paginate_by = 20

    def get_queryset(self):  # type: ignore[no-untyped-def]
        now = timezone.now()
        return Process.objects.visible().open_first(now).with_submission_count()


@require_safe
def process_detail(request: HttpRequest, slug: str) -> HttpResponse:
    process = get_visible_process(slug)
    context = {
        "process": process,
        "phase": process.phase(),
        "Phase": Phase,
        "groups": process.groups.all(),
        "is_organiser": process.is_organiser(request.user),
        "submission_count": process.active_submission_count(),
        "rounds": process.rounds.select_related("version").order_by("number"),
        "history": process.events.order_by("-at", "-pk")[:20],
    }
    return render(request, "consultations/process_detail.html", context)


def add_service_error(form: forms.Form, error: ValidationError) -> None:
    """A service's refusal shown on the form: an error of one of the record's fields goes to that field when the
    form has it, anything else above the form (``add_error`` refuses a field the form does not have)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _not_open_response(
    request: HttpRequest, process: Process, error: ValidationError, heading: str = ""
) -> HttpResponse:
    """409: nothing was saved. ``heading`` when the reason is the submission's, not the process's phase (which the
    page then does not show: an "Open" badge under "can no longer change" reads as a contradiction)."""
    messages.error(request, error.messages[0])
    context = {"process": process, "phase": process.phase(), "heading": heading}
    return render(request, "consultations/not_open.html", context, status=409)


@login_required
def submission_create(request: HttpRequest, slug: str) -> HttpResponse:
    process = get_visible_process(slug)
    if not process.is_open():
        return _not_open_response(request, process, ProcessNotOpen(_("This process is not accepting submissions now.")))
    if not has_verified_email(request.user):
        return unconfirmed_response(request, process, action="file_submission")
    clause = request.GET.get("clause", "")
    initial = {"target": clause} if clause.isascii() and clause.isdecimal() and len(clause) < 19 else {}
    form = SubmissionForm(
        request.POST or None,
        process=process,
        author=request.user,
        declared=declared_group(process=process, author=request.user),
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        if not ratelimit.consume(request, action="file_submission", user=request.user):
            audit.blocked(request, action="file_submission", reason=BlockReason.RATE_LIMIT, process_id=process.pk)
            request.trace_block_recorded = True
            form.add_error(
                None,
                _(
                    "You have filed many submissions in a short while, so this one was not accepted (nothing was "
                    "saved). Wait a few minutes and send it again; if you need to file more, write to the organisers."
                ),
            )
            return render(
                request,
                "consultations/submission_form.html",
                {"process": process, "form": form, "editing": False, "target_clause": form.target_clause},
                status=429,
            )
        try:
            submission, created = submission_file(
                process=process, author=request.user, content=form.content(), form_token=form.cleaned_data["form_token"]
            )
        except ProcessNotOpen as error:
            return _not_open_response(request, process, error)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            if created:
                messages.success(request, _("Your submission was received. Keep its reference."))
            else:
                messages.info(request, _("This form was already submitted; here is its receipt."))
            return redirect(
                "consultations:submission-receipt", slug=submission.process.slug, reference=submission.reference
            )
    return render(
        request,
        "consultations/submission_form.html",
        {"process": process, "form": form, "editing": False, "target_clause": form.target_clause},
    )


@require_safe
@login_required
def submission_receipt(request: HttpRequest, slug: str, reference: str) -> HttpResponse:
    submission = get_own_submission(request, slug, reference)
    return render(
        request,
        "consultations/receipt.html",
        {
            "submission": submission,
            "process": submission.process,
            "can_change": submission.process.is_open() and not submission.is_withdrawn,
            "can_edit": not submission.is_decided(),
        },
    )


@login_required
def submission_edit(request: HttpRequest, slug: str, reference: str) -> HttpResponse:
    submission = get_own_submission(request, slug, reference)
    process = submission.process
    if not has_verified_email(request.user):
        return unconfirmed_response(request, process, action="edit_submission")
    if submission.is_withdrawn or not process.is_open():
        heading = _("This submission was withdrawn and can no longer change.") if submission.is_withdrawn else ""
        return _not_open_response(
            request, process, ProcessNotOpen(_("This submission can no longer be changed.")), heading=heading
        )
    if submission.is_decided():
        messages.error(
            request, _("The organisers have already decided on this submission, so it can no longer be edited.")
        )
        return redirect("consultations:submission-receipt", slug=process.slug, reference=submission.reference)
    form = SubmissionForm(
        request.POST or None,
        process=process,
        author=request.user,
        declared=submission.stakeholder_group,
        initial=SubmissionForm.initial_for(submission),
    )
    if request.method == "POST" and form.is_valid():
        try:
            submission_update(submission=submission, author=request.user, content=form.content())
        except ProcessNotOpen as error:
            return _not_open_response(request, process, error)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Your submission was updated. Its fingerprint now matches the new text."))
            return redirect("consultations:submission-receipt", slug=process.slug, reference=submission.reference)
    return render(
        request,
        "consultations/submission_form.html",
        {
            "process": process,
            "form": form,
            "editing": True,
            "submission": submission,
            "target_clause": form.target_clause,
        },
    )


@require_safe
@login_required
def submission_withdraw_confirm(request: HttpRequest, slug: str, reference: str) -> HttpResponse:
    submission = get_own_submission(request, slug, reference)
    return render(
        request, "consultations/withdraw_confirm.html", {"submission": submission, "process": submission.process}
    )


@require_POST
@login_required
def submission_withdraw_view(request: HttpRequest, slug: str, reference: str) -> HttpResponse:
    submission = get_own_submission(request, slug, reference)
    try:
        submission_withdraw(submission=submission, author=request.user)
    except ValidationError as error:
        return _not_open_response(request, submission.process, error)
    messages.success(request, _("Your submission %(reference)s was withdrawn.") % {"reference": submission.reference})
    return redirect(settings.LOGIN_REDIRECT_URL)


@require_safe
@login_required
def blocked_attempts(request: HttpRequest, slug: str) -> HttpResponse:
    """Filings to this process that were refused before they were saved (too many from one account or
    address, a robot's hidden field, an unconfirmed address): counted by reason, the latest listed."""
    process = get_organised_process(request, slug)
    now = timezone.now()
    blocked = SecurityEvent.objects.blocked().for_process(process.pk)
    counts = blocked.aggregate(
        total=Count("pk"),
        day=Count("pk", filter=Q(at__gte=now - timedelta(days=1))),
        week=Count("pk", filter=Q(at__gte=now - timedelta(days=7))),
    )
    by_reason = {row["reason"]: row["n"] for row in blocked.values("reason").annotate(n=Count("pk")).order_by()}
    reasons = [(label, by_reason.get(value, 0)) for value, label in BlockReason.choices]
    context = {
        "process": process,
        "counts": counts,
        "reasons": reasons,
        "latest": blocked.select_related("user")[:50],
    }
    return render(request, "consultations/blocked_attempts.html", context)
