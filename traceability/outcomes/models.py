"""Outcome documents: versions of the text a process produces, split into clauses."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from traceability.consultations.models import Process


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    FINAL = "final", _("Final")


class DocumentVersionQuerySet(models.QuerySet["DocumentVersion"]):
    def adopted(self) -> DocumentVersionQuerySet:
        return self.filter(adopted_at__isnull=False)

    def latest_for(self, process: Process) -> DocumentVersion | None:
        """The newest adopted version: what the workspace links submissions to."""
        return self.filter(process=process).adopted().order_by("-number").first()

    def report_version_for(self, process: Process) -> DocumentVersion | None:
        """The one version the report is computed against: the adopted final text, else the newest adopted one."""
        final_first = models.Case(models.When(status=VersionStatus.FINAL, then=0), default=1)
        return self.filter(process=process).adopted().order_by(final_first, "-number").first()

    def pending_for(self, process: Process) -> DocumentVersion | None:
        """An imported version whose matching the organisers have not adopted yet."""
        return self.filter(process=process, adopted_at__isnull=True).order_by("-number").first()


class DocumentVersion(models.Model):
    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="document_versions")
    number = models.PositiveIntegerField(_("version number"))
    label = models.CharField(_("label"), max_length=120)
    status = models.CharField(_("status"), max_length=8, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    title = models.CharField(_("document title"), max_length=300, blank=True)
    source = models.TextField(_("source text"))
    # Set when the organisers adopt the version's matching (at once for a first version). Until then the
    # version is a proposal: no link follows into it, and no public page shows it.
    adopted_at = models.DateTimeField(_("adopted at"), null=True, blank=True)
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

    @property
    def is_adopted(self) -> bool:
        return self.adopted_at is not None


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


class ClauseIdentity(models.Model):
    """The permanent identity of a clause: what links point to, whatever its number or anchor in a version.

    When a clause is merged into another, ``merged_into`` names the identity that carries on (always
    one that is not itself merged: adoption keeps the chain one step long). When a clause is split, the
    first part keeps the identity and the others get new ones with ``split_from`` set.
    """

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="clause_identities")
    introduced_in = models.ForeignKey(DocumentVersion, on_delete=models.CASCADE, related_name="+")
    merged_into = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    split_from = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("clause identity")
        verbose_name_plural = _("clause identities")

    def __str__(self) -> str:
        return f"C{self.pk}"


class ClauseQuerySet(models.QuerySet["Clause"]):
    def linkable(self) -> ClauseQuerySet:
        return self.filter(linkable=True)


class Clause(models.Model):
    """One addressable unit of a version.

    ``identity`` is permanent (links point to it); ``eid`` is the anchor (``#para_12``), unique within
    the version; ``label`` is the human number, which changes when a document is renumbered.
    ``fingerprint`` is the SHA-256 of the clause's normalised text, except that a change the organisers
    marked editorial keeps the predecessor's fingerprint: a link confirmed against a fingerprint stays
    confirmed while the clause's substance has not changed.
    """

    version = models.ForeignKey(DocumentVersion, on_delete=models.CASCADE, related_name="clauses")
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="children")
    # Set when the version is adopted.
    identity = models.ForeignKey(
        ClauseIdentity, on_delete=models.CASCADE, null=True, blank=True, related_name="occurrences"
    )
    linkable = models.BooleanField(_("can be linked"), default=True)
    fingerprint = models.CharField(_("fingerprint"), max_length=64, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=ClauseKind.choices)
    eid = models.SlugField(_("anchor (eId)"), max_length=160)
    label = models.CharField(_("label"), max_length=60)
    heading = models.CharField(_("heading"), max_length=300, blank=True)
    text = models.TextField(_("text"), blank=True)
    position = models.PositiveIntegerField(_("position"))
    depth = models.PositiveSmallIntegerField(_("depth"), default=0)

    objects = ClauseQuerySet.as_manager()

    class Meta:
        verbose_name = _("clause")
        verbose_name_plural = _("clauses")
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "eid"], name="clause_eid_unique_in_version"),
            models.UniqueConstraint(fields=["version", "position"], name="clause_position_unique_in_version"),
            models.UniqueConstraint(fields=["version", "identity"], name="clause_identity_once_per_version"),
        ]

    def __str__(self) -> str:
        if self.heading:
            return f"{self.label} {self.heading}"
        return self.label

    def get_absolute_url(self) -> str:
        return self.version.get_absolute_url() + f"#{self.eid}"

    @property
    def is_section(self) -> bool:
        return self.kind == ClauseKind.SECTION

    @property
    def indent_class(self) -> str:
        return f"clause-depth-{min(self.depth, 5)}"


class ClauseMatch(models.Model):
    """One edge of the matching between a version and the adopted version before it.

    A proposal until the version is adopted: the organisers correct it, then adopt it. Splits are one
    ``previous`` with several rows, merges one ``clause`` with several rows; a new clause has no
    ``previous``, a removed one no ``clause``.
    """

    version = models.ForeignKey(DocumentVersion, on_delete=models.CASCADE, related_name="matches")
    clause = models.ForeignKey(Clause, on_delete=models.CASCADE, null=True, blank=True, related_name="matched_from")
    previous = models.ForeignKey(Clause, on_delete=models.CASCADE, null=True, blank=True, related_name="matched_to")
    relation = models.CharField(_("relation"), max_length=12, choices=MatchRelation.choices)
    score = models.FloatField(_("similarity"), default=0)
    # An editorial change (spelling, style) keeps the links to the clause confirmed.
    editorial = models.BooleanField(_("editorial change only"), default=False)
    corrected = models.BooleanField(_("corrected by an organiser"), default=False)

    class Meta:
        verbose_name = _("clause match")
        verbose_name_plural = _("clause matches")
        constraints = [
            models.CheckConstraint(
                condition=Q(clause__isnull=False) | Q(previous__isnull=False), name="clause_match_has_a_side"
            ),
            models.UniqueConstraint(fields=["version", "clause", "previous"], name="clause_match_edge_once"),
        ]
        indexes = [models.Index(fields=["version", "relation"], name="clause_match_relation")]

    def __str__(self) -> str:
        return f"{self.previous_id} -> {self.clause_id} ({self.relation})"
