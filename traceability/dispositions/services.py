"""Decisions on submissions. Every decision, and every re-confirmed, moved or removed link, is a new
immutable revision; the disposition points at the latest one and the submission's status follows,
all in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from traceability.accounts.models import NotificationKind, User
from traceability.accounts.services import mail_language, notify
from traceability.consultations.history import event_record
from traceability.consultations.models import Process, ProcessEventKind, Submission, SubmissionStatus
from traceability.outcomes.models import Clause, DocumentVersion
from traceability.outcomes.services import version_adopt_identities

from .chain import seal_revisions
from .models import (
    ANSWER_MAX_LENGTH,
    REASON_MAX_LENGTH,
    ClauseLink,
    DecisionRevision,
    Disposition,
    DispositionKind,
    DraftDecision,
    ExclusionGround,
    Extent,
    Release,
    Response,
    ResponseKind,
    RevisionChange,
    reply_deadline,
)
from .selectors import drafts_for

_STATUS_OF = {
    DispositionKind.REFLECTED: SubmissionStatus.REFLECTED,
    DispositionKind.EXCLUDED: SubmissionStatus.EXCLUDED,
    DispositionKind.NOT_TAKEN_UP: SubmissionStatus.NOT_TAKEN_UP,
}


@dataclass(frozen=True)
class LinkSpec:
    clause: Clause
    extent: str = Extent.FULL
    note: str = ""


@dataclass(frozen=True)
class _LinkRow:
    """A link as a revision stores it: the identity it follows, the clause and text it was confirmed on."""

    identity_id: int
    clause_id: int
    fingerprint: str
    extent: str
    note: str

    @classmethod
    def confirmed(cls, spec: LinkSpec) -> _LinkRow:
        clause = spec.clause
        return cls(clause.identity_id, clause.pk, clause.fingerprint, spec.extent, spec.note.strip())

    @classmethod
    def carried(cls, link: ClauseLink) -> _LinkRow:
        return cls(link.identity_id, link.clause_id, link.fingerprint, link.extent, link.note)


class StaleDecision(ValidationError):
    """The decision was changed by someone else since the organiser's form was read."""


def _lock_for_organiser(*, submission: Submission, actor: User, based_on: int | None = None) -> Submission:
    """Lock the submission for a decision by ``actor``. ``based_on``, when given, is the number of the revision
    the organiser's form showed (0: none): a decision taken meanwhile by someone else is never overwritten."""
    # FOR UPDATE covers the joined process row as well: version_adopt takes the same lock, so a decision and
    # an adoption never interleave (a decision would otherwise link to a version just replaced).
    locked = Submission.objects.select_for_update().select_related("process").get(pk=submission.pk)
    if not locked.process.is_organiser(actor):
        raise PermissionDenied
    if locked.status == SubmissionStatus.WITHDRAWN:
        raise ValidationError(_("This submission was withdrawn by its author; it needs no disposition."))
    if based_on is not None:
        current = DecisionRevision.objects.filter(submission=locked).order_by("-number").first()
        if (current.number if current else 0) != based_on:
            raise StaleDecision(
                _(
                    "Someone else decided %(reference)s while you were reading it (revision %(number)d, below in "
                    "the history). Your decision was not saved; it is kept in the form. Read theirs, then save "
                    "yours again if you still disagree."
                )
                % {"reference": locked.reference, "number": current.number if current else 0},
                code="stale",
            )
    return locked


def _write(
    *,
    submission: Submission,
    actor: User,
    now: datetime,
    change: str,
    kind: str,
    links: list[_LinkRow] = (),
    version: DocumentVersion | None = None,
    withheld: bool = False,
    duplicate_of: Submission | None = None,
    release: Release | None = None,
    **fields: str,
) -> Disposition:
    """Append a revision with its links, point the disposition at it, and set the submission's status.
    Submissions decided "same as" this one get the same decision (a revision each)."""
    decision = {"extent": "", "ground": "", "legal_provision": "", "justification": "", **fields, "kind": kind}
    if kind == DispositionKind.REFLECTED:
        decision["extent"] = Extent.FULL if any(link.extent == Extent.FULL for link in links) else Extent.PARTIAL
    decision["withheld"] = withheld
    decision["duplicate_of"] = duplicate_of
    last = DecisionRevision.objects.filter(submission=submission).order_by("-number").first()
    revision = DecisionRevision(
        submission=submission,
        number=(last.number if last else 0) + 1,
        change=change,
        version=version,
        decided_by=actor,
        decided_at=now,
        release=release,
        **decision,
    )
    # Sealed into the process's history chain under the process row's lock (taken with the submission's).
    link_values = [(link.identity_id, link.clause_id, link.fingerprint, link.extent, link.note) for link in links]
    seal_revisions(submission.process_id, [(revision, link_values)])
    revision.save()
    ClauseLink.objects.bulk_create(
        ClauseLink(
            revision=revision,
            identity_id=link.identity_id,
            clause_id=link.clause_id,
            fingerprint=link.fingerprint,
            extent=link.extent,
            note=link.note,
        )
        for link in links
    )
    projection = {**decision, "revision": revision, "decided_by": actor, "decided_at": now}
    # The first decision's time is kept when a decision changes (responsiveness counts from it).
    disposition, _created = Disposition.objects.update_or_create(
        submission=submission, defaults=projection, create_defaults={**projection, "first_decided_at": now}
    )
    submission.status = _STATUS_OF[kind]
    submission.withheld = withheld
    submission.save(update_fields=["status", "withheld"])
    submission.process.touch()
    if change == RevisionChange.DECIDED:
        _tell_author(submission, kind, now)
    _follow(original=submission, root=duplicate_of or submission, change=change, actor=actor, now=now, release=release)
    return disposition


def _tell_author(submission: Submission, kind: str, decided_at: datetime) -> None:
    """Mail the submitter that a decision on their submission is public (after commit, in the background),
    with the last day they may agree or contest it."""
    process = submission.process
    until = decided_at + timedelta(days=process.response_window_days)
    notify(
        user=submission.author,
        kind=NotificationKind.DECISION,
        template="accounts/email/decision",
        context={
            "reference": submission.reference,
            "process_title": str(process.localised("title", mail_language(submission.author))),
            "decision": kind,
            "trace_path": submission.get_absolute_url(),
            "respond_until": until.isoformat(),  # shown in the recipient's language when sent
        },
    )


def _follow(
    *, original: Submission, root: Submission, change: str, actor: User, now: datetime, release: Release | None
) -> None:
    """Give the submissions decided "same as" ``original`` its new decision (``root``'s, when ``original`` is now
    itself the same as another: no chains), as the same kind of change (a re-confirmed link is re-confirmed on
    the duplicates too: no new decision, no mail)."""
    followers = list(
        Submission.objects.select_for_update()
        .filter(disposition__duplicate_of=original)
        .exclude(status=SubmissionStatus.WITHDRAWN)
        .order_by("pk")
    )
    for follower in followers:
        _copy_decision(submission=follower, original=root, actor=actor, now=now, release=release, change=change)


def _copy_decision(
    *,
    submission: Submission,
    original: Submission,
    actor: User,
    now: datetime,
    release: Release | None,
    change: str = RevisionChange.DECIDED,
) -> Disposition:
    current = Disposition.objects.select_related("revision").get(submission=original)
    links = [_LinkRow.carried(link) for link in current.revision.links.all()]
    disposition = _write(
        submission=submission,
        actor=actor,
        now=now,
        change=change,
        kind=current.kind,
        links=links,
        version=current.revision.version,
        withheld=current.withheld,
        duplicate_of=original,
        release=release,
        ground=current.ground,
        legal_provision=current.legal_provision,
        justification=current.justification,
    )
    if current.kind == DispositionKind.REFLECTED:
        submissions_reassess(process=submission.process, submission_ids=[submission.pk])
    return disposition


def _check_links(version: DocumentVersion | None, links: list[LinkSpec]) -> None:
    if not links:
        raise ValidationError(_("Link the submission to at least one clause."))
    if version is None:
        raise ValidationError(_("Import the outcome document before linking submissions to it."))
    seen: set[int] = set()
    for link in links:
        if link.clause.version_id != version.pk:
            raise ValidationError(_("Link clauses of the current version of this process's outcome document."))
        if not link.clause.linkable:
            raise ValidationError(_("A heading organises the text; link the paragraphs under it instead."))
        if link.clause.identity_id in seen:
            raise ValidationError(_("Each clause can be linked only once."))
        if link.extent not in Extent.values:
            raise ValidationError(_("Choose whether the clause reflects the submission fully or partly."))
        seen.add(link.clause.identity_id)


def _save_draft(
    *, submission: Submission, actor: User, now: datetime, kind: str, links: list[LinkSpec] = (), **fields: object
) -> DraftDecision:
    """Keep a decision unreleased: the public still sees the submission as it was."""
    values = {"ground": "", "legal_provision": "", "justification": "", "withheld": False, "duplicate_of": None}
    values.update(fields)
    values["links"] = [{"clause": link.clause.pk, "extent": link.extent, "note": link.note.strip()} for link in links]
    draft, _created = DraftDecision.objects.update_or_create(
        submission=submission, defaults={**values, "kind": kind, "drafted_by": actor, "drafted_at": now}
    )
    return draft


def _decided(submission: Submission) -> None:
    """A decision saved for release now replaces the draft, if there was one."""
    DraftDecision.objects.filter(submission=submission).delete()


@transaction.atomic
def disposition_reflect(
    *,
    submission: Submission,
    actor: User,
    links: list[LinkSpec],
    draft: bool = False,
    based_on: int | None = None,
    now: datetime | None = None,
    release: Release | None = None,
) -> Disposition | DraftDecision:
    """Mark ``submission`` as reflected in the given clauses of the current version (a new revision), or keep
    that as a draft to release later (``draft=True``)."""
    now = now or timezone.now()
    locked = _lock_for_organiser(submission=submission, actor=actor, based_on=based_on)
    version = DocumentVersion.objects.report_version_for(locked.process)
    _check_links(version, links)
    if draft:
        return _save_draft(submission=locked, actor=actor, now=now, kind=DispositionKind.REFLECTED, links=links)
    _decided(locked)
    return _write(
        submission=locked,
        actor=actor,
        now=now,
        change=RevisionChange.DECIDED,
        kind=DispositionKind.REFLECTED,
        links=[_LinkRow.confirmed(link) for link in links],
        version=version,
        release=release,
    )


@transaction.atomic
def disposition_exclude(
    *,
    submission: Submission,
    actor: User,
    ground: str,
    legal_provision: str = "",
    justification: str = "",
    withhold: bool = False,
    draft: bool = False,
    based_on: int | None = None,
    now: datetime | None = None,
    release: Release | None = None,
) -> Disposition | DraftDecision:
    """Mark ``submission`` as excluded, on a legal ground (provision cited) or of public morality (justified).

    An exclusion on public morality always withholds the submission's title, text and author from the public;
    one on a legal ground does when ``withhold`` says the ground requires it (e.g. unlawful content)."""
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
        withhold = True
    else:
        raise ValidationError({"ground": _("Choose a legal ground or public morality.")})
    locked = _lock_for_organiser(submission=submission, actor=actor, based_on=based_on)
    decision = {"ground": ground, "legal_provision": legal_provision, "justification": justification}
    if draft:
        return _save_draft(
            submission=locked, actor=actor, now=now, kind=DispositionKind.EXCLUDED, withheld=withhold, **decision
        )
    _decided(locked)
    return _write(
        submission=locked,
        actor=actor,
        now=now,
        change=RevisionChange.DECIDED,
        kind=DispositionKind.EXCLUDED,
        version=DocumentVersion.objects.report_version_for(locked.process),
        withheld=withhold,
        release=release,
        **decision,
    )


@transaction.atomic
def disposition_not_take_up(
    *,
    submission: Submission,
    actor: User,
    reason: str,
    draft: bool = False,
    based_on: int | None = None,
    now: datetime | None = None,
    release: Release | None = None,
) -> Disposition | DraftDecision:
    """Record that ``submission`` was considered and not taken up, with the public ``reason``. Unlike an
    exclusion, this is not a legitimate ground: the report counts it as a view left out without one."""
    now = now or timezone.now()
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say publicly why the suggestion was not taken up.")})
    locked = _lock_for_organiser(submission=submission, actor=actor, based_on=based_on)
    if draft:
        return _save_draft(
            submission=locked, actor=actor, now=now, kind=DispositionKind.NOT_TAKEN_UP, justification=reason
        )
    _decided(locked)
    return _write(
        submission=locked,
        actor=actor,
        now=now,
        change=RevisionChange.DECIDED,
        kind=DispositionKind.NOT_TAKEN_UP,
        version=DocumentVersion.objects.report_version_for(locked.process),
        release=release,
        justification=reason,
    )


def _original_for(submission: Submission, reference: str, *, drafting: bool = False) -> Submission:
    """The submission whose decision a duplicate takes: the one named, or the one it is itself the same as.
    A duplicate drafted for release may point at an original whose decision is drafted too (the release
    decides originals first)."""
    typed = reference.strip()
    reference = typed.upper()
    original = (
        Submission.objects.select_related("disposition__duplicate_of", "draft__duplicate_of")
        .filter(process_id=submission.process_id, reference=reference)
        .first()
    )
    if original is None:
        raise ValidationError(
            {"original": _("This process has no submission %(reference)s.") % {"reference": typed or "—"}}
        )
    root = original.disposition.duplicate_of if hasattr(original, "disposition") else None
    if root is None and drafting and hasattr(original, "draft"):
        root = original.draft.duplicate_of
    root = root or original
    if root.pk == submission.pk:
        raise ValidationError({"original": _("A submission cannot be the same as itself.")})
    drafted = drafting and DraftDecision.objects.filter(submission=root).exists()
    if root.status == SubmissionStatus.WITHDRAWN or (root.status == SubmissionStatus.PENDING and not drafted):
        message = (
            _("%(reference)s has no decision, released or drafted, to share yet.")
            if drafting
            else _("%(reference)s has no released decision to share yet.")
        )
        raise ValidationError({"original": message % {"reference": root.reference}})
    return root


@transaction.atomic
def disposition_same_as(
    *,
    submission: Submission,
    actor: User,
    original: str,
    draft: bool = False,
    based_on: int | None = None,
    now: datetime | None = None,
    release: Release | None = None,
) -> Disposition | DraftDecision:
    """Decide ``submission`` as a duplicate of the submission with reference ``original``: it takes that
    submission's released decision, and follows it when it changes."""
    now = now or timezone.now()
    locked = _lock_for_organiser(submission=submission, actor=actor, based_on=based_on)
    root = _original_for(locked, original, drafting=draft)
    if draft:
        current = getattr(root, "draft", None) or root.disposition
        kind = current.kind
        return _save_draft(submission=locked, actor=actor, now=now, kind=kind, duplicate_of=root)
    _decided(locked)
    return _copy_decision(submission=locked, original=root, actor=actor, now=now, release=release)


@dataclass(frozen=True)
class ReleaseOutcome:
    release: Release | None
    released: int
    # Drafts that could not be released (they stay drafts), with why: (reference, message).
    kept: list[tuple[str, str]]
    # Drafts dropped because their author withdrew the submission meanwhile.
    dropped: int = 0


def _release_one(draft: DraftDecision, *, actor: User, now: datetime, release: Release) -> None:
    common = {"submission": draft.submission, "actor": actor, "now": now, "release": release}
    if draft.duplicate_of_id:
        disposition_same_as(**common, original=draft.duplicate_of.reference)
    elif draft.kind == DispositionKind.REFLECTED:
        clauses = Clause.objects.in_bulk([link["clause"] for link in draft.links])
        specs = []
        for link in draft.links:
            clause = clauses.get(link["clause"])
            if clause is None:
                raise ValidationError(_("A clause this draft links to no longer exists. Decide it again."))
            specs.append(LinkSpec(clause=clause, extent=link["extent"], note=link["note"]))
        disposition_reflect(**common, links=specs)
    elif draft.kind == DispositionKind.EXCLUDED:
        disposition_exclude(
            **common,
            ground=draft.ground,
            legal_provision=draft.legal_provision,
            justification=draft.justification,
            withhold=draft.withheld,
        )
    else:
        disposition_not_take_up(**common, reason=draft.justification)


@transaction.atomic
def decisions_release(*, process: Process, actor: User, now: datetime | None = None) -> ReleaseOutcome:
    """Release every drafted decision of ``process`` together, as one numbered release. Drafts that are no
    longer valid (their clause left the current version) stay drafts and are listed; drafts of submissions
    withdrawn meanwhile are dropped."""
    now = now or timezone.now()
    locked = Process.objects.select_for_update().get(pk=process.pk)
    if not locked.is_organiser(actor):
        raise PermissionDenied
    # Decisions of their own first, then duplicates, which take the decision of the one they copy.
    drafts = list(
        drafts_for(locked)
        .select_related("submission__process", "duplicate_of")
        .order_by(F("duplicate_of").asc(nulls_first=True), "submission__number")
    )
    if not drafts:
        raise ValidationError(_("There are no drafted decisions to release."))
    last = Release.objects.filter(process=locked).order_by("-number").first()
    release = Release.objects.create(
        process=locked, number=(last.number if last else 0) + 1, decisions=0, released_by=actor, released_at=now
    )
    released, kept, dropped = [], [], 0
    for draft in drafts:
        if draft.submission.status == SubmissionStatus.WITHDRAWN:
            draft.delete()
            dropped += 1
            continue
        try:
            with transaction.atomic():
                _release_one(draft, actor=actor, now=now, release=release)
        except ValidationError as error:
            kept.append((draft.submission.reference, " ".join(error.messages)))
        else:
            released.append(draft.submission_id)
    if not released:
        release.delete()
        return ReleaseOutcome(release=None, released=0, kept=kept, dropped=dropped)
    Release.objects.filter(pk=release.pk).update(decisions=len(released))
    release.decisions = len(released)
    event_record(
        process=locked,
        kind=ProcessEventKind.DECISIONS_RELEASED,
        at=now,
        actor=actor,
        detail={"release": release.number, "count": len(released)},
    )
    return ReleaseOutcome(release=release, released=len(released), kept=kept, dropped=dropped)


def current_clause_for(link: ClauseLink, version: DocumentVersion) -> Clause | None:
    """Where ``link``'s clause is in ``version``: its own identity, or the one it was merged into."""
    identity = link.identity.merged_into_id or link.identity_id
    return Clause.objects.filter(version=version, identity_id=identity).first()


@transaction.atomic
def link_reconfirm(
    *,
    submission: Submission,
    actor: User,
    link: ClauseLink,
    move_to: Clause | None = None,
    remove: bool = False,
    now: datetime | None = None,
) -> Disposition:
    """Re-confirm a link against its clause's current text, move it to another clause of the current
    version, or remove it (when others remain). Each is a new revision; the other links are carried
    over as they were."""
    now = now or timezone.now()
    locked = _lock_for_organiser(submission=submission, actor=actor)
    disposition = Disposition.objects.select_related("revision").filter(submission=locked).first()
    current = list(disposition.revision.links.select_related("identity")) if disposition else []
    if link.pk not in {existing.pk for existing in current}:
        raise ValidationError(_("This link is no longer part of the current decision. Reload the page."))
    version = DocumentVersion.objects.report_version_for(locked.process)
    others = [_LinkRow.carried(existing) for existing in current if existing.pk != link.pk]
    # Where each carried link's identity now lives (itself, or the identity it was merged into).
    effective = {existing.identity_id: existing.identity.merged_into_id or existing.identity_id for existing in current}
    if remove:
        if not others:
            raise ValidationError(
                _("This is the submission's only link. Decide again instead: link another clause or exclude it.")
            )
        change, rows = RevisionChange.UNLINKED, others
    else:
        if move_to is not None:
            change, target = RevisionChange.MOVED, move_to
        else:
            change, target = RevisionChange.RECONFIRMED, current_clause_for(link, version)
            if target is None:
                raise ValidationError(
                    _("This clause was removed from the current version. Move the link or remove it.")
                )
        # Two links that now meet in one clause (their clauses were merged) become one link: fully
        # reflected if either was, with both notes.
        twins = [row for row in others if effective[row.identity_id] == target.identity_id]
        extent = Extent.FULL if Extent.FULL in {link.extent, *(row.extent for row in twins)} else Extent.PARTIAL
        note = "\n".join(dict.fromkeys(n for n in (link.note, *(row.note for row in twins)) if n))
        spec = LinkSpec(clause=target, extent=extent, note=note)
        _check_links(version, [spec])
        rows = [*(row for row in others if row not in twins), _LinkRow.confirmed(spec)]
    _write(
        submission=locked,
        actor=actor,
        now=now,
        change=change,
        kind=DispositionKind.REFLECTED,
        links=rows,
        version=version,
        # A duplicate re-confirmed on its own stays the same as its original.
        duplicate_of=disposition.duplicate_of if disposition else None,
    )
    # Other links of the submission may still be suspect: the status comes from all of them.
    submissions_reassess(process=locked.process, submission_ids=[locked.pk])
    return Disposition.objects.get(submission=locked)


@transaction.atomic
def submissions_reassess(*, process: Process, submission_ids: list[int] | None = None) -> None:
    """Set reflected submissions to "needs re-confirmation" when a current link is suspect (its clause
    changed substantively in the report's version) or points at a removed clause, and back to
    reflected when every link is confirmed. Two set-based UPDATEs."""
    version = DocumentVersion.objects.report_version_for(process)
    if version is None:
        return
    confirmed = Clause.objects.filter(
        version=version,
        identity_id=Coalesce(OuterRef("identity__merged_into"), OuterRef("identity")),
        fingerprint=OuterRef("fingerprint"),
    )
    stale = (
        ClauseLink.objects.filter(revision__current_of__submission__process=process)
        .annotate(ok=Exists(confirmed))
        .filter(ok=False)
        .values("revision__submission_id")
    )
    decided = Submission.objects.filter(
        process=process, status__in=(SubmissionStatus.REFLECTED, SubmissionStatus.NEEDS_RECONFIRMATION)
    )
    if submission_ids is not None:
        decided = decided.filter(pk__in=submission_ids)
    decided.filter(pk__in=stale).update(status=SubmissionStatus.NEEDS_RECONFIRMATION)
    decided.exclude(pk__in=stale).update(status=SubmissionStatus.REFLECTED)
    process.touch()


@transaction.atomic
def version_adopt(*, version: DocumentVersion, actor: User, now: datetime | None = None) -> DocumentVersion:
    """Adopt a new version's reviewed matching: clauses get their permanent identities, links follow
    them, and every submission whose links changed substantively waits for re-confirmation."""
    now = now or timezone.now()
    # Lock the process row too (select_related joins it into FOR UPDATE): decisions lock it as well
    # (_lock_for_organiser), so none can link to the old version between the adoption and the re-assessment.
    locked = DocumentVersion.objects.select_for_update().select_related("process").get(pk=version.pk)
    if not locked.process.is_organiser(actor):
        raise PermissionDenied
    version_adopt_identities(version=locked, now=now)
    submissions_reassess(process=locked.process)
    return locked


# ----------------------------------------------------------------------------- answering back


@transaction.atomic
def response_record(
    *,
    submission: Submission,
    revision_number: int,
    author: User,
    kind: str,
    reason: str = "",
    now: datetime | None = None,
) -> Response:
    """The author's reply to the decision they read (revision ``revision_number``): agree, or contest with a
    reason. Only to the current revision, once, and within the process's window from its release; checked
    under the submission's lock, which every decision takes too."""
    now = now or timezone.now()
    reason = reason.strip()
    if kind == ResponseKind.CONTEST:
        if not reason:
            raise ValidationError({"reason": _("Say why you contest the decision.")})
        if len(reason) > REASON_MAX_LENGTH:
            raise ValidationError(
                {"reason": _("Keep the reason under %(max)d characters.") % {"max": REASON_MAX_LENGTH}}
            )
    elif kind == ResponseKind.AGREE:
        reason = ""
    else:
        raise ValidationError({"kind": _("Choose whether you agree with the decision or contest it.")})
    locked = Submission.objects.select_for_update().select_related("process").get(pk=submission.pk)
    if locked.author_id != author.pk:
        raise PermissionDenied
    if locked.status == SubmissionStatus.WITHDRAWN:
        raise ValidationError(_("You withdrew this submission; its decision can no longer be answered."))
    disposition = Disposition.objects.select_related("revision").filter(submission=locked).first()
    if disposition is None:
        raise ValidationError(_("There is no decision on this submission to reply to yet."))
    revision = disposition.revision
    if revision.number != revision_number:
        raise ValidationError(
            _("The decision changed since you opened the page. Read the new decision, then reply to it.")
        )
    deadline = reply_deadline(revision, locked.process.response_window_days)
    if now > deadline:
        ended = date_format(timezone.localtime(deadline), "DATETIME_FORMAT")
        raise ValidationError(_("The time to reply to this decision ended on %(date)s.") % {"date": ended})
    if Response.objects.filter(revision=revision).exists():
        raise ValidationError(_("You already replied to this decision. A reply is given once per decision."))
    response = Response(revision=revision, process=locked.process, kind=kind, reason=reason, responded_at=now)
    response.full_clean(exclude=["revision", "process"])
    try:
        with transaction.atomic():
            response.save()
    except IntegrityError as error:  # a concurrent reply to the same revision won the race
        raise ValidationError(_("You already replied to this decision. A reply is given once per decision.")) from error
    locked.process.touch()
    return response


@transaction.atomic
def contest_answer(*, response: Response, actor: User, answer: str, now: datetime | None = None) -> Response:
    """The organisers' public answer to a contest: once, with a text. The single place a contest is answered
    (notifying the submitter belongs here, after commit)."""
    now = now or timezone.now()
    answer = answer.strip()
    locked = Response.objects.select_for_update().select_related("revision__submission__process").get(pk=response.pk)
    process = locked.revision.submission.process
    if not process.is_organiser(actor):
        raise PermissionDenied
    if locked.kind != ResponseKind.CONTEST:
        raise ValidationError(_("Only a contested decision is answered."))
    if locked.answered_at is not None:
        raise ValidationError(_("This contest was already answered. An answer is given once."))
    if not answer:
        raise ValidationError({"answer": _("Write the answer to the submitter.")})
    if len(answer) > ANSWER_MAX_LENGTH:
        raise ValidationError({"answer": _("Keep the answer under %(max)d characters.") % {"max": ANSWER_MAX_LENGTH}})
    locked.answer, locked.answered_at, locked.answered_by = answer, now, actor
    locked.full_clean(exclude=["revision", "answered_by"])
    locked.save(update_fields=["answer", "answered_at", "answered_by"])
    process.touch()
    submission = locked.revision.submission
    notify(
        user=submission.author,
        kind=NotificationKind.CONTEST_REPLY,
        template="accounts/email/contest_reply",
        context={
            "reference": submission.reference,
            "process_title": str(process.localised("title", mail_language(submission.author))),
            "trace_path": submission.get_absolute_url(),
        },
    )
    return locked
