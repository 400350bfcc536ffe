from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.messages import get_messages
from django.core.paginator import Paginator
from django.db.models import OuterRef, Subquery
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers
from django.utils.http import content_disposition_header
from django.utils.translation import get_language
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST, require_safe

from traceability import languages
from traceability.consultations.access import get_visible_process
from traceability.consultations.content_languages import NOT_RECORDED
from traceability.consultations.keyset import PARAMETERS, cursor_from, keyset_page, other_parameters
from traceability.consultations.models import CommentRound, Process, Submission
from traceability.dispositions.forms import STATUS_CHOICES, ResponseForm
from traceability.dispositions.selectors import decision_trail
from traceability.outcomes.models import Clause, DocumentVersion
from traceability.outcomes.redline import word_diff
from traceability.outcomes.selectors import compare_rows

from .caching import current_many, lookup, process_key, store
from .cards import DEFINITIONS, evenness_cards, indicator_cards, interaction_as_of
from .charts import group_bars
from .clause_table import clause_table as clause_table_html
from .forms import GROUND_CHOICES, CompareForm, ReportFilterForm, VerifyReceiptForm
from .indicators import Indicators, indicators_for
from .panels import report_panels
from .personal_data import personal_data
from .ratio import SMALL_N
from .selectors import (
    filtered_total,
    history_head,
    language_counts,
    report_clauses,
    report_submissions,
    report_version,
    state_links,
    submissions_by_identity,
)

# The addresses kept: the report as a link or the sections' filters give it, with no parameter or one status or
# ground from their fixed lists, or one of the interface's languages (or "not recorded") as the language written in.
# Every other address (a search, a page of the list, a filter by group, country, clause, round or any other of the
# hundred languages a text may be in) is rendered each time: the kept ones stay a handful per process and page
# language, whatever anyone asks, and cannot crowd the cache out.
_SHARED_QUERIES = {
    "status": {value for value, _label in STATUS_CHOICES if value},
    "ground": {value for value, _label in GROUND_CHOICES if value},
    "written_in": {*languages.offered(), NOT_RECORDED},
}


def _page_version(process: Process, head: object = None) -> tuple[int, int, int]:
    """What every change the report shows moves: a decision, a withdrawal, an edit, a new version or round
    (``stats_version``), a filing (``last_number``) and a publication or any other entry of the history chain
    (``head``, the process's history head when already read)."""
    head = head if head is not None else history_head(process)
    return (process.stats_version, process.last_number, head.entries if head is not None else 0)


def _report_fragments(
    process: Process, indicators: Indicators, comment_round: CommentRound | None, version: tuple[int, int, int]
) -> tuple[str, str]:
    """The report's figures by indicator and group, and by country, as HTML: the same whatever the list between
    them shows (a search, a filter, a page), so rendered once per version of the data, page language and round and
    kept in the shared cache (most of a filtered report's rendering: the country table alone is a row per country).
    Rendered without the request, like the clause table: nothing of the reader enters what every reader gets."""
    scope = comment_round.pk if comment_round is not None else "all"
    context = {
        "process": process,
        "indicators": indicators,
        "cards": indicator_cards(indicators),
        "evenness": evenness_cards(indicators),
        "interaction_as_of": interaction_as_of(indicators),
        "flagged": _flagged(indicators),
        "totals": indicators.totals,
        "small_n": SMALL_N,
    }
    names = ("summary", "countries")
    keys = [process_key(process, f"report-{name}", "v1", process.slug, scope, get_language()) for name in names]
    kept = current_many(
        {
            key: (lambda name=name: render_to_string(f"reports/includes/{name}.html", context))
            for key, name in zip(keys, names, strict=True)
        },
        # Rendered with an interaction read before the last decisions, it is not what the next reader (after the
        # background task) must get at the same version.
        (*version, indicators.interaction_as_of),
        settings.TRACE_REPORT_PAGE_SECONDS,
    )
    summary, countries = (kept[key] for key in keys)
    return summary, countries


def _shared_page_key(request: HttpRequest, process: Process) -> str | None:
    """The cache key of this page if every anonymous reader gets the same page for this address, else ``None``."""
    if not settings.TRACE_REPORT_PAGE_SECONDS or request.user.is_authenticated:
        return None
    query = request.GET
    if len(query) > 1 or any(len(query.getlist(name)) > 1 for name in query):
        return None
    if query:
        ((name, value),) = query.items()
        if value not in _SHARED_QUERIES.get(name, ()):
            return None
    # A message for this reader (queued by this request, as the idle sign-out does, or waiting from an earlier
    # one): counted without being consumed.
    if len(get_messages(request)):
        return None
    return process_key(process, "report-page", "v3", process.slug, get_language(), query.urlencode())


@require_safe
def report(request: HttpRequest, slug: str) -> HttpResponse:
    # With the head of its history chain (part of the page's version, and shown on it): one query for both.
    process = get_object_or_404(Process.objects.visible().select_related("history_head"), slug=slug)
    key = _shared_page_key(request, process)
    if key is None:
        return _render_report(request, process)
    version = _page_version(process)
    html = lookup(key, version)
    if html is None:
        rendered = _render_report(request, process)
        html = rendered.content.decode()
        if not rendered.partly_older:
            store(key, version, html, settings.TRACE_REPORT_PAGE_SECONDS)
    response = HttpResponse(html)
    patch_vary_headers(response, ["Cookie"])  # a signed-in reader gets another page: no shared cache may mix them
    return response


def _render_report(request: HttpRequest, process: Process) -> HttpResponse:
    version = report_version(process)
    if version is not None:
        version.process = process  # its links name the process: no second read of it
    # Every clause of the version, once: the "by clause" pages and the clause filter's choices both come from it
    # (a document has hundreds of clauses, not millions: its size, not the process's, bounds this).
    all_clauses = list(report_clauses(version)) if version else []
    clauses = Clause.objects.filter(version=version).linkable() if version else Clause.objects.none()
    rounds = CommentRound.objects.filter(process=process).order_by("number")
    filters = ReportFilterForm(request.GET or None, groups=process.groups.all(), clauses=clauses, rounds=rounds)
    submissions = report_submissions(process, version)
    filtering = bool(set(request.GET) - {"cpage", *PARAMETERS})
    comment_round = None
    if filters.is_valid():
        submissions = filters.apply(submissions)
        comment_round = filters.cleaned_data["round"]
    elif filtering:
        # Unknown filter values match nothing; the form says which value was not understood.
        submissions = submissions.none()
    indicators = indicators_for(process, comment_round)
    by_language = language_counts(process)
    size = settings.TRACE_PAGE_SIZE
    total = filtered_total(
        indicators, filters.cleaned_data if filters.is_valid() else None, filtering=filtering, languages=by_language
    )
    page = keyset_page(submissions, cursor=cursor_from(request.GET, size=size), size=size, total=total)
    state_links(page.rows)

    groups = [(group.pk, group.label) for group in indicators.groups]
    # The filter's lists, from rows already read (validating a submitted value still asks the database).
    filters.show_choices(
        groups=groups, clauses=[clause for clause in all_clauses if clause.linkable], languages=sorted(by_language)
    )
    clause_page = clause_table = clause_table_as_of = None
    if version:
        clause_page = Paginator(all_clauses, settings.TRACE_PAGE_SIZE).get_page(request.GET.get("cpage"))
        clause_table, clause_table_as_of = clause_table_html(process, version, clause_page, groups, comment_round)
    clause_query = request.GET.copy()
    clause_query.pop("cpage", None)
    head = history_head(process)
    summary_html, countries_html = _report_fragments(process, indicators, comment_round, _page_version(process, head))
    response = render(
        request,
        "reports/report.html",
        {
            "process": process,
            "indicators": indicators,
            "summary_html": summary_html,
            "countries_html": countries_html,
            "totals": indicators.totals,
            "chart": group_bars(indicators.groups),
            "filters": filters,
            "filtering": filtering,
            "comment_round": comment_round,
            "page": page,
            "version": version,
            "clause_page": clause_page,
            "querystring": other_parameters(request.GET),
            "clause_querystring": clause_query.urlencode(),
            "panels": report_panels(process, process.stats_version),
            "history_head": head,
            "clause_table": clause_table,
            "clause_table_as_of": clause_table_as_of,
            "small_n": SMALL_N,
            # The site's own address, not the request's host: a kept page is the same whichever host served it.
            "printed_from": settings.SITE_URL + request.get_full_path(),
        },
    )
    # A page showing figures older than its data (while they are made again) is not kept for the next readers.
    response.partly_older = clause_table_as_of is not None or indicators.interaction_as_of is not None
    return response


def _flagged(indicators: Indicators) -> dict[str, bool]:
    """Which tables hold a rate on few cases, so that they explain the flag beside it."""
    groups = [group.counts for group in indicators.groups] + [indicators.totals]
    replies = [group.interaction for group in indicators.groups] + [indicators.interaction]
    return {
        "groups": any(counts.uptake.is_small for counts in groups),
        "interaction": any(i.replied_share.is_small for i in replies),
        "countries": any(country.counts.uptake.is_small for country in indicators.countries),
    }


@require_safe
def methodology(request: HttpRequest) -> HttpResponse:
    return render(request, "reports/methodology.html", {"definitions": DEFINITIONS, "small_n": SMALL_N})


@dataclass(frozen=True)
class Verification:
    """The outcome of checking a pasted text against the receipt (the text itself is not kept)."""

    matches: bool
    sha256: str


def _trace_subject(slug: str, reference: str) -> tuple[Process, DocumentVersion | None, Submission]:
    process = get_visible_process(slug)
    version = report_version(process)
    submissions = report_submissions(process, version).select_related("round", "disposition__duplicate_of")
    if version is not None:
        version.process = process  # its links name the process: no second read of it
        # The clause the submission comments on, as it is in the report's version, read with the submission: the
        # page costs the same queries whether it comments on a clause or not.
        target = Clause.objects.filter(version=version, identity_id=OuterRef("target_id"))
        submissions = submissions.annotate(
            target_clause_pk=Subquery(target.values("pk")[:1]),
            target_clause_eid=Subquery(target.values("eid")[:1]),
            target_clause_label=Subquery(target.values("label")[:1]),
        )
    submission = get_object_or_404(submissions, reference=reference)
    return process, version, submission


def _render_trace(
    request: HttpRequest,
    process: Process,
    version: DocumentVersion | None,
    submission: Submission,
    *,
    verify_form: VerifyReceiptForm | None = None,
    verification: Verification | None = None,
    status: int = 200,
) -> HttpResponse:
    state_links([submission])
    target_clause = None
    if submission.target_id and getattr(submission, "target_clause_pk", None) is not None:
        target_clause = Clause(
            pk=submission.target_clause_pk,
            version=version,
            identity_id=submission.target_id,
            eid=submission.target_clause_eid,
            label=submission.target_clause_label,
        )
    trail = decision_trail(submission, version)
    # The author may reply to the current decision while its window is open.
    reply_step = trail[-1] if trail and trail[-1].reply_open else None
    if reply_step is not None and request.user.pk != submission.author_id:
        reply_step = None
    return render(
        request,
        "reports/trace.html",
        {
            "process": process,
            "submission": submission,
            "version": version,
            "trail": trail,
            "target_clause": target_clause,
            "reply_step": reply_step,
            "reply_form": ResponseForm(initial={"revision": reply_step.revision.number}) if reply_step else None,
            "verify_form": verify_form or VerifyReceiptForm(),
            "verification": verification,
        },
        status=status,
    )


@require_safe
def submission_trace(request: HttpRequest, slug: str, reference: str) -> HttpResponse:
    process, version, submission = _trace_subject(slug, reference)
    return _render_trace(request, process, version, submission)


@require_POST
@sensitive_post_parameters("text")
def verify_receipt(request: HttpRequest, slug: str, reference: str) -> HttpResponse:
    """Anyone may check a text against the receipt's SHA-256; the trace page says whether it matches."""
    process, version, submission = _trace_subject(slug, reference)
    form = VerifyReceiptForm(request.POST)
    if submission.withheld:
        # Checking guesses against a withheld text would let anyone confirm what it says.
        return _render_trace(request, process, version, submission, status=403)
    if not form.is_valid():
        return _render_trace(request, process, version, submission, verify_form=form, status=400)
    pasted = form.cleaned_data["text"]
    verification = Verification(
        matches=submission.receipt_matches(pasted),
        sha256=Submission.hash_text(Submission.normalise_text(pasted)),
    )
    # A fresh form: the pasted text is not echoed back into the page.
    return _render_trace(request, process, version, submission, verification=verification)


@require_safe
def compare(request: HttpRequest, slug: str) -> HttpResponse:
    """The redline: two adopted versions clause by clause, word-level insertions and deletions, moved and
    renumbered clauses paired, and beside each changed clause the submissions linked to or commenting on it."""
    process = get_visible_process(slug)
    versions = list(DocumentVersion.objects.filter(process=process).adopted().order_by("number"))
    # Only "page" in the query: the default comparison (the newest two versions), on that page.
    form = CompareForm(request.GET if set(request.GET) - {"page"} else None, versions=versions)
    old = new = page = linked_as_of = None
    if form.is_valid():
        old, new = form.cleaned_data["old"], form.cleaned_data["new"]
    elif not set(request.GET) - {"page"} and len(versions) >= 2:
        old, new = versions[-2], versions[-1]
        form = CompareForm(initial={"old": old.number, "new": new.number}, versions=versions)
    if old is not None:
        rows = compare_rows(old, new)
        if not (form.is_bound and form.is_valid() and form.cleaned_data.get("all")):
            rows = [row for row in rows if row.changed]
        page = Paginator(rows, settings.TRACE_PAGE_SIZE).get_page(request.GET.get("page"))
        for row in page:
            before = "\n\n".join(f"{c.heading}\n{c.text}".strip() for c in row.old)
            after = f"{row.new.heading}\n{row.new.text}".strip() if row.new else ""
            row.diff = word_diff(before, after)
        linked_as_of = submissions_by_identity(process, list(page))
    query = request.GET.copy()
    query.pop("page", None)
    if old is not None and not query:
        query.update({"old": old.number, "new": new.number})
    return render(
        request,
        "reports/compare.html",
        {
            "process": process,
            "versions": versions,
            "form": form,
            "old": old,
            "new": new,
            "report_version": report_version(process),
            "page": page,
            "linked_as_of": linked_as_of,
            "querystring": query.urlencode(),
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


@require_safe
@login_required
def my_submissions(request: HttpRequest) -> HttpResponse:
    submissions = Submission.objects.by(request.user).select_related("process", "stakeholder_group")
    page = Paginator(submissions.order_by("-received_at", "-pk"), settings.TRACE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "reports/me.html", {"page": page})


@require_safe
@login_required
def my_data(request: HttpRequest) -> JsonResponse:
    """Everything Trace holds about the signed-in person, as a JSON download."""
    response = JsonResponse(personal_data(request.user), json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = content_disposition_header(True, "trace-my-data.json")
    response["Cache-Control"] = "private, no-store"
    return response
