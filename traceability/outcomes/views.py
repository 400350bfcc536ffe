from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from traceability.consultations.access import get_organised_process, get_visible_process
from traceability.consultations.models import CommentRound
from traceability.consultations.services import round_close, round_extend, round_open

from .forms import ImportForm
from .models import Clause, ClauseMatch, DocumentVersion, MatchRelation
from .parsing import DocumentError
from .redline import word_diff
from .services import NothingToImport, match_correct, version_discard, version_import
from .workspace_forms import MatchCorrectionForm, MatchFilterForm, RoundOpenForm


@require_safe
def document(request: HttpRequest, slug: str) -> HttpResponse:
    process = get_visible_process(slug)
    versions = list(
        DocumentVersion.objects.filter(process=process)
        .adopted()
        .only("id", "number", "label", "status", "created_at", "title", "process_id")
    )
    version = versions[0] if versions else None
    wanted = request.GET.get("version", "")
    if wanted:
        version = next((v for v in versions if str(v.number) == wanted), None)
        if version is None:
            return render(
                request,
                "outcomes/document.html",
                {"process": process, "versions": versions, "missing": wanted},
                status=404,
            )
    clauses = version.clauses.all() if version else []
    # "Comment on this paragraph" beside the newest text, while the process (or a round) takes submissions.
    commenting = version is not None and version == versions[0] and process.is_open()
    return render(
        request,
        "outcomes/document.html",
        {
            "process": process,
            "versions": versions,
            "version": version,
            "clauses": clauses,
            "commenting": commenting,
        },
    )


@login_required
def import_version(request: HttpRequest, slug: str) -> HttpResponse:
    process = get_organised_process(request, slug)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            version = version_import(
                process=process,
                source=form.cleaned_data["source"],
                label=form.cleaned_data["label"],
                status=form.cleaned_data["status"],
                created_by=request.user,
            )
        except NothingToImport as error:
            messages.info(request, str(error))
            return redirect("dispositions:workspace", slug=process.slug)
        except DocumentError as error:
            form.add_error(None, str(error))
        else:
            count = len(form.parsed.clauses)
            if version.is_adopted:
                messages.success(
                    request, _("Imported %(label)s with %(count)d clauses.") % {"label": version.label, "count": count}
                )
                return redirect("outcomes:document", slug=process.slug)
            messages.success(
                request,
                _("Imported %(label)s with %(count)d clauses. Review how they match the version before, then adopt it.")
                % {"label": version.label, "count": count},
            )
            return redirect("outcomes:matching", slug=process.slug, number=version.number)
    return render(request, "outcomes/import.html", {"process": process, "form": form})


def _pending_version(process, number: int) -> DocumentVersion:  # type: ignore[no-untyped-def]
    return get_object_or_404(DocumentVersion, process=process, number=number)


@require_safe
@login_required
def matching(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """One page to review the proposed matching of a new version, correct it row by row, and adopt it."""
    process = get_organised_process(request, slug)
    version = _pending_version(process, number)
    filters = MatchFilterForm(request.GET or None)
    show_all = filters.is_valid() and filters.cleaned_data["show"] == "all"
    clauses = Clause.objects.filter(version=version)
    if not show_all:
        changed = ClauseMatch.objects.filter(version=version).exclude(relation=MatchRelation.UNCHANGED)
        clauses = clauses.filter(pk__in=changed.filter(clause__isnull=False).values("clause_id"))
    edges = ClauseMatch.objects.select_related("previous").order_by("previous__position")
    clauses = clauses.prefetch_related(Prefetch("matched_from", queryset=edges, to_attr="edges")).order_by("position")
    page = Paginator(clauses, settings.TRACE_PAGE_SIZE).get_page(request.GET.get("page"))
    for clause in page:
        clause.form = MatchCorrectionForm(
            initial={
                "previous": ", ".join(edge.previous.label for edge in clause.edges if edge.previous_id),
                "editorial": any(edge.editorial for edge in clause.edges),
            },
            auto_id=f"match-{clause.pk}-%s",
        )
        clause.relation = clause.edges[0].get_relation_display() if clause.edges else ""
        old = "\n\n".join(f"{e.previous.heading}\n{e.previous.text}".strip() for e in clause.edges if e.previous_id)
        clause.diff = word_diff(old, f"{clause.heading}\n{clause.text}".strip()) if old else []
    removed = ClauseMatch.objects.filter(version=version, relation=MatchRelation.REMOVED).select_related("previous")
    counts = {
        row["relation"]: row["n"]
        for row in ClauseMatch.objects.filter(version=version).values("relation").annotate(n=Count("pk")).order_by()
    }
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "outcomes/matching.html",
        {
            "process": process,
            "version": version,
            "filters": filters,
            "page": page,
            "removed": removed[:200],
            "removed_count": counts.get(MatchRelation.REMOVED, 0),
            "counts": [(label, counts.get(value, 0)) for value, label in MatchRelation.choices],
            "querystring": query.urlencode(),
        },
    )


@require_POST
@login_required
def match_update(request: HttpRequest, slug: str, number: int, clause_pk: int) -> HttpResponse:
    process = get_organised_process(request, slug)
    version = _pending_version(process, number)
    clause = get_object_or_404(Clause, pk=clause_pk, version=version)
    form = MatchCorrectionForm(request.POST)
    failed = True
    if form.is_valid():
        try:
            match_correct(
                version=version,
                clause=clause,
                previous_labels=form.cleaned_data["previous"],
                editorial=form.cleaned_data["editorial"],
                actor=request.user,
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, _("Clause %(label)s: %(error)s") % {"label": clause.label, "error": message})
        else:
            failed = False
            messages.success(request, _("Clause %(label)s: match corrected.") % {"label": clause.label})
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, _("Clause %(label)s: %(error)s") % {"label": clause.label, "error": message})
    back = reverse("outcomes:matching", kwargs={"slug": process.slug, "number": version.number})
    query = "&".join(
        f"{name}={value}"
        for name, value in (("show", form.data.get("show", "")), ("page", form.data.get("page", "")))
        if value in ("all",) or (name == "page" and value.isdigit())
    )
    # After an error, the top of the page, where the message is; after a correction, the row corrected.
    return redirect(f"{back}{'?' + query if query else ''}{'' if failed else f'#clause-{clause.pk}'}")


@require_POST
@login_required
def discard(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    process = get_organised_process(request, slug)
    version = _pending_version(process, number)
    try:
        version_discard(version=version, actor=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("outcomes:matching", slug=process.slug, number=number)
    messages.success(request, _("The imported version was discarded."))
    return redirect("dispositions:workspace", slug=process.slug)


@login_required
def round_open_view(request: HttpRequest, slug: str) -> HttpResponse:
    process = get_organised_process(request, slug)
    version = DocumentVersion.objects.latest_for(process)
    form = RoundOpenForm(request.POST or None)
    if version is None:
        messages.error(request, _("Import the outcome document before opening a comment round on it."))
        return redirect("dispositions:workspace", slug=process.slug)
    if request.method == "POST" and form.is_valid():
        try:
            comment_round = round_open(
                process=process, version=version, closes_at=form.cleaned_data["closes_at"], actor=request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Round %(number)d is open on %(label)s.") % {"number": comment_round.number, "label": version.label},
            )
            return redirect("dispositions:workspace", slug=process.slug)
    return render(request, "outcomes/round_open.html", {"process": process, "version": version, "form": form})


@login_required
def round_extend_view(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    process = get_organised_process(request, slug)
    comment_round = get_object_or_404(CommentRound, process=process, number=number)
    form = RoundOpenForm(request.POST or None, initial={"closes_at": comment_round.closes_at})
    form.fields["closes_at"].label = _("New closing time")
    form.fields["closes_at"].help_text = _(
        "Server time, later than the current closing time. Filings until then are taken."
    )
    if request.method == "POST" and form.is_valid():
        try:
            round_extend(comment_round=comment_round, closes_at=form.cleaned_data["closes_at"], actor=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Round %(number)d is extended.") % {"number": number})
            return redirect("dispositions:workspace", slug=process.slug)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "outcomes/round_extend.html", {"process": process, "round": comment_round, "form": form}, status=status
    )


@require_POST
@login_required
def round_close_view(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    process = get_organised_process(request, slug)
    comment_round = get_object_or_404(CommentRound, process=process, number=number)
    try:
        round_close(comment_round=comment_round, actor=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Round %(number)d is closed.") % {"number": number})
    return redirect("dispositions:workspace", slug=process.slug)
