"""Snapshots: the frozen, canonical JSON of a published report, numbered per process, with its SHA-256."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from traceability.consultations.models import Process
from traceability.outcomes.models import DocumentVersion


class SnapshotQuerySet(models.QuerySet["Snapshot"]):
    def for_process(self, process: Process) -> SnapshotQuerySet:
        return self.filter(process=process)

    def newest_first(self) -> SnapshotQuerySet:
        return self.order_by("-number")

    def described(self) -> SnapshotQuerySet:
        """Everything a list shows, without the (possibly large) canonical bytes."""
        return self.defer("content")


class Snapshot(models.Model):
    """One publication of a process's report. Append-only: never changed, never deleted.

    ``content`` holds the exact bytes served at the snapshot's permanent address; ``sha256`` and ``size``
    are theirs. ``changes`` is what changed since the snapshot before (see ``snapshots.change_summary``).
    """

    process = models.ForeignKey(Process, on_delete=models.PROTECT, related_name="snapshots")
    number = models.PositiveIntegerField(_("number"))
    version = models.ForeignKey(DocumentVersion, on_delete=models.PROTECT, related_name="+")
    # The process's stats_version when the snapshot was built: when it moves on, the live report differs.
    stats_version = models.PositiveIntegerField(_("numbers version"))
    created_at = models.DateTimeField(_("published at"))
    # Who published it; kept out of the snapshot itself, and emptied if that account is deleted.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    content = models.BinaryField(_("canonical JSON"))
    changes = models.JSONField(_("changes since the snapshot before"), default=dict)

    objects = SnapshotQuerySet.as_manager()

    class Meta:
        verbose_name = _("snapshot")
        verbose_name_plural = _("snapshots")
        ordering = ["process", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["process", "number"], name="snapshot_number_unique_in_process"),
            models.CheckConstraint(condition=Q(number__gte=1), name="snapshot_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.process_id} snapshot {self.number}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ValueError("Snapshots are append-only.")
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("publications:snapshot-download", kwargs={"slug": self.process.slug, "number": self.number})

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise ValueError("Snapshots are append-only.")

    def filename(self) -> str:
        return f"{self.process.code}-snapshot-{self.number}.json"


class PublicationState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    BUILDING = "building", _("Building the snapshot")
    DONE = "done", _("Published")
    FAILED = "failed", _("Not published")


class PublicationRequest(models.Model):
    """An organiser's request to publish: the snapshot of a million submissions takes longer than a request,
    so a background task builds it (``tasks.publish_report``) while the publish page says so. One at a time
    per process (a second press of the button finds the first one)."""

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="publication_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(
        _("state"), max_length=8, choices=PublicationState.choices, default=PublicationState.QUEUED
    )
    snapshot_number = models.PositiveIntegerField(_("snapshot published"), null=True, blank=True)
    # Why it was not published (the gate closed, nothing changed), in words for the organiser.
    message = models.TextField(_("message"), blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("publication request")
        verbose_name_plural = _("publication requests")
        constraints = [
            models.UniqueConstraint(
                fields=["process"],
                condition=Q(state__in=["queued", "building"]),
                name="publication_request_one_running_per_process",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.process_id} publication {self.pk}: {self.state}"
