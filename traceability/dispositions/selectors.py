"""Reads about decisions: progress counts, the state of each link, the re-confirmation queue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from traceability.consultations.models import Process, Submission, SubmissionStatus
from traceability.outcomes.models import Clause, DocumentVersion

from .models import (
    ClauseLink,
    DecisionRevision,
    DraftDecision,
    ReplyState,
    Response,
    reply_deadline,
    reply_state,
)


def drafts_for(process: Process) -> QuerySet[DraftDecision]:
    """The decisions drafted in ``process`` and not released yet."""
    return DraftDecision.objects.filter(submission__process=process)


def progress(process: Process) -> dict[str, int]:
    """Active submissions, how many have a released decision, how many wait for re-confirmation, and how many
    have a drafted decision not yet released (one query, over the process's tally rows: see reports.tallies,
    which the database keeps; read through the reverse relation, so this app imports nothing above it)."""
    active = ~Q(status=SubmissionStatus.WITHDRAWN)
    return process.tallies.aggregate(
        total=Coalesce(Sum("n", filter=active), 0),
        dispositioned=Coalesce(Sum("n", filter=Q(status__in=SubmissionStatus.decided())), 0),
        reconfirm=Coalesce(Sum("n", filter=Q(status=SubmissionStatus.NEEDS_RECONFIRMATION)), 0),
        drafts=Coalesce(Sum("n", filter=active & Q(drafted=True)), 0),
    )


def progress_from_scan(process: Process) -> dict[str, int]:
    """``progress`` counted from the submissions (the reference the tallies are tested against)."""
    return (
        Submission.objects.filter(process=process)
        .active()
        .aggregate(
            total=Count("pk"),
            dispositioned=Count("pk", filter=Q(status__in=SubmissionStatus.decided())),
            reconfirm=Count("pk", filter=Q(status=SubmissionStatus.NEEDS_RECONFIRMATION)),
            drafts=Count("draft"),
        )
    )


class LinkState:
    CONFIRMED = "confirmed"
    SUSPECT = "suspect"
    REMOVED = "removed"


def _current_clause(version: DocumentVersion) -> QuerySet[Clause]:
    return Clause.objects.filter(
        version=version, identity_id=Coalesce(OuterRef("identity__merged_into"), OuterRef("identity"))
    )


def with_current_clause(links: QuerySet[ClauseLink], version: DocumentVersion | None) -> QuerySet[ClauseLink]:
    """Annotate each link with where its clause is in ``version`` (``now_pk``, ``now_label``, ``now_eid``,
    ``now_fingerprint``; all None when the clause was removed)."""
    if version is None:
        return links.annotate(now_pk=Subquery(Clause.objects.none().values("pk")))
    current = _current_clause(version)
    return links.annotate(
        now_pk=Subquery(current.values("pk")[:1]),
        now_label=Subquery(current.values("label")[:1]),
        now_eid=Subquery(current.values("eid")[:1]),
        now_fingerprint=Subquery(current.values("fingerprint")[:1]),
    )


def link_state(link: ClauseLink) -> str:
    if getattr(link, "now_pk", None) is None:
        return LinkState.REMOVED
    return LinkState.CONFIRMED if link.now_fingerprint == link.fingerprint else LinkState.SUSPECT


def annotate_states(links: list[ClauseLink]) -> list[ClauseLink]:
    for link in links:
        link.state = link_state(link)
        link.is_suspect = link.state == LinkState.SUSPECT
        link.is_removed = link.state == LinkState.REMOVED
    return links


def reconfirm_queue(process: Process, version: DocumentVersion | None) -> QuerySet[ClauseLink]:
    """The current links that need the organisers: suspect ones and those to removed clauses, by submission."""
    if version is None:
        return ClauseLink.objects.none()
    confirmed = _current_clause(version).filter(fingerprint=OuterRef("fingerprint"))
    return (
        with_current_clause(
            ClauseLink.objects.filter(
                revision__current_of__submission__process=process,
                revision__current_of__submission__status=SubmissionStatus.NEEDS_RECONFIRMATION,
            ),
            version,
        )
        .annotate(ok=Exists(confirmed))
        .filter(ok=False)
        .select_related("revision__submission__stakeholder_group", "clause__version")
        .order_by("revision__submission__number", "pk")
    )


@dataclass
class Trail:
    """One revision of a decision, with its links and where each clause is now, and the submitter's reply."""

    revision: DecisionRevision
    links: list[ClauseLink]
    response: Response | None = None
    reply: str = ReplyState.NO_REPLY
    deadline: datetime | None = None
    current: bool = False

    @property
    def reply_open(self) -> bool:
        return self.reply == ReplyState.OPEN


def decision_trail(
    submission: Submission, version: DocumentVersion | None, *, now: datetime | None = None
) -> list[Trail]:
    """Every revision of the submission's decision, oldest first, with where each linked clause is in ``version``
    and the exchange on it (the submitter's reply, the organisers' answer). Three queries whatever the number
    of revisions."""
    revisions = list(
        DecisionRevision.objects.filter(submission=submission)
        .select_related("version", "duplicate_of")
        .order_by("number")
    )
    links = with_current_clause(
        ClauseLink.objects.filter(revision__in=revisions).select_related("clause__version"), version
    ).order_by("revision_id", "clause__position", "pk")
    by_revision: dict[int, list[ClauseLink]] = {}
    for link in links:
        by_revision.setdefault(link.revision_id, []).append(link)
    responses = {response.revision_id: response for response in Response.objects.filter(revision__in=revisions)}
    window = submission.process.response_window_days
    trail = []
    for revision in revisions:
        current = revision is revisions[-1] and submission.is_decided()
        response = responses.get(revision.pk)
        trail.append(
            Trail(
                revision,
                annotate_states(by_revision.get(revision.pk, [])),
                response=response,
                reply=reply_state(revision, response, current=current, window_days=window, now=now),
                deadline=reply_deadline(revision, window),
                current=current,
            )
        )
    return trail


def contest_queue(process: Process) -> QuerySet[Response]:
    """The contests of the process's submissions: unanswered first, oldest first, with what they contest."""
    return (
        Response.objects.for_process(process)
        .contests()
        .select_related("revision__submission__stakeholder_group", "revision__submission__process", "answered_by")
        .queue_order()
    )


def unanswered_contests(process: Process) -> int:
    return Response.objects.for_process(process).unanswered().count()
