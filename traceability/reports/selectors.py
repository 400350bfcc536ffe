"""Reads for the mapping report's lists. The counts live in indicators.py."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet

from traceability.consultations.models import Process, Submission
from traceability.dispositions.models import ClauseLink
from traceability.dispositions.selectors import with_status
from traceability.outcomes.models import Clause, DocumentVersion


def report_submissions(process: Process) -> QuerySet[Submission]:
    links = ClauseLink.objects.select_related("clause").order_by("clause__position")
    return (
        with_status(Submission.objects.for_process(process))
        .select_related("process", "stakeholder_group", "disposition")
        .prefetch_related(Prefetch("disposition__links", queryset=links))
        .order_by("number")
    )


SAMPLE_PER_CLAUSE = 12


def report_clauses(version: DocumentVersion) -> QuerySet[Clause]:
    """Clauses of ``version`` with their count of active links and the first few of them.

    Only a sample of links is loaded per clause (a window-function prefetch), so a clause
    that reflects thousands of submissions costs no more than one that reflects a dozen;
    the report links to the full, filtered list.
    """
    active = Q(disposition__submission__withdrawn_at__isnull=True)
    links = (
        ClauseLink.objects.filter(active)
        .select_related("disposition__submission__stakeholder_group", "disposition__submission__process")
        .order_by("disposition__submission__stakeholder_group__position", "disposition__submission__number")
    )
    return (
        Clause.objects.filter(version=version)
        .annotate(link_count=Count("links", filter=Q(links__disposition__submission__withdrawn_at__isnull=True)))
        .prefetch_related(Prefetch("links", queryset=links[:SAMPLE_PER_CLAUSE], to_attr="sample_links"))
        .order_by("position")
    )


@dataclass
class ClauseGroup:
    name: str
    count: int
    sample: list[ClauseLink]


def group_clause_links(clauses: list[Clause], groups: list[tuple[int, str]]) -> None:
    """Give each clause ``by_group``: per stakeholder group (in ``groups`` order), its count of
    links and those of the sampled links that belong to it. One aggregate query for the page."""
    counts = (
        ClauseLink.objects.filter(clause__in=clauses, disposition__submission__withdrawn_at__isnull=True)
        .values("clause_id", "disposition__submission__stakeholder_group_id")
        .annotate(n=Count("pk"))
    )
    per_clause: dict[int, dict[int, int]] = {}
    for row in counts:
        per_clause.setdefault(row["clause_id"], {})[row["disposition__submission__stakeholder_group_id"]] = row["n"]
    for clause in clauses:
        sample: dict[int, list[ClauseLink]] = {}
        for link in clause.sample_links:
            sample.setdefault(link.disposition.submission.stakeholder_group_id, []).append(link)
        clause_counts = per_clause.get(clause.pk, {})
        clause.by_group = [
            ClauseGroup(name, clause_counts[pk], sample.get(pk, [])) for pk, name in groups if clause_counts.get(pk)
        ]
        clause.more = clause.link_count - len(clause.sample_links)


def report_version(process: Process) -> DocumentVersion | None:
    """The version the report maps against: the newest one, which the workspace links to."""
    return DocumentVersion.objects.latest_for(process)
