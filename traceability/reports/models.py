"""The reports app's own tables: the tallies, and the downloads built in the background.

**Tallies.** Tallies: the report's counts, kept by database triggers so that no page counts submissions one by one.

Each row holds how many submissions share one key. The triggers in ``tallies.py`` move a submission's count
from its old key to its new one whenever a submission, its current disposition or its drafted decision is
written, in the same transaction, whatever writes it; ``rebuild_tallies`` recounts from scratch and
``verify_tallies`` compares the two. Rows whose count fell to zero are kept (they are reused); readers sum.

The comment round is keyed by its id, ``0`` for a submission filed outside any round: a NULL in a unique key
never conflicts, so every upsert would add a row instead of counting. The process and group columns are
foreign keys only for the ORM (deleting a process or group deletes its rows); the database holds no
constraint on them, so a filing's trigger takes no extra lock.

**Built downloads.** Downloads built once per version of a process's data by a background task, and kept as files.

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

from traceability.consultations.models import Process, StakeholderGroup


def _process() -> models.ForeignKey:
    return models.ForeignKey(
        Process, on_delete=models.CASCADE, db_constraint=False, db_index=False, related_name="+", editable=False
    )


# The columns a tally row is counted under (the triggers write them); the unique constraint names the same fields.
TALLY_KEY = (
    "process_id",
    "stakeholder_group_id",
    "round_key",
    "country",
    "shown_by_name",
    "status",
    "ground",
    "extent",
    "justified",
    "drafted",
)


class Tally(models.Model):
    """Submissions per process, group, round, country, public attribution, status, current decision (ground,
    extent, whether the exclusion cites its ground) and whether a decision is drafted for them."""

    process = models.ForeignKey(
        Process, on_delete=models.CASCADE, db_constraint=False, db_index=False, related_name="tallies"
    )
    stakeholder_group = models.ForeignKey(
        StakeholderGroup, on_delete=models.CASCADE, db_constraint=False, db_index=False, related_name="tallies"
    )
    round_key = models.PositiveIntegerField(_("comment round (0: none)"))
    country = models.CharField(_("country"), max_length=2, blank=True)
    shown_by_name = models.BooleanField(_("shown by name"))
    status = models.CharField(_("status"), max_length=12)
    ground = models.CharField(_("exclusion ground"), max_length=20, blank=True)
    extent = models.CharField(_("extent"), max_length=8, blank=True)
    justified = models.BooleanField(_("exclusion cites its ground"))
    drafted = models.BooleanField(_("decision drafted"))
    n = models.BigIntegerField(_("submissions"), default=0)

    KEY = TALLY_KEY

    class Meta:
        verbose_name = _("tally")
        verbose_name_plural = _("tallies")
        constraints = [
            models.UniqueConstraint(
                fields=[column.removesuffix("_id") for column in TALLY_KEY], name="tally_key_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.process_id}/{self.stakeholder_group_id}/{self.status}: {self.n}"


class OrganisationTally(models.Model):
    """Active submissions per process, round and organisation (lower-cased and trimmed, as ``reach`` compares
    them): the organisations reached are the keys with a count."""

    process = _process()
    round_key = models.PositiveIntegerField(_("comment round (0: none)"))
    organisation_key = models.CharField(_("organisation"), max_length=200)
    n = models.BigIntegerField(_("submissions"), default=0)

    KEY = ("process_id", "round_key", "organisation_key")

    class Meta:
        verbose_name = _("organisation tally")
        verbose_name_plural = _("organisation tallies")
        constraints = [
            models.UniqueConstraint(
                fields=["process", "round_key", "organisation_key"], name="organisation_tally_key_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.process_id}/{self.organisation_key}: {self.n}"


class DecisionDayTally(models.Model):
    """Submissions with a current decision per process, round and day (UTC) of their first decision: the
    median days from the close to a decision (responsiveness) is read from a few dozen of these rows."""

    process = _process()
    round_key = models.PositiveIntegerField(_("comment round (0: none)"))
    decided_on = models.DateField(_("first decided on (UTC)"))
    n = models.BigIntegerField(_("submissions"), default=0)

    KEY = ("process_id", "round_key", "decided_on")

    class Meta:
        verbose_name = _("decision day tally")
        verbose_name_plural = _("decision day tallies")
        constraints = [
            models.UniqueConstraint(fields=["process", "round_key", "decided_on"], name="decision_day_tally_key_unique")
        ]

    def __str__(self) -> str:
        return f"{self.process_id}/{self.decided_on}: {self.n}"


class LanguageTally(models.Model):
    """Submissions whose words are public (not withdrawn, not withheld) per process and language (blank: not
    recorded): the report's language filter offers the languages with a count, and says how many match."""

    process = _process()
    language = models.CharField(_("language"), max_length=12, blank=True)
    n = models.BigIntegerField(_("submissions"), default=0)

    KEY = ("process_id", "language")

    class Meta:
        verbose_name = _("language tally")
        verbose_name_plural = _("language tallies")
        constraints = [models.UniqueConstraint(fields=["process", "language"], name="language_tally_key_unique")]

    def __str__(self) -> str:
        return f"{self.process_id}/{self.language}: {self.n}"


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
