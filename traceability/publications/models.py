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
