"""Outcome documents: versions of the text a process produces, split into clauses."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from traceability.consultations.models import Process


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    FINAL = "final", _("Final")


class DocumentVersionQuerySet(models.QuerySet["DocumentVersion"]):
    def latest_for(self, process: Process) -> DocumentVersion | None:
        return self.filter(process=process).order_by("-number").first()


class DocumentVersion(models.Model):
    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="document_versions")
    number = models.PositiveIntegerField(_("version number"))
    label = models.CharField(_("label"), max_length=120)
    status = models.CharField(_("status"), max_length=8, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    source = models.TextField(_("source text"))
    created_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = DocumentVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("outcome document version")
        verbose_name_plural = _("outcome document versions")
        ordering = ["process", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["process", "number"], name="version_number_unique_in_process"),
        ]

    def __str__(self) -> str:
        return f"{self.process.code} v{self.number}: {self.label}"

    def get_absolute_url(self) -> str:
        return reverse("outcomes:document", kwargs={"slug": self.process.slug}) + f"?version={self.number}"


class MatchRelation(models.TextChoices):
    """How a clause of a new version relates to the version before it."""

    UNCHANGED = "unchanged", _("Unchanged")
    RENUMBERED = "renumbered", _("Renumbered")
    REWORDED = "reworded", _("Reworded")
    SPLIT = "split", _("Split")
    MERGED = "merged", _("Merged")
    NEW = "new", _("New")
    REMOVED = "removed", _("Removed")


class ClauseKind(models.TextChoices):
    SECTION = "section", _("Section")
    PARAGRAPH = "paragraph", _("Paragraph")
    SUBPARAGRAPH = "subparagraph", _("Sub-paragraph")


class Clause(models.Model):
    """One addressable unit of a version.

    ``eid`` is the permanent identifier (used in links, ``#eid`` anchors and
    exports); ``label`` is the human number, which changes when a document
    is renumbered.
    """

    version = models.ForeignKey(DocumentVersion, on_delete=models.CASCADE, related_name="clauses")
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="children")
    kind = models.CharField(_("kind"), max_length=16, choices=ClauseKind.choices)
    eid = models.SlugField(_("permanent id"), max_length=160)
    label = models.CharField(_("label"), max_length=60)
    heading = models.CharField(_("heading"), max_length=300, blank=True)
    text = models.TextField(_("text"), blank=True)
    position = models.PositiveIntegerField(_("position"))
    depth = models.PositiveSmallIntegerField(_("depth"), default=0)

    class Meta:
        verbose_name = _("clause")
        verbose_name_plural = _("clauses")
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "eid"], name="clause_eid_unique_in_version"),
            models.UniqueConstraint(fields=["version", "position"], name="clause_position_unique_in_version"),
        ]

    def __str__(self) -> str:
        if self.heading:
            return f"{self.label} {self.heading}"
        return self.label

    def get_absolute_url(self) -> str:
        return reverse("outcomes:document", kwargs={"slug": self.version.process.slug}) + f"#{self.eid}"

    @property
    def indent_class(self) -> str:
        return f"clause-depth-{min(self.depth, 5)}"
