"""Processes, their stakeholder groups, and the submissions filed to them."""

from __future__ import annotations

import functools
import hashlib
import hmac
import uuid
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Case, CharField, F, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from traceability import languages
from traceability.accounts.models import WITHDRAWN_PARTICIPANT, StakeholderKind
from traceability.text import normalise_newlines

from . import content_languages
from .content_languages import LanguageSource
from .regions import Region, region_of, region_when


class Phase(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open for submissions")
    CLOSED = "closed", _("Closed, under review")
    PUBLISHED = "published", _("Report published")


class GroupOnlyLocation(models.TextChoices):
    """Where a submitter shown by stakeholder group only is said to be from, on every public page and download."""

    HIDDEN = "hidden", _("Not shown")
    REGION = "region", _("Region only (UN M49: Africa, Americas, Asia, Europe, Oceania)")


class ProcessQuerySet(models.QuerySet["Process"]):
    def visible(self) -> ProcessQuerySet:
        """Processes the public may see: every one with an opening date."""
        return self.filter(opens_at__isnull=False)

    def open_first(self, now: datetime | None = None) -> ProcessQuerySet:
        now = now or timezone.now()
        window = Q(opens_at__lte=now, closes_at__gt=now) | Q(round_opens_at__lte=now, round_closes_at__gt=now)
        is_open = models.Case(models.When(window & Q(published_at__isnull=True), then=0), default=1)
        return self.annotate(open_rank=is_open).order_by("open_rank", "closes_at", "pk")

    def organised_by(self, user: settings.AUTH_USER_MODEL) -> ProcessQuerySet:
        return self.filter(organisers=user)

    def with_submission_count(self) -> ProcessQuerySet:
        """Annotate ``submission_count``: the active submissions, summed from the process's tally rows (kept
        by database triggers, see reports.tallies), never counted one by one."""
        return self.annotate(submission_count=active_submission_count(OuterRef("pk")))


def active_submission_count(process: object) -> Subquery:
    """The active submissions of ``process`` (an id or ``OuterRef``), from its tally rows: one indexed sum."""
    # The tally model lives in the reports app, above this one: it is reached by its table's relation name.
    tallies = (
        Process.objects.filter(pk=process)
        .annotate(active=Sum("tallies__n", filter=~Q(tallies__status=SubmissionStatus.WITHDRAWN)))
        .values("active")
    )
    return Coalesce(Subquery(tallies), 0)


def validate_content_language(code: str) -> None:
    """A language code of ``content_languages.CODES`` (blank is left to the field's ``blank``)."""
    if code and not content_languages.is_known(code):
        raise ValidationError(
            _("%(code)s is not a language code Trace knows. Choose a language from the list."),
            code="unknown_language",
            params={"code": code},
        )


# The texts of a process that organisers may give in several languages (``Process.translations``).
TRANSLATED_FIELDS = ("title", "summary", "description", "how_to_take_part")


class LocalisedText(str):
    """A text as a reader is shown it, with ``lang``: the language it is written in (for the ``lang`` attribute)."""

    lang: str

    def __new__(cls, text: str, lang: str) -> LocalisedText:
        value = super().__new__(cls, text)
        value.lang = lang
        return value


class Process(models.Model):
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    code = models.CharField(
        _("short code"),
        max_length=12,
        unique=True,
        validators=[RegexValidator(r"^[A-Z][A-Z0-9]{1,11}$", _("Use 2-12 capital letters and digits."))],
        help_text=_("Prefix of receipt references, e.g. IGF25 gives IGF25-00042."),
    )
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    how_to_take_part = models.TextField(_("how to take part"), blank=True)
    # The language the fields above are written in; readers in another language see them with a ``lang`` attribute
    # naming it, unless ``translations`` holds their language's version.
    original_language = models.CharField(
        _("original language"),
        max_length=12,
        default=settings.LANGUAGE_CODE,
        validators=[validate_content_language],
        help_text=_("The language the title, summary and description above are written in."),
    )
    # {"fr": {"title": ..., "summary": ..., "description": ..., "how_to_take_part": ...}, ...}: a version of those
    # texts per interface language, each field optional (a missing one shows the original). One column on the row
    # every page reads already: no query, no join, whatever the page lists.
    translations = models.JSONField(_("translations"), default=dict, blank=True)
    opens_at = models.DateTimeField(_("opens at"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    published_at = models.DateTimeField(_("report published at"), null=True, blank=True)
    response_window_days = models.PositiveSmallIntegerField(
        _("days to reply to a decision"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_("How long a submitter may agree with or contest a decision, counted from when it was made public."),
    )
    group_only_location = models.CharField(
        _("location of submitters shown by group only"),
        max_length=8,
        choices=GroupOnlyLocation.choices,
        default=GroupOnlyLocation.HIDDEN,
        help_text=_(
            "A submitter who chose to be shown by stakeholder group only is never shown with their country: "
            "either no location at all, or only the region of the world."
        ),
    )
    # The latest comment round's window, kept by the round services: the process takes submissions
    # within its own window or within this one.
    round_opens_at = models.DateTimeField(_("latest round opens at"), null=True, blank=True, editable=False)
    round_closes_at = models.DateTimeField(_("latest round closes at"), null=True, blank=True, editable=False)
    organisers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="organised_processes", blank=True, verbose_name=_("organisers")
    )
    # The last receipt number handed out. Incremented inside the write
    # transaction that creates the submission, so numbers never skip or repeat.
    last_number = models.PositiveIntegerField(default=0, editable=False)
    # Bumped in the same transaction as every write that changes the report's
    # numbers; cached indicators are keyed by it, so a stale entry is never read.
    stats_version = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ProcessQuerySet.as_manager()

    class Meta:
        verbose_name = _("process")
        verbose_name_plural = _("processes")
        ordering = ["-opens_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True) | Q(closes_at__isnull=True) | Q(closes_at__gt=models.F("opens_at")),
                name="process_closes_after_opening",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("consultations:process-detail", kwargs={"slug": self.slug})

    def phase(self, now: datetime | None = None) -> Phase:
        now = now or timezone.now()
        if self.published_at is not None:
            return Phase.PUBLISHED
        if self._round_open(now):
            return Phase.OPEN
        if self.opens_at is None or now < self.opens_at:
            return Phase.DRAFT
        if self.closes_at is None or now < self.closes_at:
            return Phase.OPEN
        return Phase.CLOSED

    def is_open(self, now: datetime | None = None) -> bool:
        return self.phase(now) == Phase.OPEN

    def _round_open(self, now: datetime) -> bool:
        return self.round_opens_at is not None and self.round_opens_at <= now < self.round_closes_at

    @property
    def deadline(self) -> datetime | None:
        """When submissions close (or closed): the later of the process's own window and its latest round."""
        now = timezone.now()
        own_open = self.opens_at is not None and self.closes_at is not None and self.opens_at <= now < self.closes_at
        if self._round_open(now):
            return max(self.round_closes_at, self.closes_at) if own_open else self.round_closes_at
        if own_open or self.round_closes_at is None or self.closes_at is None or self.round_closes_at > now:
            return self.closes_at
        return max(self.closes_at, self.round_closes_at)

    def is_public(self) -> bool:
        """Whether the public can see the process (it has an opening date, as ``visible()`` says): its slug
        and code are then cited and never change."""
        return self.opens_at is not None

    def clean(self) -> None:
        super().clean()
        self._clean_translations()
        if self.pk is None:
            return
        before = Process.objects.filter(pk=self.pk).values("slug", "code", "opens_at").first()
        if before is None or before["opens_at"] is None:
            return
        errors = {}
        if self.slug != before["slug"]:
            errors["slug"] = _("The process is public: its address is cited and cannot change.")
        if self.code != before["code"]:
            errors["code"] = _("The process is public: its receipt references are cited and the code cannot change.")
        if errors:
            raise ValidationError(errors)

    def _clean_translations(self) -> None:
        translations = self.translations
        offered = languages.offered()
        limits = {name: self._meta.get_field(name).max_length for name in TRANSLATED_FIELDS}
        if not isinstance(translations, dict) or not all(
            code in offered and isinstance(texts, dict) for code, texts in translations.items()
        ):
            raise ValidationError({"translations": _("Give translations only for the languages Trace is offered in.")})
        for code, texts in translations.items():
            if code == self.original_language and any(texts.values()):
                raise ValidationError(
                    {"translations": _("This is the original language: write its texts in the fields above.")}
                )
            for field, text in texts.items():
                if field not in limits or not isinstance(text, str):
                    raise ValidationError(
                        {
                            "translations": _(
                                "Only the title, summary, description and how to take part can be translated."
                            )
                        }
                    )
                if limits[field] is not None and len(text) > limits[field]:
                    raise ValidationError(
                        {
                            "translations": _("A translated %(field)s is longer than %(limit)d characters.")
                            % {"field": self._meta.get_field(field).verbose_name, "limit": limits[field]}
                        }
                    )

    def localised(self, field: str, language: str | None = None) -> LocalisedText:
        """``field`` (one of ``TRANSLATED_FIELDS``) in ``language`` (the active one by default) when the process
        gives it, else the original, each with the language it is written in."""
        language = language or translation.get_language() or settings.LANGUAGE_CODE
        translated = (
            (self.translations or {}).get(language, {}).get(field, "") if language != self.original_language else ""
        )
        if translated:
            return LocalisedText(translated, language)
        return LocalisedText(getattr(self, field), self.original_language)

    @property
    def localised_title(self) -> LocalisedText:
        return self.localised("title")

    @property
    def localised_summary(self) -> LocalisedText:
        return self.localised("summary")

    @property
    def localised_description(self) -> LocalisedText:
        return self.localised("description")

    @property
    def localised_how_to_take_part(self) -> LocalisedText:
        return self.localised("how_to_take_part")

    def is_organiser(self, user: settings.AUTH_USER_MODEL) -> bool:
        if not user.is_authenticated:
            return False
        return self.organisers.filter(pk=user.pk).exists()

    def touch(self) -> None:
        """Mark the report's numbers as changed (call inside the writing transaction)."""
        Process.objects.filter(pk=self.pk).update(stats_version=models.F("stats_version") + 1)

    def active_submission_count(self) -> int:
        """The submissions not withdrawn, summed from the process's tally rows (see ``with_submission_count``)."""
        return self.tallies.exclude(status=SubmissionStatus.WITHDRAWN).aggregate(n=Coalesce(Sum("n"), 0))["n"]

    @property
    def coarsens_to_region(self) -> bool:
        """Whether a submitter shown by group only is placed in their region (else nowhere) in public."""
        return self.group_only_location == GroupOnlyLocation.REGION

    def reference_for(self, number: int) -> str:
        return f"{self.code}-{number:05d}"


class ProcessEventKind(models.TextChoices):
    ROUND_OPENED = "round_opened", _("Comment round opened")
    ROUND_EXTENDED = "round_extended", _("Comment round extended")
    ROUND_CLOSED = "round_closed", _("Comment round closed")
    DECISIONS_RELEASED = "released", _("Decisions released")
    REPORT_PUBLISHED = "published", _("Report published")


class ProcessEvent(models.Model):
    """One step of a process's public history (rounds opened, extended, closed; decisions released; the
    report published). Rows are only added; the wording is rendered from ``kind`` and ``detail`` in the
    reader's language, never stored."""

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=16, choices=ProcessEventKind.choices)
    at = models.DateTimeField(_("at"), default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    # Numbers and times the wording needs (round number, closing time, count, snapshot number); no free text.
    detail = models.JSONField(default=dict, blank=True)
    # The process's history chain (see consultations.history): this entry's place, the hash before it, its own.
    chain_position = models.PositiveIntegerField(_("position in the history chain"), null=True, editable=False)
    prev_hash = models.CharField(_("previous entry's hash"), max_length=64, blank=True, default="", editable=False)
    entry_hash = models.CharField(_("entry hash"), max_length=64, blank=True, default="", editable=False)

    class Meta:
        verbose_name = _("process event")
        verbose_name_plural = _("process events")
        ordering = ["process", "-at", "-pk"]
        indexes = [models.Index(fields=["process", "-at"], name="process_event_recent")]
        constraints = [
            models.UniqueConstraint(fields=["process", "chain_position"], name="process_event_chain_position_unique")
        ]

    def __str__(self) -> str:
        return f"{self.process_id} {self.kind} {self.at:%Y-%m-%d}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ValueError("Process history is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise ValueError("Process history is append-only.")

    @property
    def description(self) -> str:
        """What happened, in the reader's language (rendered now, never stored)."""
        detail = self.detail
        if self.kind in (ProcessEventKind.ROUND_OPENED, ProcessEventKind.ROUND_EXTENDED, ProcessEventKind.ROUND_CLOSED):
            closes = datetime.fromisoformat(detail["closes_at"])
            values = {"number": detail["round"], "closes": languages.when(closes)}
            if self.kind == ProcessEventKind.ROUND_OPENED:
                return gettext("Comment round %(number)d opened, until %(closes)s.") % values
            if self.kind == ProcessEventKind.ROUND_EXTENDED:
                return gettext("Comment round %(number)d extended, now until %(closes)s.") % values
            return gettext("Comment round %(number)d closed on %(closes)s.") % values
        if self.kind == ProcessEventKind.DECISIONS_RELEASED:
            return ngettext(
                "Release %(number)d: %(count)d decision made public.",
                "Release %(number)d: %(count)d decisions made public.",
                detail["count"],
            ) % {"number": detail["release"], "count": detail["count"]}
        return gettext("Report published as snapshot %(number)d.") % {"number": detail["snapshot"]}


class HistoryHead(models.Model):
    """The head of a process's history chain: how many entries it has and the hash of the latest.

    Moved only by ``history.chain_seal``, in the transaction that writes the entry; the report shows it, and
    ``verify_history`` checks it against the chain recomputed from the entries."""

    process = models.OneToOneField(Process, on_delete=models.CASCADE, primary_key=True, related_name="history_head")
    entries = models.PositiveIntegerField(_("entries"), default=0)
    entry_hash = models.CharField(_("head hash"), max_length=64)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("history chain head")
        verbose_name_plural = _("history chain heads")

    def __str__(self) -> str:
        return f"{self.process_id}: {self.entries} entries, {self.entry_hash[:16]}"


@functools.cache
def _default_group_names() -> dict[str, str]:
    """The six default groups' names in every offered language, each with its kind: a group still so named was
    not renamed, whatever language its process was created in."""
    names = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            names.update({str(label): value for value, label in StakeholderKind.choices})
    return names


def group_label(name: str, kind: str) -> str:
    """A group's name for a reader: a default group's in the reader's language, a name organisers gave as written."""
    if kind and _default_group_names().get(name) == kind:
        return str(StakeholderKind(kind).label)
    return name


class StakeholderGroup(models.Model):
    """A stakeholder group as one process names it. ``name`` is stored as created (the default groups' in English)
    or as organisers renamed it; readers see ``label``."""

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(_("name"), max_length=80)
    kind = models.CharField(_("kind"), max_length=32, choices=StakeholderKind.choices, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("stakeholder group")
        verbose_name_plural = _("stakeholder groups")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["process", "name"], name="group_name_unique_in_process"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return group_label(self.name, self.kind)


class Attribution(models.TextChoices):
    NAME = "name", _("Show my name and organisation")
    GROUP = "group", _("Show only my stakeholder group")


class SubmissionStatus(models.TextChoices):
    """Where a submission stands. Kept on the row by the services that change it, in the same transaction."""

    PENDING = "pending", _("Pending")
    REFLECTED = "reflected", _("Reflected")
    EXCLUDED = "excluded", _("Excluded")
    # Considered and not adopted, with a public reason: left out without a legitimate ground.
    NOT_TAKEN_UP = "not_taken_up", _("Not taken up")
    # Reflected once, but a linked clause changed substantively or was removed in a later version:
    # the organisers must re-confirm the link (or decide again) before it counts as uptake.
    NEEDS_RECONFIRMATION = "reconfirm", _("Needs re-confirmation")
    WITHDRAWN = "withdrawn", _("Withdrawn")

    @classmethod
    def decided(cls) -> tuple[str, ...]:
        """The statuses that count as a current, valid decision (coverage's numerator)."""
        return (cls.REFLECTED, cls.EXCLUDED, cls.NOT_TAKEN_UP)


class CommentRound(models.Model):
    """A window in which a process takes submissions on one published draft version."""

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveSmallIntegerField(_("round"))
    # The outcomes app owns versions; the reference is by model name so this app never imports it.
    version = models.ForeignKey(
        "outcomes.DocumentVersion", on_delete=models.CASCADE, related_name="rounds", verbose_name=_("draft")
    )
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        verbose_name = _("comment round")
        verbose_name_plural = _("comment rounds")
        ordering = ["process", "number"]
        constraints = [
            models.UniqueConstraint(fields=["process", "number"], name="round_number_unique_in_process"),
            models.CheckConstraint(condition=Q(closes_at__gt=models.F("opens_at")), name="round_closes_after_opening"),
        ]

    def __str__(self) -> str:
        return str(_("Round %(number)d") % {"number": self.number})

    def is_open(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.opens_at <= now < self.closes_at


def shown_by_name() -> Q:
    """The submissions whose author's name, organisation and country are public: the author chose to be shown
    by name, is still a participant (account not deleted), has not withdrawn it, and it is not withheld.
    Every other submission is shown by stakeholder group only, and its country is hidden (or, when the
    process chooses, coarsened to its region)."""
    return (
        Q(attribution=Attribution.NAME) & ~Q(status=SubmissionStatus.WITHDRAWN) & Q(withheld=False) & ~Q(author_name="")
    )


def public_text() -> Q:
    """The submissions whose words are public: not withdrawn, not withheld. What is derived from the words (their
    language) is public on the same terms."""
    return ~Q(status=SubmissionStatus.WITHDRAWN) & Q(withheld=False)


def public_location_annotations(process: Process) -> dict[str, Case]:
    """``public_country`` (ISO code or ``""``) and ``public_region`` (``Region`` value or ``""``), computed in
    the database, so that a hidden country never leaves it."""
    named = shown_by_name()
    country = Case(When(named, then=F("country")), default=Value(""), output_field=CharField())
    if process.group_only_location != GroupOnlyLocation.REGION:
        return {"public_country": country, "public_region": Value("", output_field=CharField())}
    regions = [When(condition, then=Value(region)) for condition, region in region_when()]
    region = Case(When(named, then=Value("")), *regions, default=Value(""), output_field=CharField())
    return {"public_country": country, "public_region": region}


class SubmissionQuerySet(models.QuerySet["Submission"]):
    def for_process(self, process: Process) -> SubmissionQuerySet:
        return self.filter(process=process)

    def active(self) -> SubmissionQuerySet:
        return self.exclude(status=SubmissionStatus.WITHDRAWN)

    def with_status(self, status: str) -> SubmissionQuerySet:
        return self.filter(status=status)

    def by(self, user: settings.AUTH_USER_MODEL) -> SubmissionQuerySet:
        return self.filter(author=user)

    def shown_by_name(self) -> SubmissionQuerySet:
        return self.filter(shown_by_name())

    def with_public_location(self, process: Process) -> SubmissionQuerySet:
        return self.annotate(**public_location_annotations(process))

    def public_text(self) -> SubmissionQuerySet:
        return self.filter(public_text())

    def in_language(self, code: str) -> SubmissionQuerySet:
        """Submissions written in ``code`` (``content_languages.NOT_RECORDED``: not recorded) whose words are public:
        the language of a withdrawn or withheld text is not told."""
        language = "" if code == content_languages.NOT_RECORDED else code
        return self.public_text().filter(language=language)


class Submission(models.Model):
    process = models.ForeignKey(Process, on_delete=models.PROTECT, related_name="submissions")
    number = models.PositiveIntegerField(_("number"))
    reference = models.CharField(_("reference"), max_length=24)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="submissions", verbose_name=_("author")
    )
    # Who the author was when they submitted: profiles change, the record must not.
    stakeholder_group = models.ForeignKey(
        StakeholderGroup, on_delete=models.PROTECT, related_name="submissions", verbose_name=_("stakeholder group")
    )
    country = CountryField(_("country"), blank=True)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    author_name = models.CharField(_("author name"), max_length=120)
    attribution = models.CharField(
        _("public attribution"), max_length=8, choices=Attribution.choices, default=Attribution.NAME
    )

    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"), max_length=20000)
    target_clause = models.CharField(_("clause it refers to"), max_length=40, blank=True)
    # A comment on one clause of a draft, by the clause's permanent identity (from "comment on this paragraph").
    target = models.ForeignKey(
        "outcomes.ClauseIdentity",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="comments",
        verbose_name=_("clause commented on"),
    )
    round = models.ForeignKey(
        CommentRound,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="submissions",
        verbose_name=_("comment round"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=SubmissionStatus.choices, default=SubmissionStatus.PENDING
    )
    # Excluded on public morality (or on a legal ground that requires it): the title, text, proposed change
    # and author are kept from every public page and download. Kept by the decision services.
    withheld = models.BooleanField(_("withheld from the public"), default=False, editable=False)
    proposed_change = models.TextField(_("proposed change"), max_length=20000, blank=True)
    # The language the title and text are written in (content_languages.CODES), chosen by the author or detected
    # when filed or edited; blank: not recorded. Its text search configuration parses it (consultations.search).
    language = models.CharField(
        _("language"), max_length=12, blank=True, default="", validators=[validate_content_language]
    )
    language_source = models.CharField(
        _("language set by"), max_length=8, blank=True, default="", choices=LanguageSource.choices
    )
    text_sha256 = models.CharField(_("SHA-256 of the text"), max_length=64)

    form_token = models.UUIDField(default=uuid.uuid4, editable=False)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        ordering = ["process", "number"]
        constraints = [
            models.UniqueConstraint(fields=["process", "number"], name="submission_number_unique_in_process"),
            models.UniqueConstraint(fields=["process", "reference"], name="submission_reference_unique_in_process"),
            models.UniqueConstraint(fields=["author", "form_token"], name="submission_form_token_used_once"),
            models.CheckConstraint(condition=Q(number__gte=1), name="submission_number_positive"),
        ]
        indexes = [
            models.Index(fields=["process", "stakeholder_group"], name="submission_process_group"),
            models.Index(fields=["process", "country"], name="submission_process_country"),
            models.Index(fields=["author", "-received_at"], name="submission_author_recent"),
            # Counts by status per process, per group and per round (home, process page, workspace progress,
            # the report's tables) and the status-filtered lists in receipt order read these indexes.
            models.Index(fields=["process", "status", "number"], name="submission_process_status"),
            # The report's and the workspace's lists, filtered and in receipt order, page by page at any depth
            # (keyset): each equality filter leads an index that ends with the number. A group or a round implies
            # its process. Filters combined use the index of one of them and check the others on the rows it
            # reads (measured at a million submissions: docs/lists-and-search.md).
            models.Index(fields=["stakeholder_group", "number"], name="submission_group_number"),
            models.Index(fields=["stakeholder_group", "status", "number"], name="submission_group_status"),
            models.Index(fields=["round", "number"], name="submission_round_number"),
            models.Index(fields=["round", "status", "number"], name="submission_round_status"),
            # The redline's "commented on by" counts and samples per clause: the active comments on each clause
            # in receipt order, read from the index alone where the database can (PostgreSQL's INCLUDE).
            models.Index(
                fields=["target", "number"],
                name="submission_target_active",
                condition=~Q(status=SubmissionStatus.WITHDRAWN),
                include=["process", "reference"],
            ),
            # The country filter lists only submissions shown by name (see shown_by_name): a partial index of them.
            models.Index(
                fields=["process", "country", "number"],
                name="submission_named_country",
                condition=shown_by_name(),
            ),
            # The language filter lists only submissions whose words are public (see public_text): the same.
            models.Index(
                fields=["process", "language", "number"],
                name="submission_public_language",
                condition=public_text(),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("reports:submission-trace", kwargs={"slug": self.process.slug, "reference": self.reference})

    @staticmethod
    def normalise_text(text: str) -> str:
        """The text as it is stored and fingerprinted: line breaks as LF, no surrounding blank space.

        Browsers send a textarea's line breaks as CRLF; people see and copy LF."""
        return normalise_newlines(text).strip()

    @staticmethod
    def hash_text(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def receipt_matches(self, pasted: str) -> bool:
        """Whether ``pasted``, normalised as the submission form normalises a text, has the receipt's SHA-256."""
        return hmac.compare_digest(self.hash_text(self.normalise_text(pasted)), self.text_sha256)

    def receipt_hash(self) -> str:
        """SHA-256 of the submitted text as stored: the submitter can recompute it."""
        return self.hash_text(self.text)

    def is_decided(self) -> bool:
        """Whether the organisers recorded a decision (current, or one waiting for re-confirmation)."""
        return self.status not in (SubmissionStatus.PENDING, SubmissionStatus.WITHDRAWN)

    @property
    def is_withdrawn(self) -> bool:
        return self.status == SubmissionStatus.WITHDRAWN

    @property
    def is_excluded(self) -> bool:
        return self.status == SubmissionStatus.EXCLUDED

    @property
    def is_reconfirming(self) -> bool:
        return self.status == SubmissionStatus.NEEDS_RECONFIRMATION

    @property
    def is_author_withdrawn(self) -> bool:
        """The author deleted their account: their name and organisation were scrubbed."""
        return not self.author_name

    @property
    def is_shown_by_name(self) -> bool:
        """Whether the public may see the author's name, organisation and country (see ``shown_by_name``)."""
        return (
            self.attribution == Attribution.NAME
            and not self.is_withdrawn
            and not self.withheld
            and not self.is_author_withdrawn
        )

    @property
    def public_author(self) -> str:
        if self.withheld:
            return str(_("Withheld"))
        if self.is_author_withdrawn:
            return capfirst(str(WITHDRAWN_PARTICIPANT))
        if self.is_shown_by_name:
            if self.organisation:
                return f"{self.author_name} ({self.organisation})"
            return self.author_name
        return str(_("A member of %(group)s") % {"group": self.stakeholder_group.label})

    @property
    def public_country(self) -> str:
        """The ISO code of the country the public may see, or ``""``."""
        return self.country.code if self.is_shown_by_name and self.country else ""

    @property
    def public_region(self) -> str:
        """The region the public may see instead of a hidden country (when the process chooses it), or ``""``."""
        if self.is_shown_by_name or self.process.group_only_location != GroupOnlyLocation.REGION:
            return ""
        return region_of(self.country.code or "") if self.country else ""

    @property
    def public_language(self) -> str:
        """The language code the public may see (that of a text the public may read), or ``""``."""
        return self.language if not (self.is_withdrawn or self.withheld) else ""

    @property
    def public_location(self) -> str:
        """Where the author is from, as the public may read it: the country's name, a region, or ``""``."""
        if self.public_country:
            return str(self.country.name)
        region = self.public_region
        return str(Region(region).label) if region else ""
