"""The organisers' decision on each submission, with its append-only history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from traceability.consultations.models import Submission
from traceability.outcomes.models import Clause


class DispositionKind(models.TextChoices):
    REFLECTED = "reflected", _("Reflected")
    EXCLUDED = "excluded", _("Excluded")


class ExclusionGround(models.TextChoices):
    LEGAL = "legal", _("Legal ground")
    PUBLIC_MORALITY = "public_morality", _("Public morality")


class Extent(models.TextChoices):
    FULL = "full", _("Fully")
    PARTIAL = "partial", _("Partly")


class Disposition(models.Model):
    """Reflected (with one or more clause links) or excluded (with a ground).

    The constraints hold what a row can say on its own; that a reflected
    disposition has at least one clause link is held by the services, which
    write both in one transaction.
    """

    submission = models.OneToOneField(Submission, on_delete=models.CASCADE, related_name="disposition")
    kind = models.CharField(_("decision"), max_length=12, choices=DispositionKind.choices)
    ground = models.CharField(_("exclusion ground"), max_length=20, choices=ExclusionGround.choices, blank=True)
    # For reflected: "full" if any linked clause reflects it fully, else "partial".
    extent = models.CharField(_("extent"), max_length=8, choices=Extent.choices, blank=True)
    legal_provision = models.TextField(_("legal provision cited"), max_length=2000, blank=True)
    justification = models.TextField(_("justification"), max_length=5000, blank=True)
    # PROTECT: who decided is part of the record; deactivate an organiser's account instead of deleting it.
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)
    # When the submission first got a decision; later changes keep it (responsiveness).
    first_decided_at = models.DateTimeField(_("first decided at"), default=timezone.now)

    class Meta:
        verbose_name = _("disposition")
        verbose_name_plural = _("dispositions")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        kind=DispositionKind.REFLECTED,
                        extent__in=Extent.values,
                        ground="",
                        legal_provision="",
                        justification="",
                    )
                    | (
                        Q(kind=DispositionKind.EXCLUDED, extent="", ground=ExclusionGround.LEGAL)
                        & ~Q(legal_provision="")
                    )
                    | (
                        Q(kind=DispositionKind.EXCLUDED, extent="", ground=ExclusionGround.PUBLIC_MORALITY)
                        & ~Q(justification="")
                    )
                ),
                name="disposition_reflected_xor_grounded_exclusion",
                violation_error_message=_(
                    "A disposition is either reflected, or excluded with a ground and its citation or justification."
                ),
            ),
        ]
        indexes = [models.Index(fields=["kind", "ground"], name="disposition_kind_ground")]

    def __str__(self) -> str:
        return f"{self.submission_id}: {self.kind}"

    @property
    def reason(self) -> str:
        return self.legal_provision if self.ground == ExclusionGround.LEGAL else self.justification


class ClauseLink(models.Model):
    disposition = models.ForeignKey(Disposition, on_delete=models.CASCADE, related_name="links")
    clause = models.ForeignKey(Clause, on_delete=models.PROTECT, related_name="links")
    extent = models.CharField(_("extent"), max_length=8, choices=Extent.choices, default=Extent.FULL)
    note = models.TextField(_("how it is reflected"), max_length=2000, blank=True)

    class Meta:
        verbose_name = _("clause link")
        verbose_name_plural = _("clause links")
        ordering = ["clause__position"]
        constraints = [
            models.UniqueConstraint(fields=["disposition", "clause"], name="clause_link_once_per_clause"),
        ]

    def __str__(self) -> str:
        return f"{self.disposition_id} -> {self.clause_id} ({self.extent})"


class EventAction(models.TextChoices):
    REFLECTED = "reflected", _("Marked as reflected")
    EXCLUDED = "excluded", _("Marked as excluded")


class DispositionEvent(models.Model):
    """One change of a submission's disposition. Rows are only ever added."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="disposition_events")
    action = models.CharField(_("action"), max_length=12, choices=EventAction.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    actor_role = models.CharField(_("role"), max_length=40, default="organiser")
    at = models.DateTimeField(_("when"), default=timezone.now)
    summary = models.TextField(_("what changed"))
    details = models.JSONField(_("details"), default=dict)

    class Meta:
        verbose_name = _("disposition event")
        verbose_name_plural = _("disposition events")
        ordering = ["submission", "at", "pk"]
        indexes = [models.Index(fields=["submission", "at"], name="event_submission_at")]

    def __str__(self) -> str:
        return f"{self.submission_id} {self.action} at {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ValueError("Disposition history is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise ValueError("Disposition history is append-only.")
