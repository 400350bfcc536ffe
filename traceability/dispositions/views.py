from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from traceability.accounts.selectors import has_verified_email
from traceability.consultations.access import get_organised_process, get_own_submission, unconfirmed_response
from traceability.consultations.keyset import cursor_from, keyset_page, other_parameters
from traceability.consultations.models import CommentRound, Process, Submission, SubmissionStatus
from traceability.consultations.search import matching
from traceability.outcomes.models import Clause, DocumentVersion
from traceability.outcomes.redline import word_diff

from .forms import (
    AnswerForm,
    ClauseLinkFormSet,
    ExcludeForm,
    MoveLinkForm,
    NotTakenUpForm,
    QueueFilterForm,
    ResponseForm,
    SameAsForm,
)
from .models import ClauseLink, DispositionKind, DraftDecision, ExclusionGround, Release, Response
from .selectors import contest_queue, decision_trail, drafts_for, progress, reconfirm_queue, unanswered_contests
from .services import (
    StaleDecision,
    contest_answer,
    decisions_release,
    disposition_exclude,
    disposition_not_take_up,
    disposition_reflect,
    disposition_same_as,
    link_reconfirm,
    response_record,
    version_adopt,
)


@require_safe
@login_required
def workspace(request: HttpRequest, slug: str) -> HttpResponse:
    process = get_organised_process(request, slug)
    groups = process.groups.all()
    # The queue opens on what still needs a decision; "Any status" shows everything.
    data = request.GET.copy()
    data.setdefault("status", SubmissionStatus.PENDING)  # also on page 2 of the default queue
    filters = QueueFilterForm(data, groups=groups)
    queue = Submission.objects.for_process(process).select_related("stakeholder_group", "draft")
    counts = progress(process)
    total = None
    if filters.is_valid():
        data = filters.cleaned_data
        if data["group"]:
            queue = queue.filter(stakeholder_group=data["group"])
        if data["status"]:
            queue = queue.with_status(data["status"])
        if data["q"].strip():
            # Organisers search every submission's words, withheld and withdrawn ones too.
            queue = matching(queue, data["q"], public=False)
        elif not data["group"] and data["status"] == SubmissionStatus.PENDING:
            # The default queue: the progress figures already on the page say how long it is.
            total = counts["total"] - counts["dispositioned"] - counts["reconfirm"]
    else:
        queue = queue.none()
        total = 0
    size = settings.TRACE_PAGE_SIZE
    page = keyset_page(queue, cursor=cursor_from(request.GET, size=size), size=size, total=total)
    versions = DocumentVersion.objects.filter(process=process)
    rounds = list(CommentRound.objects.filter(process=process).select_related("version").order_by("number"))
    return render(
        request,
        "dispositions/workspace.html",
        {
            "process": process,
            "filters": filters,
            "page": page,
            "progress": counts,
            "querystring": other_parameters(request.GET),
            "current_version": versions.report_version_for(process),
            "pending_version": versions.pending_for(process),
            "rounds": rounds,
            "open_round": next((r for r in rounds if r.is_open()), None),
            "unanswered_contests": unanswered_contests(process),
        },
    )


def _review_context(  # type: ignore[no-untyped-def]
    process: Process, submission: Submission, *, links=None, exclude=None, not_taken_up=None, same_as=None
) -> dict[str, object]:
    """The review page's context; a form given (bound, with its errors) replaces the fresh one."""
    version = DocumentVersion.objects.report_version_for(process)
    clauses = Clause.objects.filter(version=version).linkable() if version else Clause.objects.none()
    disposition = getattr(submission, "disposition", None)
    draft = DraftDecision.objects.filter(submission=submission).select_related("duplicate_of").first()
    trail = decision_trail(submission, version)
    # The forms open on the draft when there is one, else on the released decision.
    shown = draft or disposition
    if links is None:
        initial = []
        if draft is not None and draft.kind == DispositionKind.REFLECTED and not draft.duplicate_of_id:
            initial = [
                {"clause": link["clause"], "extent": link["extent"], "note": link["note"]} for link in draft.links
            ]
        elif draft is None and trail and disposition is not None and disposition.kind == DispositionKind.REFLECTED:
            initial = [
                {"clause": link.now_pk, "extent": link.extent, "note": link.note}
                for link in trail[-1].links
                if link.now_pk is not None
            ]
        links = ClauseLinkFormSet(initial=initial, form_kwargs={"clauses": clauses}, prefix="links")
    if exclude is None:
        initial = {}
        if shown is not None and shown.kind == DispositionKind.EXCLUDED:
            initial = {
                "ground": shown.ground,
                "legal_provision": shown.legal_provision,
                "justification": shown.justification,
                "withhold": shown.withheld and shown.ground == ExclusionGround.LEGAL,
            }
        exclude = ExcludeForm(initial=initial, prefix="exclude")
    if not_taken_up is None:
        initial = {"reason": shown.justification} if shown is not None and shown.kind == "not_taken_up" else {}
        not_taken_up = NotTakenUpForm(initial=initial, prefix="not_taken_up")
    if same_as is None:
        original = shown.duplicate_of.reference if shown is not None and shown.duplicate_of_id else ""
        same_as = SameAsForm(initial={"original": original}, prefix="same_as")
    return {
        "process": process,
        "submission": submission,
        "disposition": disposition,
        "draft": draft,
        "version": version,
        "links_formset": links,
        "exclude_form": exclude,
        "not_taken_up_form": not_taken_up,
        "same_as_form": same_as,
        "trail": trail,
        "show_withheld": True,  # organisers read what the public does not
        # The revision the forms are based on: a save is refused if someone else decided meanwhile.
        "based_on": trail[-1].revision.number if trail else 0,
    }


def _get_submission(process: Process, reference: str) -> Submission:
    return get_object_or_404(
        Submission.objects.select_related("stakeholder_group", "disposition__duplicate_of", "target"),
        process=process,
        reference=reference,
    )


@require_safe
@login_required
def review(request: HttpRequest, slug: str, reference: str) -> HttpResponse:
    process = get_organised_process(request, slug)
    submission = _get_submission(process, reference)
    return render(request, "dispositions/review.html", _review_context(process, submission))


def _saved(request: HttpRequest, process: Process, submission: Submission, *, draft: bool, done: str) -> HttpResponse:
    if draft:
        messages.success(
            request,
            _("%(reference)s: decision drafted. The public sees it once you release the drafts.")
            % {"reference": submission.reference},
        )
    else:
        messages.success(request, done % {"reference": submission.reference})
    return redirect("dispositions:workspace", slug=process.slug)


def _is_draft(request: HttpRequest) -> bool:
    return request.POST.get("save") == "draft"


def _based_on(request: HttpRequest) -> int | None:
    """The revision number the organiser's form was based on (``None`` when the form did not say)."""
    value = request.POST.get("based_on", "")
    return int(value) if value.isascii() and value.isdecimal() and len(value) < 10 else None


def _refused_status(error: ValidationError) -> int:
    return 409 if isinstance(error, StaleDecision) else 400


@require_POST
@login_required
def reflect(request: HttpRequest, slug: str, reference: str) -> HttpResponse:
    process = get_organised_process(request, slug)
    submission = _get_submission(process, reference)
    version = DocumentVersion.objects.report_version_for(process)
    clauses = Clause.objects.filter(version=version).linkable() if version else Clause.objects.none()
    formset = ClauseLinkFormSet(request.POST, form_kwargs={"clauses": clauses}, prefix="links")
    status = 400
    if formset.is_valid():
        try:
            disposition_reflect(
                submission=submission,
                actor=request.user,
                links=formset.links(),
                draft=_is_draft(request),
                based_on=_based_on(request),
            )
        except ValidationError as error:
            formset._non_form_errors = formset.error_class(error.messages)  # shown above the formset
            status = _refused_status(error)
        else:
            return _saved(
                request, process, submission, draft=_is_draft(request), done=_("%(reference)s is marked as reflected.")
            )
    context = _review_context(process, submission, links=formset)
    return render(request, "dispositions/review.html", context, status=status)


def _decide_with(
    request: HttpRequest, slug: str, reference: str, *, form_class: type, prefix: str, act, done: str
) -> HttpResponse:  # type: ignore[no-untyped-def]
    """One decision form of the review page: valid input goes to the service ``act(submission, data, draft)``;
    bad input, or a decision the service refuses, shows the page again with the errors by the form (400)."""
    process = get_organised_process(request, slug)
    submission = _get_submission(process, reference)
    form = form_class(request.POST, prefix=prefix)
    status = 400
    if form.is_valid():
        try:
            act(
                submission=submission,
                actor=request.user,
                data=form.cleaned_data,
                draft=_is_draft(request),
                based_on=_based_on(request),
            )
        except ValidationError as error:
            form.add_error(None, error)
            status = _refused_status(error)
        else:
            return _saved(request, process, submission, draft=_is_draft(request), done=done)
    context = _review_context(process, submission, **{prefix: form})
    return render(request, "dispositions/review.html", context, status=status)


@require_POST
@login_required
def exclude(request: HttpRequest, slug: str, reference: str) -> HttpResponse:
    def act(*, submission: Submission, actor: object, data: dict, draft: bool, based_on: int | None) -> None:
        disposition_exclude(
            submission=submission,
            actor=actor,
            ground=data["ground"],
            legal_provision=data["legal_provision"],
            justification=data["justification"],
            withhold=data["withhold"],
            draft=draft,
            based_on=based_on,
        )

    done = _("%(reference)s is marked as excluded.")
    return _decide_with(request, slug, reference, form_class=ExcludeForm, prefix="exclude", act=act, done=done)


@require_POST
@login_required
def not_taken_up(request: HttpRequest, slug: str, reference: str) -> HttpResponse:
    def act(*, submission: Submission, actor: object, data: dict, draft: bool, based_on: int | None) -> None:
        disposition_not_take_up(
            submission=submission, actor=actor, reason=data["reason"], draft=draft, based_on=based_on
        )

    done = _("%(reference)s is marked as considered, not taken up.")
    return _decide_with(request, slug, reference, form_class=NotTakenUpForm, prefix="not_taken_up", act=act, done=done)


@require_POST
@login_required
def same_as(request: HttpRequest, slug: str, reference: str) -> HttpResponse:
    def act(*, submission: Submission, actor: object, data: dict, draft: bool, based_on: int | None) -> None:
        disposition_same_as(
            submission=submission, actor=actor, original=data["original"], draft=draft, based_on=based_on
        )

    done = _("%(reference)s now shares the decision of the submission it duplicates.")
    return _decide_with(request, slug, reference, form_class=SameAsForm, prefix="same_as", act=act, done=done)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def release(request: HttpRequest, slug: str) -> HttpResponse:
    """The drafted decisions of a process, and the button that releases them to the public together."""
    process = get_organised_process(request, slug)
    if request.method == "POST":
        try:
            outcome = decisions_release(process=process, actor=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            if outcome.released:
                messages.success(
                    request,
                    ngettext(
                        "Release %(number)d: %(count)d decision is now public.",
                        "Release %(number)d: %(count)d decisions are now public.",
                        outcome.released,
                    )
                    % {"number": outcome.release.number, "count": outcome.released},
                )
            for reference, message in outcome.kept:
                messages.error(
                    request,
                    _("%(reference)s stays a draft: %(message)s") % {"reference": reference, "message": message},
                )
            if not outcome.kept:
                return redirect("dispositions:workspace", slug=process.slug)
        return redirect("dispositions:release", slug=process.slug)
    drafts = (
        drafts_for(process)
        .select_related("submission__stakeholder_group", "duplicate_of", "drafted_by")
        .order_by("submission__number")
    )
    page = Paginator(drafts, settings.TRACE_PAGE_SIZE).get_page(request.GET.get("page"))
    # A draft whose clauses left the current version (a new one was adopted since) cannot be released as it is.
    version = DocumentVersion.objects.report_version_for(process)
    linked = {link["clause"] for draft in page for link in draft.links}
    current = (
        set(Clause.objects.filter(version=version, pk__in=linked).values_list("pk", flat=True)) if linked else set()
    )
    for draft in page:
        draft.stale = any(link["clause"] not in current for link in draft.links)
    releases = Release.objects.filter(process=process).order_by("-number")[:5]
    return render(request, "dispositions/release.html", {"process": process, "page": page, "releases": releases})


@require_safe
@login_required
def reconfirm(request: HttpRequest, slug: str) -> HttpResponse:
    """The re-confirmation queue: each suspect link or link to a removed clause, with the change beside it."""
    process = get_organised_process(request, slug)
    version = DocumentVersion.objects.report_version_for(process)
    size = settings.TRACE_PAGE_SIZE
    # Pages of the submissions waiting (keyset on the receipt number: no count, no offset; the queue may hold tens
    # of thousands), each with its links to look at again: a submission's links stay together on one page, and
    # acting on one (which writes its links anew) moves no other.
    waiting = Submission.objects.for_process(process).with_status(SubmissionStatus.NEEDS_RECONFIRMATION)
    page = keyset_page(waiting.only("pk", "number", "reference"), cursor=cursor_from(request.GET, size=size), size=size)
    links = list(reconfirm_queue(process, version).filter(revision__submission__in=[s.pk for s in page]))
    _attach_now_text(links, version)
    # The keyboard focus: the link an error was about, else the first link's Re-confirm button.
    focus = request.GET.get("focus", "")
    focused = next((link for link in links if str(link.pk) == focus), links[0] if links else None)
    for link in links:
        link.focus_move = link is focused and (focus == str(link.pk) or link.now_clause is None)
        link.focus_confirm = link is focused and not link.focus_move
    return render(
        request,
        "dispositions/reconfirm.html",
        {
            "process": process,
            "version": version,
            "page": page,
            "links": links,
            "querystring": other_parameters(request.GET, "focus"),
        },
    )


def _reconfirm_url_at(process: Process, link: ClauseLink) -> str:
    """Back to the queue on the page that starts at ``link``'s submission, with the focus on its form."""
    url = reverse("dispositions:reconfirm", args=[process.slug])
    return f"{url}?after={link.revision.submission.number - 1}&focus={link.pk}#link-{link.pk}"


def _attach_now_text(links: list[ClauseLink], version: DocumentVersion | None) -> None:
    """The current text of each link's clause, for the word-level comparison (one query for the page)."""
    now = Clause.objects.in_bulk([link.now_pk for link in links if link.now_pk]) if version else {}
    for link in links:
        link.now_clause = now.get(link.now_pk)
        old = f"{link.clause.heading}\n{link.clause.text}".strip()
        new = f"{link.now_clause.heading}\n{link.now_clause.text}".strip() if link.now_clause else ""
        link.diff = word_diff(old, new) if link.now_clause else []


def _queue_link(process: Process, link_pk: int) -> ClauseLink:
    return get_object_or_404(
        ClauseLink.objects.select_related("revision__submission", "identity"),
        pk=link_pk,
        revision__submission__process=process,
    )


@require_POST
@login_required
def reconfirm_link(request: HttpRequest, slug: str, link_pk: int) -> HttpResponse:
    process = get_organised_process(request, slug)
    link = _queue_link(process, link_pk)
    version = DocumentVersion.objects.report_version_for(process)
    action = request.POST.get("action", "")
    move_to = None
    if action == "move":
        form = MoveLinkForm(request.POST, clauses=Clause.objects.filter(version=version))
        if not form.is_valid():
            reference = link.revision.submission.reference
            for error in form.errors.get("label", []):
                messages.error(request, f"{reference}: {error}")
            # Back to that link's form, with the focus there (not on another link's Re-confirm button).
            return redirect(_reconfirm_url_at(process, link))
        move_to = form.cleaned_data["label"]
    try:
        link_reconfirm(
            submission=link.revision.submission,
            actor=request.user,
            link=link,
            move_to=move_to,
            remove=action == "remove",
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, f"{link.revision.submission.reference}: {message}")
        return redirect(_reconfirm_url_at(process, link))
    else:
        done = {
            "move": _("The link of %(reference)s now points at clause %(label)s."),
            "remove": _("The link of %(reference)s was removed."),
        }.get(action, _("The link of %(reference)s is re-confirmed."))
        messages.success(
            request,
            done % {"reference": link.revision.submission.reference, "label": move_to.label if move_to else ""},
        )
    return redirect("dispositions:reconfirm", slug=process.slug)


@require_POST
@login_required
def adopt(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    process = get_organised_process(request, slug)
    version = get_object_or_404(DocumentVersion, process=process, number=number)
    try:
        version_adopt(version=version, actor=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("outcomes:matching", slug=process.slug, number=number)
    counts = progress(process)
    messages.success(
        request,
        _("Adopted %(label)s. %(count)d submissions wait for their links to be re-confirmed.")
        % {"label": version.label, "count": counts["reconfirm"]},
    )
    if counts["reconfirm"]:
        return redirect("dispositions:reconfirm", slug=process.slug)
    return redirect("dispositions:workspace", slug=process.slug)


# ----------------------------------------------------------------------------- answering back


@require_POST
@login_required
def respond(request: HttpRequest, slug: str, reference: str) -> HttpResponse:
    """The author agrees with or contests the current decision; back to the trace page, or the form with its errors."""
    submission = get_own_submission(request, slug, reference)
    if not has_verified_email(request.user):
        return unconfirmed_response(request, submission.process, action="respond")
    form = ResponseForm(request.POST)
    if form.is_valid():
        try:
            response_record(
                submission=submission,
                revision_number=form.cleaned_data["revision"],
                author=request.user,
                kind=form.cleaned_data["kind"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your reply is recorded and shown on this page."))
            return redirect(f"{submission.get_absolute_url()}#history")
    version = DocumentVersion.objects.report_version_for(submission.process)
    context = {
        "process": submission.process,
        "submission": submission,
        "version": version,
        "trail": decision_trail(submission, version),
        "form": form,
    }
    return render(request, "dispositions/respond.html", context, status=400)


def _contests_context(
    process: Process, page_number: str | None, bound: tuple[int, AnswerForm] | None = None
) -> dict[str, object]:
    queue = contest_queue(process)
    # The page's ids first, walking the queue's index in its order (a deep page skips thousands of entries of one
    # table, not thousands of joined rows), then those rows with what they contest.
    page = Paginator(queue.values_list("pk", flat=True), settings.TRACE_PAGE_SIZE).get_page(page_number)
    rows = queue.in_bulk(list(page))
    page.object_list = [rows[pk] for pk in page.object_list if pk in rows]
    for response in page:
        if bound is not None and bound[0] == response.pk:
            response.form = bound[1]
        else:
            response.form = AnswerForm(auto_id=f"id_answer_{response.pk}_%s")
    return {
        "process": process,
        "page": page,
        "unanswered": unanswered_contests(process),
        "answer_field": AnswerForm.base_fields["answer"],
    }


@require_safe
@login_required
def contests(request: HttpRequest, slug: str) -> HttpResponse:
    """The contest queue: every contested decision, unanswered first, oldest first, each with its answer form."""
    process = get_organised_process(request, slug)
    return render(request, "dispositions/contests.html", _contests_context(process, request.GET.get("page")))


@require_POST
@login_required
def contest_answer_view(request: HttpRequest, slug: str, response_pk: int) -> HttpResponse:
    process = get_organised_process(request, slug)
    response = get_object_or_404(Response.objects.for_process(process).contests(), pk=response_pk)
    form = AnswerForm(request.POST, auto_id=f"id_answer_{response.pk}_%s")
    if form.is_valid():
        try:
            contest_answer(response=response, actor=request.user, answer=form.cleaned_data["answer"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            reference = response.revision.submission.reference
            messages.success(request, _("Your answer to %(reference)s is published.") % {"reference": reference})
            return redirect("dispositions:contests", slug=process.slug)
    context = _contests_context(process, request.GET.get("page"), bound=(response.pk, form))
    return render(request, "dispositions/contests.html", context, status=400)
