"""Writes on processes and submissions. Each service is one transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_countries import countries

from traceability.accounts.models import NotificationKind, StakeholderKind, User
from traceability.accounts.services import mail_language, notify

from .content_languages import page_language, submission_language
from .history import event_record
from .models import (
    Attribution,
    CommentRound,
    Process,
    ProcessEventKind,
    StakeholderGroup,
    Submission,
    SubmissionStatus,
)


class ProcessNotOpen(ValidationError):
    """The process does not accept submissions (yet, or any more)."""


class SubmissionDecided(ValidationError):
    """The submission has a disposition: its text is what the decision was taken on."""


@dataclass(frozen=True)
class SubmissionContent:
    title: str
    text: str
    stakeholder_group: StakeholderGroup
    target_clause: str = ""
    proposed_change: str = ""
    attribution: str = Attribution.NAME
    # A clause identity of this process (from "comment on this paragraph"), or None for the text as a whole.
    target: object | None = None
    # The language the author says it is written in (content_languages.CODES), or "" to detect it from the text.
    language: str = ""


def _language_of(content: SubmissionContent) -> tuple[str, str]:
    """The submission's language and how it was set: chosen, else detected, else the language of the page the
    form was filled in (the active one)."""
    return submission_language(title=content.title, text=content.text, chosen=content.language, page=page_language())


def process_create_default_groups(*, process: Process) -> list[StakeholderGroup]:
    """Give a process the six default stakeholder groups (renameable later), named in English whatever the
    organiser's language: readers see them in theirs (``StakeholderGroup.label``)."""
    with translation.override(settings.LANGUAGE_CODE):
        groups = [
            StakeholderGroup(process=process, name=str(label), kind=value, position=index)
            for index, (value, label) in enumerate(StakeholderKind.choices)
        ]
    return StakeholderGroup.objects.bulk_create(groups)


def _ensure_open(process: Process, now: datetime) -> None:
    if not process.is_open(now):
        raise ProcessNotOpen(
            _("This process is not accepting submissions now. Nothing was saved."), code="process_not_open"
        )


# Fields of a new submission that are rows already in hand (validated by the form and the checks above), and the
# country, copied from the account and checked before the lock (see submission_file).
_RELATED_FIELDS = ["form_token", "process", "author", "stakeholder_group", "target", "round", "country"]

# The fields the filing needs from the process it locks (the window it checks, the code of the reference, what the
# receipt mail says), read by the UPDATE that takes the number.
_LOCKED_FIELDS = (
    "id",
    "slug",
    "code",
    "title",
    "last_number",
    "opens_at",
    "closes_at",
    "round_opens_at",
    "round_closes_at",
    "published_at",
    "group_only_location",
    "original_language",
    "translations",
    "created_at",
)


def _take_number(process: Process) -> Process | None:
    """Lock the process row and take the next receipt number, in one statement (``UPDATE … RETURNING``, which
    SQLite 3.35+ and PostgreSQL both run): the process as it is now, with its new ``last_number``, and as
    ``window_round_id`` the comment round whose window is the one the process carries (see ``_open_round``)."""
    qn = connection.ops.quote_name
    table = qn(Process._meta.db_table)
    columns = ", ".join(qn(Process._meta.get_field(name).column) for name in _LOCKED_FIELDS)
    number = qn("last_number")
    rounds = qn(CommentRound._meta.db_table)
    # bandit B608 reviewed: the models' own table and column names only, no value.
    window_round = (
        f"(SELECT r.{qn('id')} FROM {rounds} r WHERE r.{qn('process_id')} = {table}.{qn('id')} "  # nosec B608
        f"AND r.{qn('opens_at')} = {table}.{qn('round_opens_at')} "
        f"AND r.{qn('closes_at')} = {table}.{qn('round_closes_at')} ORDER BY r.{qn('number')} DESC LIMIT 1)"
    )
    # Only the models' own table and column names go into the text; the id is a parameter. No stats_version bump:
    # the report's counts are read live from the tallies, and what is cached under stats_version (the decisions'
    # detail) does not change with a filing.
    sql = (
        f"UPDATE {table} SET {number} = {number} + 1 "  # noqa: S608  # nosec B608
        f"WHERE {qn('id')} = %s RETURNING {columns}, {window_round} AS window_round_id"
    )
    return next(iter(Process.objects.raw(sql, [process.pk])), None)


def _open_round(process: Process, now: datetime) -> int | None:
    """The id of the comment round open at ``now``, or None. The process carries the window of its latest round
    (``round_opens_at``, ``round_closes_at``, set with the round by ``round_open``, ``round_extend`` and
    ``round_close``), and ``_take_number`` read the round with that very window in its statement: that is the
    round, unless the statement's snapshot predates a round opened or changed while the filing waited for the
    process row (PostgreSQL reads the row again after the wait, but not the subquery): then no round matched,
    and it is read here, after the lock."""
    if process.round_opens_at is None or not process.round_opens_at <= now < process.round_closes_at:
        return None
    window_round = getattr(process, "window_round_id", None)
    if window_round is not None:
        return window_round
    return (
        CommentRound.objects.filter(process=process, opens_at__lte=now, closes_at__gt=now)
        .values_list("pk", flat=True)
        .first()
    )


@transaction.atomic
def submission_file(
    *,
    process: Process,
    author: User,
    content: SubmissionContent,
    form_token: uuid.UUID,
    now: datetime | None = None,
) -> tuple[Submission, bool]:
    """File a submission and give it the next receipt number.

    Returns ``(submission, created)``. A replayed form (same author, same
    one-time token) returns the submission the first post created.
    """
    # Before the lock below: detecting the language is the filing's only CPU work of note (about 0.1 ms for a page
    # of text), and filers of one process queue at that lock.
    language, language_source = _language_of(content)
    # The country is copied from the account; checked here against the code list (the field's own check, left out
    # of full_clean below, walks the list of every country's name: a tenth of the filing's time), before the lock.
    if author.country and author.country not in countries.countries:
        raise ValidationError(
            _("Your profile's country is not one we know: choose it again on your profile. Nothing was saved."),
            code="invalid_country",
        )
    # Take the process row's write lock first, with the next number and the window to check against: on
    # PostgreSQL the UPDATE locks the row until commit; on SQLite the IMMEDIATE transaction already holds the
    # database write lock. Either way, filers of one process queue here, and only here: nothing else on the
    # filing's path writes a shared row (the report's tallies are per group and country, kept by triggers).
    locked = _take_number(process)
    if locked is None:
        raise ValidationError(_("This process no longer exists."))
    now = now or timezone.now()
    _ensure_open(locked, now)

    if content.stakeholder_group.process_id != process.pk:
        raise ValidationError(_("Choose one of this process's stakeholder groups."))
    declared = (
        Submission.objects.filter(process=locked, author=author)
        .order_by("number")
        .values_list("stakeholder_group_id", flat=True)
        .first()
    )
    if declared is not None and declared != content.stakeholder_group.pk:
        raise ValidationError(
            _(
                "You file for %(group)s in this process, as your earlier submissions did: one account speaks "
                "for one group in a process. Nothing was saved."
            )
            % {"group": StakeholderGroup.objects.get(pk=declared).label}
        )
    if content.target is not None and content.target.process_id != process.pk:
        raise ValidationError(_("Comment on a clause of this process's document."))

    number = locked.last_number
    submission = Submission(
        process=locked,
        number=number,
        reference=locked.reference_for(number),
        author=author,
        stakeholder_group=content.stakeholder_group,
        country=author.country,
        organisation=author.organisation,
        author_name=author.display_name,
        attribution=content.attribution,
        title=content.title,
        text=content.text,
        target_clause=content.target_clause,
        target=content.target,
        # Only the latest round can be open (round_open refuses a second), and the process carries its window.
        round_id=_open_round(locked, now),
        proposed_change=content.proposed_change,
        language=language,
        language_source=language_source,
        text_sha256=Submission.hash_text(content.text),
        form_token=form_token,
        received_at=now,
        updated_at=now,
    )
    # The fields' own rules (lengths, choices, the country code). The related rows are the ones in hand, and the
    # uniqueness and check constraints are the database's: no query is needed to check them first.
    submission.full_clean(exclude=_RELATED_FIELDS, validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            submission.save(force_insert=True)
    except IntegrityError:
        # A replayed form (same author, same one-time token): the unique constraint refuses the second row, and
        # this reports the first one's result. That includes a concurrent replay (to this process or, with a
        # copied token, another) that won the race. Read it before marking the transaction for rollback (which
        # also gives back the number taken above), after which Django refuses every query; the savepoint above
        # already undid the failed insert.
        existing = Submission.objects.select_related("process").filter(author=author, form_token=form_token).first()
        if existing is None:
            raise
        transaction.set_rollback(True)
        return existing, False

    _notify_receipt(submission)  # sent by the task worker once this transaction commits
    return submission, True


def _notify_receipt(submission: Submission) -> None:
    notify(
        user=submission.author,
        kind=NotificationKind.RECEIPT,
        template="consultations/email/receipt",
        context={
            "reference": submission.reference,
            "process_code": submission.process.code,
            "process_title": str(submission.process.localised("title", mail_language(submission.author))),
            "title": submission.title,
            "received_at": submission.received_at.isoformat(),  # shown in the recipient's language when sent
            "text_sha256": submission.text_sha256,
            "trace_path": submission.get_absolute_url(),
        },
    )


def _lock_own_open_submission(*, submission: Submission, author: User, now: datetime) -> Submission:
    locked = Submission.objects.select_for_update().select_related("process").get(pk=submission.pk)
    if locked.author_id != author.pk:
        raise PermissionDenied
    if locked.is_withdrawn:
        raise ValidationError(_("This submission was withdrawn and can no longer change."))
    _ensure_open(locked.process, now)
    return locked


def declared_group(*, process: Process, author: User) -> StakeholderGroup | None:
    """The group ``author`` declared in ``process`` with their first submission there (withdrawn ones
    included: withdrawing does not free the declaration), or None before their first."""
    # The group alone (the first submission's group id in a subquery), not that submission with its text: this is
    # read on every filing.
    first = Submission.objects.filter(process=process, author=author).order_by("number")
    return StakeholderGroup.objects.filter(pk=first.values("stakeholder_group_id")[:1]).first()


@transaction.atomic
def submission_update(
    *, submission: Submission, author: User, content: SubmissionContent, now: datetime | None = None
) -> Submission:
    now = now or timezone.now()
    # A language chosen stays; one detected (or taken from the page) is detected again from the new text.
    language, language_source = _language_of(content)
    locked = _lock_own_open_submission(submission=submission, author=author, now=now)
    if content.stakeholder_group.pk != locked.stakeholder_group_id:
        raise ValidationError(
            _("The stakeholder group of a submission cannot be changed: it was declared when it was filed.")
        )
    if content.target is not None and content.target.process_id != locked.process_id:
        raise ValidationError(_("Comment on a clause of this process's document."))
    if locked.is_decided():
        # The decision was taken on this text; changing it now would leave the decision on words it never saw.
        raise SubmissionDecided(
            _(
                "The organisers have already decided on this submission, so it can no longer be edited. "
                "Nothing was saved."
            )
        )
    locked.title = content.title
    locked.text = content.text
    locked.target_clause = content.target_clause
    locked.target = content.target
    locked.proposed_change = content.proposed_change
    locked.attribution = content.attribution
    locked.stakeholder_group = content.stakeholder_group
    locked.text_sha256 = Submission.hash_text(content.text)
    locked.language, locked.language_source = language, language_source
    locked.updated_at = now
    # The country is the one copied at filing, which an edit does not change (a code withdrawn from the standard
    # since then must not make the submission uneditable).
    locked.full_clean(exclude=["form_token", "country"])
    locked.process.touch()
    locked.save(
        update_fields=[
            "title",
            "text",
            "target_clause",
            "target",
            "proposed_change",
            "attribution",
            "stakeholder_group",
            "text_sha256",
            "language",
            "language_source",
            "updated_at",
        ]
    )
    return locked


@transaction.atomic
def submission_withdraw(*, submission: Submission, author: User, now: datetime | None = None) -> Submission:
    now = now or timezone.now()
    locked = _lock_own_open_submission(submission=submission, author=author, now=now)
    locked.withdrawn_at = now
    locked.status = SubmissionStatus.WITHDRAWN
    locked.save(update_fields=["withdrawn_at", "status"])
    locked.process.touch()
    return locked


@transaction.atomic
def round_open(
    *, process: Process, version: object, closes_at: datetime, actor: User, now: datetime | None = None
) -> CommentRound:
    """Open a comment round on ``version`` (a draft of this process) from now until ``closes_at``.

    The process keeps its own window; it takes submissions within that window or the latest round's,
    and the check every filing makes inside its transaction enforces both.
    """
    now = now or timezone.now()
    locked = Process.objects.select_for_update().get(pk=process.pk)
    if not locked.is_organiser(actor):
        raise PermissionDenied
    if version.process_id != locked.pk or not version.is_adopted:
        raise ValidationError(_("Open the round on an adopted version of this process's document."))
    if closes_at <= now:
        raise ValidationError({"closes_at": _("The round must close in the future.")})
    if locked.published_at is not None:
        raise ValidationError(_("The report of this process is published; it takes no more comments."))
    if CommentRound.objects.filter(process=locked, opens_at__lte=now, closes_at__gt=now).exists():
        raise ValidationError(_("A comment round is already open. Close it before opening another."))
    number = (
        CommentRound.objects.filter(process=locked).order_by("-number").values_list("number", flat=True).first() or 0
    ) + 1
    comment_round = CommentRound.objects.create(
        process=locked, number=number, version=version, opens_at=now, closes_at=closes_at, opened_by=actor
    )
    locked.round_opens_at, locked.round_closes_at = now, closes_at
    locked.save(update_fields=["round_opens_at", "round_closes_at"])
    locked.touch()
    _record_round(locked, ProcessEventKind.ROUND_OPENED, comment_round, actor=actor, now=now)
    return comment_round


def _record_round(process: Process, kind: str, comment_round: CommentRound, *, actor: User, now: datetime) -> None:
    event_record(
        process=process,
        kind=kind,
        at=now,
        actor=actor,
        detail={"round": comment_round.number, "closes_at": comment_round.closes_at.isoformat()},
    )


@transaction.atomic
def round_extend(
    *, comment_round: CommentRound, closes_at: datetime, actor: User, now: datetime | None = None
) -> CommentRound:
    """Move an open round's closing time later. The new time is enforced like the first: every filing checks
    the window inside its own transaction."""
    now = now or timezone.now()
    locked = Process.objects.select_for_update().get(pk=comment_round.process_id)
    if not locked.is_organiser(actor):
        raise PermissionDenied
    current = CommentRound.objects.select_for_update().get(pk=comment_round.pk)
    if not current.is_open(now):
        raise ValidationError(_("This round is not open: open a new one instead."))
    if closes_at <= current.closes_at:
        raise ValidationError({"closes_at": _("To extend the round, choose a time after its current closing time.")})
    current.closes_at = closes_at
    current.save(update_fields=["closes_at"])
    locked.round_closes_at = closes_at
    locked.save(update_fields=["round_closes_at"])
    locked.touch()
    _record_round(locked, ProcessEventKind.ROUND_EXTENDED, current, actor=actor, now=now)
    return current


@transaction.atomic
def round_close(*, comment_round: CommentRound, actor: User, now: datetime | None = None) -> CommentRound:
    """Close an open round now, and with it the taking of submissions: if the process's own window is
    still open, it ends now too (its closing time is then the real one, which responsiveness counts from)."""
    now = now or timezone.now()
    locked = Process.objects.select_for_update().get(pk=comment_round.process_id)
    if not locked.is_organiser(actor):
        raise PermissionDenied
    current = CommentRound.objects.select_for_update().get(pk=comment_round.pk)
    if not current.is_open(now):
        raise ValidationError(_("This round is not open."))
    current.closes_at = now
    current.save(update_fields=["closes_at"])
    locked.round_closes_at = now
    fields = ["round_closes_at"]
    if locked.opens_at is not None and locked.closes_at is not None and locked.opens_at < now < locked.closes_at:
        locked.closes_at = now
        fields.append("closes_at")
    locked.save(update_fields=fields)
    locked.touch()
    _record_round(locked, ProcessEventKind.ROUND_CLOSED, current, actor=actor, now=now)
    return current


def submissions_anonymise(*, user: User, **kwargs: object) -> int:
    """Scrub the copies of a closing account's identity kept on its submissions (and its process roles).

    Connected to ``user_anonymised``, so it runs inside ``account_anonymise``'s transaction. The text,
    stakeholder group, country and decision stay: they are the public record. The attribution becomes
    group-only and the empty name is shown as "withdrawn participant".
    """
    user.organised_processes.clear()
    touched = list(Submission.objects.by(user).values_list("process_id", flat=True).distinct())
    count = Submission.objects.by(user).update(author_name="", organisation="", attribution=Attribution.GROUP)
    for process_id in touched:
        Process(pk=process_id).touch()  # cached report figures (organisations reached) are stale now
    return count


def organisers_changed(sender: object, instance: object, action: str, reverse: bool, pk_set: set[int] | None, **kwargs):  # type: ignore[no-untyped-def]
    """Appointing or removing an organiser (admin, shell, anywhere) is a role change in the security log."""
    from traceability.accounts import audit
    from traceability.accounts.models import SecurityEventKind

    if action == "pre_clear":
        # clear() names nobody afterwards: note who is losing the role now.
        if reverse:
            pk_set = set(instance.organised_processes.values_list("pk", flat=True))  # type: ignore[attr-defined]
        else:
            pk_set = set(instance.organisers.values_list("pk", flat=True))  # type: ignore[attr-defined]
        action = "post_remove"
    if action not in ("post_add", "post_remove") or not pk_set:
        return
    role = "organiser" if action == "post_add" else "not organiser"
    if reverse:  # user.organised_processes.add(process...)
        for process_id in pk_set:
            audit.record(SecurityEventKind.ROLE_CHANGED, user=instance, process_id=process_id, role=role)  # type: ignore[arg-type]
    else:
        for user in User.objects.filter(pk__in=pk_set):
            audit.record(SecurityEventKind.ROLE_CHANGED, user=user, process_id=instance.pk, role=role)  # type: ignore[attr-defined]
