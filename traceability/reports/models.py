"""Downloads built once per version of a process's data by a background task, and kept as files.

The disposition-of-comments spreadsheet and ``mapping.json`` of a process with a million submissions take
minutes to write: too long for a request. A ``BuiltExport`` is one such file for one version of the data,
which is the process's ``stats_version`` (every change to decisions, texts, groups or dates) together with its
``last_number`` (every filing). The first request for a version that has no file queues the build; that
request and the next ones get a page that says how far the build is, until the file is ready; then every
request gets the file. A newer build replaces the older files of the same process and kind.

The files live in the ``exports`` storage (``settings.STORAGES``), never in git, and are served only through
the views (which check that the process is public), not from a public URL.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from traceability.consultations.models import Process


class ExportKind(models.TextChoices):
    DISPOSITION_OF_COMMENTS = "xlsx", _("Disposition of comments, spreadsheet")
    MAPPING_JSON = "mapping_json", _("Full mapping, JSON")


class BuildState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    BUILDING = "building", _("Building")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class BuiltExport(models.Model):
    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="built_exports")
    kind = models.CharField(_("kind"), max_length=16, choices=ExportKind.choices)
    stats_version = models.PositiveIntegerField(_("numbers version"))
    last_number = models.PositiveIntegerField(_("last receipt number"))
    # The words of the file (headers, decisions, the process's phase) are in the language it was asked in.
    language = models.CharField(_("language"), max_length=16)
    state = models.CharField(_("state"), max_length=8, choices=BuildState.choices, default=BuildState.QUEUED)
    # Progress: submissions written of those there are (by receipt number; rows come in receipt order).
    done = models.PositiveIntegerField(_("submissions written"), default=0)
    total = models.PositiveIntegerField(_("submissions to write"), default=0)
    path = models.CharField(_("file in the exports storage"), max_length=255, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), null=True, blank=True)
    created_at = models.DateTimeField(_("queued at"), auto_now_add=True)
    # Moved at every progress step: a build that stops moving (its worker died) is queued again.
    updated_at = models.DateTimeField(_("last progress at"), auto_now=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("built export")
        verbose_name_plural = _("built exports")
        constraints = [
            models.UniqueConstraint(
                fields=["process", "kind", "language", "stats_version", "last_number"],
                name="built_export_once_per_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.process_id} {self.kind} v{self.stats_version}/{self.last_number}: {self.state}"

    @property
    def percent(self) -> int:
        if not self.total:
            return 0 if self.state != BuildState.READY else 100
        return min(100, self.done * 100 // self.total)
