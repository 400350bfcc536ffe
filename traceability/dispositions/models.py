"""The organisers' decision on each submission, with its append-only history."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from traceability.consultations.models import Process, Submission
from traceability.outcomes.models import Clause, ClauseIdentity, DocumentVersion


class DispositionKind(models.TextChoices):
    REFLECTED = "reflected", _("Reflected")
    EXCLUDED = "excluded", _("Excluded")
    # Considered and not adopted, with a public reason (kept in ``justification``): left out without a
    # legitimate ground, and counted so.
    NOT_TAKEN_UP = "not_taken_up", _("Considered, not taken up")


class ExclusionGround(models.TextChoices):
    LEGAL = "legal", _("Legal ground")
    PUBLIC_MORALITY = "public_morality", _("Public morality")


class Extent(models.TextChoices):
    FULL = "full", _("Fully")
    PARTIAL = "partial", _("Partly")


def _decision_constraint(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=(
            Q(
                kind=DispositionKind.REFLECTED,
                extent__in=Extent.values,
                ground="",
                legal_provision="",
                justification="",
            )
            | (Q(kind=DispositionKind.EXCLUDED, extent="", ground=ExclusionGround.LEGAL) & ~Q(legal_provision=""))
            | (
                Q(kind=DispositionKind.EXCLUDED, extent="", ground=ExclusionGround.PUBLIC_MORALITY)
                & ~Q(justification="")
            )
            | (Q(kind=DispositionKind.NOT_TAKEN_UP, extent="", ground="", legal_provision="") & ~Q(justification=""))
        ),
        name=name,
        violation_error_message=_(
            "A disposition is either reflected, excluded with a ground and its citation or justification, "
            "or not taken up with a reason."
        ),
    )


def _withheld_constraint(name: str) -> models.CheckConstraint:
    """Only an exclusion withholds; one on public morality always does."""
    return models.CheckConstraint(
        condition=Q(withheld=False, kind__in=[DispositionKind.REFLECTED, DispositionKind.NOT_TAKEN_UP])
        | Q(withheld=True, kind=DispositionKind.EXCLUDED)
        | Q(withheld=False, kind=DispositionKind.EXCLUDED, ground=ExclusionGround.LEGAL),
        name=name,
        violation_error_message=_("Only an excluded submission is withheld, and one on public morality always is."),
    )


class RevisionChange(models.TextChoices):
    """Why a revision was written."""

    DECIDED = "decided", _("Decision")
    RECONFIRMED = "reconfirmed", _("Link re-confirmed")
    MOVED = "moved", _("Link moved")
    UNLINKED = "unlinked", _("Link removed")


class DecisionRevision(models.Model):
    """One immutable decision on a submission. The current disposition is the latest revision.

    Rows are only ever added: a changed decision, a re-confirmed or moved link, is a new revision.
    """

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField(_("revision"))
    change = models.CharField(
        _("change"), max_length=12, choices=RevisionChange.choices, default=RevisionChange.DECIDED
    )
    kind = models.CharField(_("decision"), max_length=12, choices=DispositionKind.choices)
    ground = models.CharField(_("exclusion ground"), max_length=20, choices=ExclusionGround.choices, blank=True)
    extent = models.CharField(_("extent"), max_length=8, choices=Extent.choices, blank=True)
    legal_provision = models.TextField(_("legal provision cited"), max_length=2000, blank=True)
    justification = models.TextField(_("justification"), max_length=5000, blank=True)
    # The title, text and author are kept from the public (always on public morality; on a legal ground when
    # the ground requires it).
    withheld = models.BooleanField(_("withheld from the public"), default=False)
    # "Same as CODE-00012": this decision is a copy of that submission's, and follows it when it changes.
    duplicate_of = models.ForeignKey(
        Submission, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("same as")
    )
    # The adopted version the organisers read when deciding (their links point into it).
    version = models.ForeignKey(DocumentVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)
    # The release that made a drafted decision public (none when it was released as it was saved).
    release = models.ForeignKey(
        "Release", on_delete=models.PROTECT, null=True, blank=True, related_name="revisions", verbose_name=_("release")
    )
    # The process's history chain (see consultations.history); the hash covers the revision's links too.
    chain_position = models.PositiveIntegerField(_("position in the history chain"), null=True, editable=False)
    prev_hash = models.CharField(_("previous entry's hash"), max_length=64, blank=True, default="", editable=False)
    entry_hash = models.CharField(_("entry hash"), max_length=64, blank=True, default="", editable=False)

    class Meta:
        verbose_name = _("decision revision")
        verbose_name_plural = _("decision revisions")
        ordering = ["submission", "number"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "number"], name="revision_number_unique_per_submission"),
            _decision_constraint("revision_reflected_xor_grounded_exclusion"),
            _withheld_constraint("revision_withheld_only_when_excluded"),
        ]

    def __str__(self) -> str:
        return f"{self.submission_id} r{self.number}: {self.kind}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ValueError("Decision revisions are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise ValueError("Decision revisions are append-only.")

    @property
    def reason(self) -> str:
        return self.legal_provision if self.ground == ExclusionGround.LEGAL else self.justification

    @property
    def is_not_taken_up(self) -> bool:
        return self.kind == DispositionKind.NOT_TAKEN_UP

    @property
    def is_reflected(self) -> bool:
        return self.kind == DispositionKind.REFLECTED


class ClauseLink(models.Model):
    """A clause that reflects the submission, as one revision records it (immutable with the revision).

    ``identity`` is what the link follows through later versions; ``clause`` is the clause as the
    organiser saw it (its version, label and anchor then); ``fingerprint`` the clause text it was
    confirmed against. When the clause of the same identity in the report's version has another
    fingerprint, the link is suspect; when there is none, the clause was removed.
    """

    revision = models.ForeignKey(DecisionRevision, on_delete=models.CASCADE, related_name="links")
    identity = models.ForeignKey(ClauseIdentity, on_delete=models.PROTECT, related_name="links")
    clause = models.ForeignKey(Clause, on_delete=models.PROTECT, related_name="links")
    fingerprint = models.CharField(_("fingerprint"), max_length=64)
    extent = models.CharField(_("extent"), max_length=8, choices=Extent.choices, default=Extent.FULL)
    note = models.TextField(_("how it is reflected"), max_length=2000, blank=True)

    class Meta:
        verbose_name = _("clause link")
        verbose_name_plural = _("clause links")
        ordering = ["clause__position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["revision", "identity"], name="clause_link_once_per_identity"),
        ]
        indexes = [models.Index(fields=["identity", "revision"], name="clause_link_identity")]

    def __str__(self) -> str:
        return f"{self.revision_id} -> {self.identity_id} ({self.extent})"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ValueError("Clause links belong to an append-only revision.")
        super().save(*args, **kwargs)


class Disposition(models.Model):
    """The current disposition of a submission: a pointer to its latest revision, with the revision's
    decision copied beside it so that the report's aggregates read one table. Written only by the
    services, together with the revision it copies."""

    submission = models.OneToOneField(Submission, on_delete=models.CASCADE, related_name="disposition")
    revision = models.OneToOneField(DecisionRevision, on_delete=models.CASCADE, related_name="current_of")
    kind = models.CharField(_("decision"), max_length=12, choices=DispositionKind.choices)
    ground = models.CharField(_("exclusion ground"), max_length=20, choices=ExclusionGround.choices, blank=True)
    # For reflected: "full" if any linked clause reflects it fully, else "partial".
    extent = models.CharField(_("extent"), max_length=8, choices=Extent.choices, blank=True)
    legal_provision = models.TextField(_("legal provision cited"), max_length=2000, blank=True)
    justification = models.TextField(_("justification"), max_length=5000, blank=True)
    withheld = models.BooleanField(_("withheld from the public"), default=False)
    duplicate_of = models.ForeignKey(
        Submission,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="duplicates",
        verbose_name=_("same as"),
    )
    # PROTECT: who decided is part of the record; deactivate an organiser's account instead of deleting it.
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)
    # When the submission first got a decision; later changes keep it (responsiveness).
    first_decided_at = models.DateTimeField(_("first decided at"), default=timezone.now)

    class Meta:
        verbose_name = _("disposition")
        verbose_name_plural = _("dispositions")
        constraints = [
            _decision_constraint("disposition_reflected_xor_grounded_exclusion"),
            _withheld_constraint("disposition_withheld_only_when_excluded"),
        ]
        indexes = [models.Index(fields=["kind", "ground"], name="disposition_kind_ground")]

    def __str__(self) -> str:
        return f"{self.submission_id}: {self.kind}"

    @property
    def reason(self) -> str:
        return self.legal_provision if self.ground == ExclusionGround.LEGAL else self.justification

    @property
    def is_not_taken_up(self) -> bool:
        return self.kind == DispositionKind.NOT_TAKEN_UP


class DraftDecision(models.Model):
    """A decision an organiser prepared but has not released: the public still sees the submission as it
    was (pending, or its released decision). Releasing turns every draft of a process into a revision at
    once. Drafts may be rewritten until then; they never appear in the history."""

    submission = models.OneToOneField(Submission, on_delete=models.CASCADE, related_name="draft")
    kind = models.CharField(_("decision"), max_length=12, choices=DispositionKind.choices)
    ground = models.CharField(_("exclusion ground"), max_length=20, choices=ExclusionGround.choices, blank=True)
    legal_provision = models.TextField(_("legal provision cited"), max_length=2000, blank=True)
    justification = models.TextField(_("justification"), max_length=5000, blank=True)
    withheld = models.BooleanField(_("withheld from the public"), default=False)
    duplicate_of = models.ForeignKey(Submission, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    # [{"clause": pk, "extent": "full"|"partial", "note": "..."}], clauses of the version drafted against.
    links = models.JSONField(default=list, blank=True)
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    drafted_at = models.DateTimeField(_("drafted at"), default=timezone.now)

    class Meta:
        verbose_name = _("draft decision")
        verbose_name_plural = _("draft decisions")

    def __str__(self) -> str:
        return f"{self.submission_id}: draft {self.kind}"


class Release(models.Model):
    """One release of drafted decisions to the public, numbered per process."""

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="releases")
    number = models.PositiveIntegerField(_("release"))
    decisions = models.PositiveIntegerField(_("decisions released"))
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    released_at = models.DateTimeField(_("released at"), default=timezone.now)

    class Meta:
        verbose_name = _("release")
        verbose_name_plural = _("releases")
        constraints = [models.UniqueConstraint(fields=["process", "number"], name="release_number_unique")]

    def __str__(self) -> str:
        return f"{self.process_id} release {self.number}"


class ResponseKind(models.TextChoices):
    """What a submitter answers to a decision. Silence is not a kind: it is "no reply", never agreement."""

    AGREE = "agree", _("Agrees")
    CONTEST = "contest", _("Contests")


class ReplyState(models.TextChoices):
    """Where the submitter's answer to one revision stands."""

    AGREED = "agreed", _("Agreed")
    CONTESTED = "contested", _("Contested")
    NO_REPLY = "no_reply", _("No reply")
    OPEN = "open", _("Reply window open")


# 0 while a contest waits for its answer, 1 once answered: the contest queue's first sort key.
WAITING_FIRST = models.Case(models.When(answered_at__isnull=True, then=0), default=1)


class ResponseQuerySet(models.QuerySet["Response"]):
    def for_process(self, process: object) -> ResponseQuerySet:
        return self.filter(process=process)

    def contests(self) -> ResponseQuerySet:
        return self.filter(kind=ResponseKind.CONTEST)

    def unanswered(self) -> ResponseQuerySet:
        return self.contests().filter(answered_at__isnull=True)

    def queue_order(self) -> ResponseQuerySet:
        """Unanswered contests first, then the oldest first (the order of the index ``response_contest_queue``)."""
        return self.order_by(WAITING_FIRST, "responded_at", "pk")


REASON_MAX_LENGTH = 5000
ANSWER_MAX_LENGTH = 5000


class Response(models.Model):
    """The submitter's answer to one decision revision: agrees, or contests with a reason; and, for a contest,
    the organisers' public answer. One per revision; written by the services only."""

    revision = models.ForeignKey(DecisionRevision, on_delete=models.CASCADE, related_name="responses")
    # The revision's submission's process, kept on the row: the contest queue and its count are read per
    # process, and through three joins they scanned every reply of a process (0.9 s at a million submissions).
    process = models.ForeignKey(
        "consultations.Process", on_delete=models.CASCADE, related_name="+", verbose_name=_("process")
    )
    kind = models.CharField(_("reply"), max_length=8, choices=ResponseKind.choices)
    reason = models.TextField(_("why you contest it"), max_length=REASON_MAX_LENGTH, blank=True)
    responded_at = models.DateTimeField(_("replied at"), default=timezone.now)
    answer = models.TextField(_("organisers' answer"), max_length=ANSWER_MAX_LENGTH, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = ResponseQuerySet.as_manager()

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        ordering = ["responded_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["revision"], name="response_once_per_revision"),
            models.CheckConstraint(
                condition=Q(kind=ResponseKind.AGREE, reason="") | (Q(kind=ResponseKind.CONTEST) & ~Q(reason="")),
                name="response_contest_has_a_reason",
                violation_error_message=_("A reply agrees, or contests with a reason."),
            ),
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True, answer="")
                | (Q(kind=ResponseKind.CONTEST, answered_at__isnull=False) & ~Q(answer="")),
                name="response_answer_is_complete",
                violation_error_message=_("Only a contest is answered, with a text and a date."),
            ),
        ]
        indexes = [
            # The contest queue in its order, and the count of contests waiting for an answer.
            models.Index(
                "process",
                WAITING_FIRST,
                "responded_at",
                "id",
                condition=Q(kind=ResponseKind.CONTEST),
                name="response_contest_queue",
            ),
            models.Index(
                fields=["process"],
                condition=Q(kind=ResponseKind.CONTEST, answered_at__isnull=True),
                name="response_contest_waiting",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.revision_id}: {self.kind}"

    @property
    def is_contest(self) -> bool:
        return self.kind == ResponseKind.CONTEST

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None


def reply_deadline(revision: DecisionRevision, window_days: int) -> datetime:
    """The last moment the submitter may answer ``revision``: its release plus the process's window."""
    return revision.decided_at + timedelta(days=window_days)


def reply_state(
    revision: DecisionRevision,
    response: Response | None,
    *,
    current: bool,
    window_days: int,
    now: datetime | None = None,
) -> ReplyState:
    """Agreed, contested, still open (the current revision, within its window), or no reply: silence is never
    agreement."""
    if response is not None:
        return ReplyState.AGREED if response.kind == ResponseKind.AGREE else ReplyState.CONTESTED
    now = now or timezone.now()
    if current and now <= reply_deadline(revision, window_days):
        return ReplyState.OPEN
    return ReplyState.NO_REPLY
