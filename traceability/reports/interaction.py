"""After-consultation interaction: whether submitters answered the decisions back, and how contests were answered.

Two aggregate queries: the counts per stakeholder group, and the median wait for an answer (the middle one
or two rows of the answered contests ordered by their wait, read with OFFSET). Never a loop over rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from traceability.consultations.models import CommentRound, Process, SubmissionStatus
from traceability.dispositions.models import Response, ResponseKind

from .ratio import Ratio, days_display

NO_DECISION = _("no submission has a disposition yet")


@dataclass(frozen=True)
class Interaction:
    """How the submitters of one stakeholder group (or all) answered back.

    ``decided`` is the n of the first two shares: the submissions with a current decision. ``replied`` and
    ``contested`` count those of them whose submitter replied to (contested) any of its decisions; ``contests``
    counts contested decisions of submissions not withdrawn, ``answered`` those the organisers answered.
    """

    decided: int = 0
    replied: int = 0
    contested: int = 0
    contests: int = 0
    answered: int = 0
    median_days_to_answer: float | None = None

    @property
    def replied_share(self) -> Ratio:
        return Ratio(self.replied, self.decided, NO_DECISION)

    @property
    def contested_share(self) -> Ratio:
        return Ratio(self.contested, self.decided, NO_DECISION)

    @property
    def answered_share(self) -> Ratio:
        return Ratio(self.answered, self.contests, _("no decision was contested"))

    @property
    def median_display(self) -> str:
        if self.median_days_to_answer is None:
            return gettext("n/a")
        return days_display(self.median_days_to_answer)

    @property
    def median_missing(self) -> str:
        return "" if self.median_days_to_answer is not None else str(_("no contest was answered"))


COUNT_NAMES = ("replied", "contested", "contests", "answered")


def _responses(process: Process, comment_round: CommentRound | None):  # type: ignore[no-untyped-def]
    responses = Response.objects.for_process(process)
    if comment_round is not None:
        responses = responses.filter(revision__submission__round=comment_round)
    return responses


def counts_by_group(process: Process, comment_round: CommentRound | None = None) -> dict[int, dict[str, int]]:
    """Per stakeholder group id: replied, contested, contests, answered (one query, a row per group). Every
    count is over the submissions with a current decision, the n of the shares (a submission waiting for its
    links to be re-confirmed is counted again once they are), so the figures never contradict each other."""
    decided = Q(revision__submission__status__in=SubmissionStatus.decided())
    active = decided
    contest = Q(kind=ResponseKind.CONTEST)
    rows = (
        _responses(process, comment_round)
        .order_by()
        .values("revision__submission__stakeholder_group")
        .annotate(
            replied=Count("revision__submission", distinct=True, filter=decided),
            contested=Count("revision__submission", distinct=True, filter=decided & contest),
            contests=Count("pk", filter=active & contest),
            answered=Count("pk", filter=active & contest & Q(answered_at__isnull=False)),
        )
    )
    return {row["revision__submission__stakeholder_group"]: {name: row[name] for name in COUNT_NAMES} for row in rows}


def median_days_to_answer(process: Process, answered: int, comment_round: CommentRound | None = None) -> float | None:
    """The median, over the ``answered`` contests, of the days from the contest to the organisers' answer."""
    if answered == 0:
        return None
    waits = list(
        _responses(process, comment_round)
        .filter(
            kind=ResponseKind.CONTEST,
            answered_at__isnull=False,
            revision__submission__status__in=SubmissionStatus.decided(),
        )
        .annotate(wait=ExpressionWrapper(F("answered_at") - F("responded_at"), output_field=DurationField()))
        .order_by("wait", "pk")
        .values_list("wait", flat=True)[(answered - 1) // 2 : answered // 2 + 1]
    )
    days = [wait / timedelta(days=1) for wait in waits]
    return sum(days) / len(days)


def interaction(
    process: Process, decided_by_group: dict[int, int], comment_round: CommentRound | None = None
) -> tuple[Interaction, dict[int, Interaction]]:
    """The whole process's interaction and each group's (``decided_by_group``: dispositioned per group id)."""
    by_group = counts_by_group(process, comment_round)
    groups = {
        pk: Interaction(decided=decided, **by_group.get(pk, dict.fromkeys(COUNT_NAMES, 0)))
        for pk, decided in decided_by_group.items()
    }
    totals = {name: sum(getattr(group, name) for group in groups.values()) for name in COUNT_NAMES}
    overall = Interaction(
        decided=sum(decided_by_group.values()),
        median_days_to_answer=median_days_to_answer(process, totals["answered"], comment_round),
        **totals,
    )
    return overall, groups
