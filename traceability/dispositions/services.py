"""Dispositioning submissions. Each change writes the disposition, its clause
links and a history event in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from traceability.accounts.models import User
from traceability.consultations.models import Submission
from traceability.outcomes.models import Clause

from .models import ClauseLink, Disposition, DispositionEvent, DispositionKind, EventAction, ExclusionGround, Extent


@dataclass(frozen=True)
class LinkSpec:
    clause: Clause
    extent: str = Extent.FULL
    note: str = ""


def _lock_for_organiser(*, submission: Submission, actor: User) -> Submission:
    locked = Submission.objects.select_for_update().select_related("process").get(pk=submission.pk)
    if not locked.process.is_organiser(actor):
        raise PermissionDenied
    if locked.is_withdrawn:
        raise ValidationError(_("This submission was withdrawn by its author; it needs no disposition."))
    return locked


def _describe_links(links: list[LinkSpec]) -> str:
    return ", ".join(f"{link.clause.label} ({Extent(link.extent).label})" for link in links)


def _record(*, submission: Submission, actor: User, action: str, summary: str, details: dict, now: datetime) -> None:
    DispositionEvent.objects.create(
        submission=submission, actor=actor, action=action, summary=summary, details=details, at=now
    )


def _decide(*, submission: Submission, actor: User, now: datetime, **fields: str) -> Disposition:
    """Write the decision over any earlier one: fields not given are blank, old clause links go."""
    decision = {"extent": "", "ground": "", "legal_provision": "", "justification": "", **fields}
    decision |= {"decided_by": actor, "decided_at": now}
    # The first decision's time is kept when a decision changes (responsiveness counts from it).
    disposition, _created = Disposition.objects.update_or_create(
        submission=submission, defaults=decision, create_defaults={**decision, "first_decided_at": now}
    )
    submission.process.touch()
    disposition.links.all().delete()
    return disposition


@transaction.atomic
def disposition_reflect(
    *, submission: Submission, actor: User, links: list[LinkSpec], now: datetime | None = None
) -> Disposition:
    """Mark ``submission`` as reflected in the given clauses (replacing any earlier decision)."""
    now = now or timezone.now()
    locked = _lock_for_organiser(submission=submission, actor=actor)
    if not links:
        raise ValidationError(_("Link the submission to at least one clause."))
    seen: set[int] = set()
    for link in links:
        if link.clause.version.process_id != locked.process_id:
            raise ValidationError(_("A clause must belong to this process's outcome document."))
        if link.clause.pk in seen:
            raise ValidationError(_("Each clause can be linked only once."))
        if link.extent not in Extent.values:
            raise ValidationError(_("Choose whether the clause reflects the submission fully or partly."))
        seen.add(link.clause.pk)

    disposition = _decide(
        submission=locked,
        actor=actor,
        now=now,
        kind=DispositionKind.REFLECTED,
        extent=Extent.FULL if any(link.extent == Extent.FULL for link in links) else Extent.PARTIAL,
    )
    ClauseLink.objects.bulk_create(
        ClauseLink(disposition=disposition, clause=link.clause, extent=link.extent, note=link.note.strip())
        for link in links
    )
    _record(
        submission=locked,
        actor=actor,
        action=EventAction.REFLECTED,
        summary=_("Reflected in %(clauses)s") % {"clauses": _describe_links(links)},
        details={
            "kind": DispositionKind.REFLECTED,
            "links": [{"eid": link.clause.eid, "label": link.clause.label, "extent": link.extent} for link in links],
        },
        now=now,
    )
    return disposition


@transaction.atomic
def disposition_exclude(
    *,
    submission: Submission,
    actor: User,
    ground: str,
    legal_provision: str = "",
    justification: str = "",
    now: datetime | None = None,
) -> Disposition:
    """Mark ``submission`` as excluded, on a legal ground (provision cited) or of public morality (justified)."""
    now = now or timezone.now()
    legal_provision, justification = legal_provision.strip(), justification.strip()
    if ground == ExclusionGround.LEGAL:
        if not legal_provision:
            raise ValidationError({"legal_provision": _("Cite the legal provision that requires the exclusion.")})
        justification = ""
    elif ground == ExclusionGround.PUBLIC_MORALITY:
        if not justification:
            raise ValidationError({"justification": _("Give the justification on grounds of public morality.")})
        legal_provision = ""
    else:
        raise ValidationError({"ground": _("Choose a legal ground or public morality.")})
    locked = _lock_for_organiser(submission=submission, actor=actor)

    disposition = _decide(
        submission=locked,
        actor=actor,
        now=now,
        kind=DispositionKind.EXCLUDED,
        ground=ground,
        legal_provision=legal_provision,
        justification=justification,
    )
    reason = legal_provision or justification
    _record(
        submission=locked,
        actor=actor,
        action=EventAction.EXCLUDED,
        summary=_("Excluded on %(ground)s: %(reason)s") % {"ground": ExclusionGround(ground).label, "reason": reason},
        details={"kind": DispositionKind.EXCLUDED, "ground": ground, "reason": reason},
        now=now,
    )
    return disposition
