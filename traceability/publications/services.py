"""Publishing: the coverage gate re-checked under the process's lock, then a new numbered snapshot."""

from __future__ import annotations

import json
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from traceability.accounts import audit
from traceability.accounts.models import SecurityEventKind, User
from traceability.consultations.history import event_record
from traceability.consultations.models import Process, ProcessEventKind
from traceability.reports.selectors import report_version

from .gate import Blocker, publication_blockers
from .models import Snapshot
from .snapshots import canonical_bytes, change_summary, sha256, snapshot_document
from .tasks import notify_publication


class PublicationBlocked(ValidationError):
    """The coverage gate is not clear; ``blockers`` says what stands in the way."""

    def __init__(self, blockers: list[Blocker]) -> None:
        self.blockers = blockers
        super().__init__([blocker.message for blocker in blockers], code="publication_blocked")


@transaction.atomic
def snapshot_create(*, process: Process, actor: User, now: datetime | None = None) -> Snapshot:
    """Publish the report of ``process``: freeze snapshot n+1 of it, and mark the process published.

    Refused (``PublicationBlocked``, nothing written) while the coverage gate has blockers, and refused
    (``ValidationError``) when nothing changed since the latest snapshot. Takes no request, so a background
    task can call it with the same arguments.
    """
    now = now or timezone.now()
    # The process row's lock: two publications of one process queue here, and no decision of it can be
    # written between the check of the gate and the snapshot (on SQLite the IMMEDIATE transaction holds
    # the database's write lock already).
    locked = Process.objects.select_for_update().get(pk=process.pk)
    if not locked.is_organiser(actor):
        raise PermissionDenied
    blockers = publication_blockers(locked, now)
    if blockers:
        raise PublicationBlocked(blockers)
    version = report_version(locked)
    previous = Snapshot.objects.for_process(locked).newest_first().first()
    if previous is not None and previous.stats_version == locked.stats_version and previous.version_id == version.pk:
        raise ValidationError(
            _("Nothing has changed since snapshot %(number)d; it is still the published report.")
            % {"number": previous.number},
            code="unchanged",
        )
    number = previous.number + 1 if previous else 1
    document = snapshot_document(
        process=locked,
        version=version,
        number=number,
        published_at=now,
        previous_sha256=previous.sha256 if previous else None,
    )
    content = canonical_bytes(document)
    before = json.loads(bytes(previous.content)) if previous else None
    snapshot = Snapshot(
        process=locked,
        number=number,
        version=version,
        stats_version=locked.stats_version,
        created_at=now,
        created_by=actor,
        sha256=sha256(content),
        size=len(content),
        content=content,
        changes=change_summary(before, document),
    )
    snapshot.full_clean()
    snapshot.save()
    if locked.published_at is None:
        locked.published_at = now
        locked.save(update_fields=["published_at"])
    process.published_at = locked.published_at
    # The snapshot's digest is part of the event, so the history chain pins the published bytes too.
    event_record(
        process=locked,
        kind=ProcessEventKind.REPORT_PUBLISHED,
        at=now,
        actor=actor,
        detail={"snapshot": number, "sha256": snapshot.sha256},
    )
    digest = snapshot.sha256
    # robust: the snapshot is published whatever happens to the queue; a failed enqueue is logged.
    transaction.on_commit(lambda: notify_publication.enqueue(locked.pk, number, digest), robust=True)
    audit.record(
        SecurityEventKind.PUBLISHED, user=actor, process_id=locked.pk, snapshot=snapshot.number, sha256=snapshot.sha256
    )
    return snapshot
