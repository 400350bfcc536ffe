"""Users are stakeholders: a person with a display name, an organisation,
a stakeholder group and a country. E-mail is the sign-in name and is never
shown to other stakeholders."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from traceability import languages


class StakeholderKind(models.TextChoices):
    """The default stakeholder groups. A process may rename them or add its own."""

    GOVERNMENT = "government", _("Government")
    PRIVATE_SECTOR = "private_sector", _("Private sector")
    CIVIL_SOCIETY = "civil_society", _("Civil society")
    ACADEMIA = "academia", _("Academia")
    TECHNICAL_COMMUNITY = "technical_community", _("Technical community")
    INTERNATIONAL_ORGANISATION = "international_organisation", _("International organisation")


# How a person who deleted their account is shown everywhere their name would have been.
WITHDRAWN_PARTICIPANT = _("withdrawn participant")


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: object) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("display_name", "Site admin")
        return self._create_user(email, password, **extra)


def validate_interface_language(code: str) -> None:
    """One of the languages Trace's interface (and so its mail) is offered in (blank is left to ``blank``)."""
    if code and code not in languages.offered():
        raise ValidationError(_("Choose one of the languages Trace is offered in."), code="unknown_language")


class User(AbstractUser):
    username = None  # type: ignore[assignment]
    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]
    email = models.EmailField(_("e-mail address"), unique=True)
    display_name = models.CharField(_("display name"), max_length=120)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    stakeholder_kind = models.CharField(
        _("stakeholder group"),
        max_length=32,
        choices=StakeholderKind.choices,
        default=StakeholderKind.CIVIL_SOCIETY,
    )
    country = CountryField(_("country"), blank=True)
    notify_updates = models.BooleanField(
        _("e-mail me about my submissions"),
        default=True,
        help_text=_(
            "Decisions on your submissions, replies to your contests and the publication of reports. "
            "Receipts are always sent."
        ),
    )
    # The language of the e-mails this person receives: the one they signed up in, changed on their profile. Blank
    # for accounts older than the field (their mail goes in the language of the page that caused it).
    language = models.CharField(
        _("language of e-mails"),
        max_length=12,
        blank=True,
        default="",
        db_default="",  # rows written by COPY (generate_load) name no language
        validators=[validate_interface_language],
        help_text=_("Receipts, decisions and other e-mails about your submissions come in this language."),
    )
    # Set when the person deleted their account: the row stays (submissions point to it), scrubbed.
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True, editable=False)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        if self.anonymised_at is not None:
            return str(WITHDRAWN_PARTICIPANT)
        return self.display_name or self.email

    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return self.display_name


class NotificationKind(models.TextChoices):
    RECEIPT = "receipt", _("Receipt")
    DECISION = "decision", _("Decision released")
    CONTEST_REPLY = "contest_reply", _("Reply to a contest")
    PUBLICATION = "publication", _("Report published")

    @classmethod
    def always_sent(cls) -> tuple[str, ...]:
        """Kinds sent whatever the recipient's opt-out says."""
        return (cls.RECEIPT,)


class NotificationStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    # Claimed by a worker that is sending it now.
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    # Opted out (checked at send time), or the account was closed before it went.
    SKIPPED = "skipped", _("Skipped")
    FAILED = "failed", _("Failed")


class NotificationQuerySet(models.QuerySet["Notification"]):
    def due(self, now: datetime) -> NotificationQuerySet:
        """Queued notifications whose next attempt is not in the future (the sweep resends these)."""
        return self.filter(status=NotificationStatus.QUEUED).filter(
            models.Q(next_attempt_at__isnull=True) | models.Q(next_attempt_at__lte=now)
        )

    def for_recipient(self, user: User) -> NotificationQuerySet:
        return self.filter(recipient=user)


class Notification(models.Model):
    """One e-mail to one user, recorded before it is sent so that it is never lost.

    ``context`` holds only non-personal data (references, paths, a process code): the address and
    the name are read from the recipient when the mail is rendered, so a deleted account leaves
    nothing behind in these rows.
    """

    recipient = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("recipient")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=NotificationKind.choices)
    template = models.CharField(_("template"), max_length=200)
    context = models.JSONField(_("context"), default=dict, blank=True)
    language = models.CharField(_("language"), max_length=12, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=NotificationStatus.choices, default=NotificationStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="notification_due"),
            models.Index(fields=["recipient", "-created_at"], name="notification_recipient"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} ({self.get_status_display()})"


class SecurityEventKind(models.TextChoices):
    SIGN_IN = "sign_in", _("Signed in")
    SIGN_IN_FAILED = "sign_in_failed", _("Sign-in failed")
    LOCKED_OUT = "locked_out", _("Sign-in locked out")
    SIGN_OUT = "sign_out", _("Signed out")
    SIGNED_UP = "signed_up", _("Account created")
    EMAIL_VERIFIED = "email_verified", _("E-mail address verified")
    PASSWORD_CHANGED = "password_changed", _("Password changed")
    PASSWORD_RESET = "password_reset", _("Password reset")
    MFA_ADDED = "mfa_added", _("Two-factor method added")
    MFA_REMOVED = "mfa_removed", _("Two-factor method removed")
    MFA_FAILED = "mfa_failed", _("Wrong two-factor code")
    ROLE_CHANGED = "role_changed", _("Role changed")
    PUBLISHED = "published", _("Report published")
    BLOCKED = "blocked", _("Request blocked")


class BlockReason(models.TextChoices):
    RATE_LIMIT = "rate_limit", _("Too many requests")
    HONEYPOT = "honeypot", _("Hidden field filled in (an automated form)")
    UNVERIFIED = "unverified", _("E-mail address not verified")


class SecurityEventQuerySet(models.QuerySet["SecurityEvent"]):
    def blocked(self) -> SecurityEventQuerySet:
        return self.filter(kind=SecurityEventKind.BLOCKED)

    def for_process(self, process_id: int) -> SecurityEventQuerySet:
        return self.filter(process_id=process_id)


class SecurityEvent(models.Model):
    """One entry of the security audit log: append-only, written by ``audit.record``.

    The client address is stored only as a keyed hash (HMAC-SHA256), enough to tell that attempts
    came from one source. ``detail`` is structured data, never a preformatted line, so nothing a user
    types can forge an entry. ``process_id`` names the process a blocked filing was aimed at (a plain
    number: accounts sit below the consultations app, and an entry must outlive what it names).
    """

    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    kind = models.CharField(_("kind"), max_length=20, choices=SecurityEventKind.choices)
    user = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="security_events",
        verbose_name=_("user"),
    )
    ip_hash = models.CharField(_("client address (keyed hash)"), max_length=64, blank=True)
    action = models.CharField(_("action"), max_length=40, blank=True)
    reason = models.CharField(_("reason"), max_length=16, choices=BlockReason.choices, blank=True)
    process_id = models.PositiveBigIntegerField(_("process"), null=True, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    objects = SecurityEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("security event")
        verbose_name_plural = _("security events")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["kind", "-at"], name="security_event_kind"),
            models.Index(fields=["process_id", "kind", "-at"], name="security_event_process"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M:%S}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None and not self._state.adding:
            raise ValueError("The security log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        raise ValueError("The security log is append-only.")
