"""Bulk loading of decisions, for benchmarks and tests at scale (a million rows cannot go one service call
at a time). Writes exactly what the services would: one revision per decision, the disposition pointing at
it, the clause links with the identity they follow and the fingerprint they were confirmed against, and the
submissions' status. The caller bumps the process's ``stats_version`` (``process.touch()``) afterwards."""

from __future__ import annotations

from collections import defaultdict

from django.db import transaction

from traceability.accounts.models import User
from traceability.consultations.models import Submission, SubmissionStatus

from .chain import LinkValues, seal_revisions
from .models import ClauseLink, DecisionRevision, Disposition, DispositionKind, ExclusionGround


@transaction.atomic
def bulk_decide(decisions: list[dict[str, object]], *, organiser: User | None = None) -> None:
    """Bulk-load decisions as the services would write them (for tests at scale): one revision each, the
    disposition pointing at it, its clause links with identity and fingerprint, and the submission's status.

    Each decision: ``submission_id``, ``kind``, ``extent``, ``ground``, ``legal_provision``, ``justification``,
    ``decided_at``, and ``links``: a list of ``(clause, extent, note)``; optionally ``withheld`` (always on for
    public morality, as the services do).
    """
    fields = ("kind", "extent", "ground", "legal_provision", "justification")
    for d in decisions:
        d["withheld"] = bool(d.get("withheld")) or d.get("ground") == ExclusionGround.PUBLIC_MORALITY
    unsaved = [
        DecisionRevision(
            submission_id=d["submission_id"],
            number=1,
            decided_by=organiser,
            decided_at=d["decided_at"],
            withheld=d["withheld"],
            **{f: d.get(f, "") for f in fields},
        )
        for d in decisions
    ]
    # Sealed into each process's history chain, in the order given, as the services would.
    process_of = dict(
        Submission.objects.filter(pk__in=[d["submission_id"] for d in decisions]).values_list("pk", "process_id")
    )
    by_process: dict[int, list[tuple[DecisionRevision, list[LinkValues]]]] = defaultdict(list)
    for revision, d in zip(unsaved, decisions, strict=True):
        links = [(c.identity_id, c.pk, c.fingerprint, extent, note) for c, extent, note in d.get("links", ())]
        by_process[process_of[d["submission_id"]]].append((revision, links))
    for process_id, revisions in by_process.items():
        seal_revisions(process_id, revisions)
    revisions = DecisionRevision.objects.bulk_create(unsaved, batch_size=500)
    by_submission = {
        sid: pk
        for sid, pk in DecisionRevision.objects.filter(
            submission_id__in=[d["submission_id"] for d in decisions], number=1
        ).values_list("submission_id", "pk")
    }
    if len(revisions) != len(by_submission):
        raise ValueError("Each submission takes one decision in a bulk load.")
    Disposition.objects.bulk_create(
        [
            Disposition(
                submission_id=d["submission_id"],
                revision_id=by_submission[d["submission_id"]],
                decided_by=organiser,
                decided_at=d["decided_at"],
                first_decided_at=d["decided_at"],
                withheld=d["withheld"],
                **{f: d.get(f, "") for f in fields},
            )
            for d in decisions
        ],
        batch_size=500,
    )
    ClauseLink.objects.bulk_create(
        [
            ClauseLink(
                revision_id=by_submission[d["submission_id"]],
                identity_id=clause.identity_id,
                clause=clause,
                fingerprint=clause.fingerprint,
                extent=extent,
                note=note,
            )
            for d in decisions
            for clause, extent, note in d.get("links", ())
        ],
        batch_size=500,
    )
    statuses = (
        (DispositionKind.REFLECTED, SubmissionStatus.REFLECTED),
        (DispositionKind.EXCLUDED, SubmissionStatus.EXCLUDED),
        (DispositionKind.NOT_TAKEN_UP, SubmissionStatus.NOT_TAKEN_UP),
    )
    for kind, status in statuses:
        Submission.objects.filter(
            pk__in=[d["submission_id"] for d in decisions if d["kind"] == kind], withdrawn_at__isnull=True
        ).update(status=status)
    Submission.objects.filter(pk__in=[d["submission_id"] for d in decisions if d["withheld"]]).update(withheld=True)
    Submission.objects.filter(pk__in=[d["submission_id"] for d in decisions], withdrawn_at__isnull=False).update(
        status=SubmissionStatus.WITHDRAWN
    )
