"""Reads for the mapping report's lists. The counts live in indicators.py.

Everything is computed against one version (``report_version``): a link counts for the clause of that
version that carries its permanent identity (or the identity it was merged into), and only while its
submission is reflected, which the services keep true only when every link is confirmed there.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, F, Prefetch, Q, QuerySet, Window
from django.db.models.functions import Coalesce, RowNumber
from django.urls import reverse

from traceability.consultations.content_languages import NOT_RECORDED
from traceability.consultations.models import CommentRound, HistoryHead, Process, Submission, SubmissionStatus
from traceability.dispositions.models import ClauseLink, ExclusionGround, Extent
from traceability.dispositions.selectors import annotate_states, with_current_clause
from traceability.outcomes.models import Clause, DocumentVersion

from .caching import current, process_figures, process_key, remake
from .models import LanguageTally


def history_head(process: Process) -> HistoryHead | None:
    """The head of the process's history chain (``None`` before its first event or decision): one query, or none
    for a process read with ``select_related("history_head")``."""
    relation = Process.history_head.related
    if relation.is_cached(process):
        return relation.get_cached_value(process)
    return HistoryHead.objects.filter(process=process).first()


def report_version(process: Process) -> DocumentVersion | None:
    """The version the report maps against: the adopted final text, else the newest adopted version."""
    return DocumentVersion.objects.report_version_for(process)


def current_links(process: Process) -> QuerySet[ClauseLink]:
    """The links of every submission's current decision."""
    return ClauseLink.objects.filter(revision__current_of__submission__process=process)


def uptake_links(process: Process) -> QuerySet[ClauseLink]:
    """Current links that count as uptake: their submission is reflected (every link confirmed)."""
    return current_links(process).filter(revision__current_of__submission__status=SubmissionStatus.REFLECTED)


def report_submissions(process: Process, version: DocumentVersion | None = None) -> QuerySet[Submission]:
    links = with_current_clause(ClauseLink.objects.select_related("clause__version"), version).order_by(
        "clause__position", "pk"
    )
    return (
        Submission.objects.for_process(process)
        .select_related("process", "stakeholder_group", "disposition__revision", "target")
        .prefetch_related(Prefetch("disposition__revision__links", queryset=links, to_attr="current_links"))
        .order_by("number")
    )


def process_and_round(process_id: int, round_number: int | None) -> tuple[Process, CommentRound | None] | None:
    """A background task's process and comment round (``None``: the whole process), or ``None`` when either is
    gone since the task was queued."""
    process = Process.objects.filter(pk=process_id).first()
    if process is None or round_number is None:
        return None if process is None else (process, None)
    comment_round = CommentRound.objects.filter(process=process, number=round_number).first()
    return None if comment_round is None else (process, comment_round)


def language_counts(process: Process) -> dict[str, int]:
    """Submissions whose words are public, per language ("" for not recorded), from the process's language tally:
    one indexed read of a few rows, never a scan of the submissions."""
    rows = LanguageTally.objects.filter(process=process, n__gt=0).values_list("language", "n")
    return dict(rows.order_by())


def filtered_total(
    indicators: object, filters: dict | None, *, filtering: bool, languages: dict[str, int] | None = None
) -> int | None:
    """How many submissions the report's list holds, when the figures already on the page say it (no filter, or
    only round, group, status and ground from the indicators; only a language from ``languages``, the language
    tally), else ``None``: the list never counts its rows."""
    if not filtering:
        return indicators.totals.submitted + indicators.totals.withdrawn
    if filters is None:
        return 0  # a filter value not understood matches nothing
    if filters["written_in"]:
        alone = not any(filters[name] for name in ("q", "country", "clause", "round", "group", "status", "ground"))
        if not alone or languages is None:
            return None
        return languages.get("" if filters["written_in"] == NOT_RECORDED else filters["written_in"], 0)
    if filters["q"] or filters["country"] or filters["clause"]:
        return None
    counts = indicators.totals
    if filters["group"]:
        counts = next((row.counts for row in indicators.groups if row.pk == filters["group"].pk), None)
        if counts is None:
            return None
    status, ground = filters["status"], filters["ground"]
    if ground:
        if status and status != SubmissionStatus.EXCLUDED:
            return 0
        return counts.excluded_legal if ground == ExclusionGround.LEGAL else counts.excluded_morality
    by_status = {
        "": counts.submitted + counts.withdrawn,
        SubmissionStatus.PENDING: counts.pending,
        SubmissionStatus.REFLECTED: counts.reflected,
        SubmissionStatus.EXCLUDED: counts.excluded,
        SubmissionStatus.NOT_TAKEN_UP: counts.not_taken_up,
        SubmissionStatus.NEEDS_RECONFIRMATION: counts.reconfirm,
        SubmissionStatus.WITHDRAWN: counts.withdrawn,
    }
    return by_status.get(status)


def state_links(submissions: list[Submission]) -> None:
    """Give each submission ``links``: its current links with their state in the report's version."""
    for submission in submissions:
        disposition = getattr(submission, "disposition", None)
        submission.links = annotate_states(disposition.revision.current_links) if disposition else []


SAMPLE_PER_CLAUSE = 12
CLAUSE_CACHE_SECONDS = 24 * 3600


@dataclass
class ClauseGroup:
    name: str
    count: int
    sample: list[SampleLink]


def _effective(links: QuerySet[ClauseLink]) -> QuerySet[ClauseLink]:
    return links.annotate(effective=Coalesce("identity__merged_into", "identity"))


def clause_counts(process: Process, identity_ids: list[int] | None = None) -> dict[int, dict[str, int]]:
    """Per permanent identity: uptake links in full and in part, and distinct stakeholder groups (one query)."""
    links = _effective(uptake_links(process))
    if identity_ids is not None:
        links = links.filter(effective__in=identity_ids)
    rows = links.values("effective").annotate(
        full=Count("pk", filter=Q(extent=Extent.FULL)),
        partial=Count("pk", filter=Q(extent=Extent.PARTIAL)),
        groups=Count("revision__submission__stakeholder_group", distinct=True),
    )
    return {row["effective"]: row for row in rows.order_by()}


def report_clauses(version: DocumentVersion) -> QuerySet[Clause]:
    return Clause.objects.filter(version=version).order_by("position")


@dataclass(frozen=True)
class SampleLink:
    """One submission reflected in a clause, as the report lists it (plain values: it is cached)."""

    reference: str
    slug: str
    extent: str

    def get_absolute_url(self) -> str:
        return reverse("reports:submission-trace", kwargs={"slug": self.slug, "reference": self.reference})

    def get_extent_display(self) -> str:
        return str(Extent(self.extent).label) if self.extent in Extent.values else self.extent


def _clause_groups_uncached(
    process: Process, ids: list[int], comment_round: CommentRound | None
) -> tuple[dict[int, dict[int, int]], dict[int, dict[int, list[SampleLink]]]]:
    links = uptake_links(process)
    if comment_round is not None:
        links = links.filter(revision__submission__round=comment_round)
    counts = (
        _effective(links)
        .filter(effective__in=ids)
        .values("effective", "revision__submission__stakeholder_group_id")
        # Submissions, not links: one linked to two clauses that a new version merged counts once.
        .annotate(n=Count("revision__submission", distinct=True))
        .order_by()
    )
    per_clause: dict[int, dict[int, int]] = {}
    for row in counts:
        per_clause.setdefault(row["effective"], {})[row["revision__submission__stakeholder_group_id"]] = row["n"]
    # A window per clause keeps the sample small however many submissions a clause reflects.
    sample = (
        _effective(links)
        .filter(effective__in=ids)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("effective")],
                order_by=[F("revision__submission__stakeholder_group__position"), F("revision__submission__number")],
            )
        )
        .filter(rank__lte=SAMPLE_PER_CLAUSE)
        .values_list(
            "effective", "revision__submission__stakeholder_group_id", "revision__submission__reference", "extent"
        )
    )
    samples: dict[int, dict[int, list[SampleLink]]] = {}
    seen: set[tuple[int, str]] = set()
    for effective, group, reference, extent in sample:
        # Counted once above, listed once here: a submission linked to two clauses a new version merged.
        if (effective, reference) in seen:
            continue
        seen.add((effective, reference))
        samples.setdefault(effective, {}).setdefault(group, []).append(SampleLink(reference, process.slug, extent))
    return per_clause, samples


def group_clause_links(
    process: Process, clauses: list[Clause], groups: list[tuple[int, str]], comment_round: CommentRound | None = None
) -> None:
    """Give each clause ``link_count``, ``more`` and ``by_group``: per stakeholder group (in ``groups`` order),
    how many reflected submissions it reflects and a sample of their links (of one round's submissions, if given).

    Two queries on a cache miss, whatever the number of links, and one cache read otherwise: the figures change
    only with a decision (which bumps ``stats_version``), never with a filing. Their cost grows with the process's
    links (seconds at a million decided submissions), so the first view after each decision pays it once for all
    readers."""
    ids = [clause.identity_id for clause in clauses]
    scope = comment_round.number if comment_round is not None else "all"
    digest = hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest()[:16]
    key = process_key(process, "clause-groups", "v4", scope, digest)
    per_clause, samples = current(
        key, process.stats_version, lambda: _clause_groups_uncached(process, ids, comment_round), CLAUSE_CACHE_SECONDS
    )
    for clause in clauses:
        clause_counts_ = per_clause.get(clause.identity_id, {})
        clause_sample = samples.get(clause.identity_id, {})
        clause.link_count = sum(clause_counts_.values())
        clause.by_group = [
            ClauseGroup(name, clause_counts_[pk], clause_sample.get(pk, []))
            for pk, name in groups
            if clause_counts_.get(pk)
        ]
        clause.more = clause.link_count - sum(len(v) for v in clause_sample.values())


SAMPLE_PER_ROW = 8


def _linked_uncached(process: Process, ids: list[int]) -> tuple[dict[int, int], dict[int, list[str]]]:
    links = _effective(
        current_links(process)
        .exclude(revision__submission__status=SubmissionStatus.WITHDRAWN)
        .filter(Q(identity__in=ids) | Q(identity__merged_into__in=ids))
    )
    counts = {row["effective"]: row["n"] for row in links.values("effective").annotate(n=Count("pk")).order_by()}
    sample = (
        links.annotate(
            rank=Window(RowNumber(), partition_by=[F("effective")], order_by=[F("revision__submission__number")])
        )
        .filter(rank__lte=SAMPLE_PER_ROW)
        .values_list("effective", "revision__submission__reference")
    )
    by_identity: dict[int, list[str]] = {}
    for identity, reference in sample:
        by_identity.setdefault(identity, []).append(reference)
    return counts, by_identity


def _redline_key(process: Process, ids: list[int]) -> str:
    digest = hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest()[:16]
    return process_key(process, "redline-links", "v2", digest)


def remake_redline_links(process_id: int, ids: list[int]) -> bool:
    """Read the links of the identities ``ids`` again and keep them (``submissions_by_identity``' background
    task). False when the process is gone."""
    process = Process.objects.filter(pk=process_id).first()
    if process is None:
        return False
    remake(
        _redline_key(process, ids), process.stats_version, lambda: _linked_uncached(process, ids), CLAUSE_CACHE_SECONDS
    )
    return True


def submissions_by_identity(process: Process, rows: list) -> datetime | None:
    """Give each redline row ``linked`` (submissions whose current decision links one of the row's
    identities: they drove or followed the change) and ``commented`` (submissions filed on one of them),
    each a sample with a count.

    The linked part reads every current link of the page's clauses (seconds at a million decided submissions),
    so it is kept per ``stats_version``: links change only with a decision, a withdrawal or an edit, which bump
    it, never with a filing. After one, the links as they were are used while a background task reads them
    again: the time they were read is returned (``None`` when current). The commented part is two indexed
    queries, read live (filings add to it)."""
    from .tasks import enqueue_figures, refresh_redline_links

    ids = sorted({identity for row in rows for identity in row.identity_ids})
    (linked_counts, by_linked), as_of = process_figures(
        process,
        _redline_key(process, ids),
        lambda: _linked_uncached(process, ids),
        CLAUSE_CACHE_SECONDS,
        refresh=lambda: enqueue_figures(refresh_redline_links, process.pk, ids),
    )
    comments = Submission.objects.for_process(process).active().filter(target__in=ids).order_by()
    commented_counts = {row["target"]: row["n"] for row in comments.values("target").annotate(n=Count("*")).order_by()}
    commented_sample = (
        comments.annotate(rank=Window(RowNumber(), partition_by=[F("target")], order_by=[F("number")]))
        .filter(rank__lte=SAMPLE_PER_ROW)
        .values_list("target", "reference")
    )
    by_commented: dict[int, list[str]] = {}
    for identity, reference in commented_sample:
        by_commented.setdefault(identity, []).append(reference)
    for row in rows:
        row.linked = sorted({ref for i in row.identity_ids for ref in by_linked.get(i, [])})
        row.linked_count = sum(linked_counts.get(i, 0) for i in row.identity_ids)
        row.commented = sorted({ref for i in row.identity_ids for ref in by_commented.get(i, [])})
        row.commented_count = sum(commented_counts.get(i, 0) for i in row.identity_ids)
    return as_of
