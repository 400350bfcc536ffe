"""Reads for the mapping report. Every count is one SQL aggregate."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet

from traceability.consultations.models import Process, StakeholderGroup, Submission
from traceability.dispositions.models import ClauseLink, DispositionKind, ExclusionGround, Extent
from traceability.dispositions.selectors import with_status
from traceability.outcomes.models import Clause, DocumentVersion

ACTIVE = Q(submissions__withdrawn_at__isnull=True)
COUNT_FIELDS = (
    "submitted",
    "reflected_full",
    "reflected_partial",
    "excluded_legal",
    "excluded_morality",
    "pending",
    "withdrawn",
)


def group_counts(process: Process) -> QuerySet[StakeholderGroup]:
    """Per stakeholder group: submitted, reflected (full/partial), excluded per ground, pending (one query)."""
    disposition = "submissions__disposition__"
    return StakeholderGroup.objects.filter(process=process).annotate(
        submitted=Count("submissions", filter=ACTIVE),
        reflected_full=Count(
            "submissions",
            filter=ACTIVE & Q(**{disposition + "kind": DispositionKind.REFLECTED, disposition + "extent": Extent.FULL}),
        ),
        reflected_partial=Count(
            "submissions",
            filter=ACTIVE
            & Q(**{disposition + "kind": DispositionKind.REFLECTED, disposition + "extent": Extent.PARTIAL}),
        ),
        excluded_legal=Count(
            "submissions",
            filter=ACTIVE
            & Q(**{disposition + "kind": DispositionKind.EXCLUDED, disposition + "ground": ExclusionGround.LEGAL}),
        ),
        excluded_morality=Count(
            "submissions",
            filter=ACTIVE
            & Q(
                **{
                    disposition + "kind": DispositionKind.EXCLUDED,
                    disposition + "ground": ExclusionGround.PUBLIC_MORALITY,
                }
            ),
        ),
        pending=Count("submissions", filter=ACTIVE & Q(submissions__disposition__isnull=True)),
        withdrawn=Count("submissions", filter=Q(submissions__withdrawn_at__isnull=False)),
    )


@dataclass
class Totals:
    submitted: int = 0
    reflected_full: int = 0
    reflected_partial: int = 0
    excluded_legal: int = 0
    excluded_morality: int = 0
    pending: int = 0
    withdrawn: int = 0

    @classmethod
    def of(cls, groups: list[StakeholderGroup]) -> Totals:
        # Sums over the handful of group rows, not over submissions.
        return cls(**{name: sum(getattr(group, name) for group in groups) for name in COUNT_FIELDS})

    @property
    def dispositioned(self) -> int:
        return self.submitted - self.pending


def report_submissions(process: Process) -> QuerySet[Submission]:
    links = ClauseLink.objects.select_related("clause").order_by("clause__position")
    return (
        with_status(Submission.objects.for_process(process))
        .select_related("process", "stakeholder_group", "disposition")
        .prefetch_related(Prefetch("disposition__links", queryset=links))
        .order_by("number")
    )


def report_clauses(version: DocumentVersion) -> QuerySet[Clause]:
    links = (
        ClauseLink.objects.filter(disposition__submission__withdrawn_at__isnull=True)
        .select_related("disposition__submission__stakeholder_group", "disposition__submission__process")
        .order_by("disposition__submission__stakeholder_group__position", "disposition__submission__number")
    )
    return (
        Clause.objects.filter(version=version)
        .annotate(link_count=Count("links", filter=Q(links__disposition__submission__withdrawn_at__isnull=True)))
        .prefetch_related(Prefetch("links", queryset=links, to_attr="active_links"))
        .order_by("position")
    )


def report_version(process: Process) -> DocumentVersion | None:
    """The version the report maps against: the newest one, which the workspace links to."""
    return DocumentVersion.objects.latest_for(process)
