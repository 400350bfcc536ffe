"""Writes on accounts: the notification outbox, and closing an account.

Notifications are recorded in the caller's transaction and sent by a background task after it
commits, so a rolled-back write sends nothing and a failed send never rolls back the write.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import datetime, timedelta

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F
from django.template.loader import get_template, render_to_string
from django.urls import translate_url
from django.utils import timezone, translation

from traceability import languages

from .models import Notification, NotificationKind, NotificationStatus, SecurityEvent, User
from .signals import user_anonymised

logger = logging.getLogger(__name__)

# A notification still "sending" after this long was claimed by a worker that died mid-send.
STALE_SENDING = timedelta(minutes=15)


def template_names(template: str) -> tuple[str, str]:
    """The subject and body templates of a notification template ``"app/email/name"``."""
    return f"{template}_subject.txt", f"{template}.txt"


def mail_language(user: User) -> str:
    """The language mail to ``user`` is written in: theirs when they chose one, not that of whoever caused the mail
    (an organiser who decides in English writes to a submitter who reads Arabic); for older accounts, the active
    language. Callers write what they put in a mail's context (a process's title) in it too."""
    return user.language or translation.get_language() or settings.LANGUAGE_CODE


def notify(*, user: User, kind: str, template: str, context: dict[str, object]) -> Notification:
    """Record an e-mail to ``user`` and send it in the background once the caller's transaction commits.

    Call it inside the transaction of the write the mail is about: if that write rolls back, the
    notification row goes with it and nothing is sent; if sending fails later, the write stands and
    the notification is retried (with backoff) and, after ``NOTIFICATION_MAX_ATTEMPTS``, marked failed
    (visible in the admin; ``manage.py resend_notifications --failed`` sends it again).

    - ``kind``: a ``NotificationKind`` (receipt, decision, contest_reply, publication). All but receipts
      are skipped at send time for a recipient who opted out (``User.notify_updates``).
    - ``template``: a template name without extension, e.g. ``"accounts/email/decision"``; the mail's
      subject is rendered from ``<template>_subject.txt``, its plain-text body from ``<template>.txt``,
      at send time, in the language active now.
    - ``context``: JSON values only, and nothing personal: references, paths (``reverse(...)``), a process
      code or title, a decision's kind. Never an e-mail address or a name: the row outlives the send,
      and a deleted account must leave no trace. The templates also get ``site_url`` (``SITE_URL``,
      so ``{{ site_url }}{{ trace_path }}`` is an absolute link) and ``recipient`` (the user, read at
      send time).

    Raises ``ValueError`` for an unknown kind, ``TypeError`` for a context that is not JSON, and
    ``TemplateDoesNotExist`` for a missing template. The recipient's address, where user-written text in the
    context quotes it, is replaced by "[e-mail address]" (never stored, never a failed write).
    """
    if kind not in NotificationKind.values:
        raise ValueError(f"Unknown notification kind: {kind!r}")
    for name in template_names(template):
        get_template(name)  # a typo fails in the caller's tests, not silently in the worker
    serialised = json.dumps(context)  # raises TypeError for values that are not JSON
    if user.email and user.email.lower() in serialised.lower():
        # User-written text (a title, say) may quote the address: it is left out of the stored context
        # rather than failing the write the mail is about.
        serialised = re.sub(re.escape(json.dumps(user.email)[1:-1]), "[e-mail address]", serialised, flags=re.I)
    notification = Notification.objects.create(
        recipient=user,
        kind=kind,
        template=template,
        context=json.loads(serialised),
        language=mail_language(user),
    )
    if _queue_in_this_transaction(Notification):
        # The queue is a table of the same database: the task row commits with the write (one commit, not two),
        # and no worker can see it before the notification it sends exists.
        try:
            with transaction.atomic():
                _enqueue(notification.pk, raise_errors=True)
        except Exception as error:  # noqa: BLE001  (the row is the record: resend_notifications picks it up)
            logger.warning("Notification %s could not be queued (it stays queued): %s", notification.pk, error)
    else:
        transaction.on_commit(lambda: _enqueue(notification.pk))
    return notification


def _queue_in_this_transaction(model: type) -> bool:
    """Whether the task queue is a table in the database ``model`` is written to, inside a transaction there
    (django-tasks-db's backend): then enqueueing is an INSERT that can join the transaction."""
    from django.db import router
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    from .tasks import deliver_notification

    alias = router.db_for_write(model)
    return (
        isinstance(deliver_notification.get_backend(), DatabaseBackend)
        and router.db_for_write(DBTaskResult) == alias
        and transaction.get_connection(alias).in_atomic_block
    )


def _enqueue(notification_id: int, run_after: datetime | None = None, *, raise_errors: bool = False) -> None:
    """Hand the notification to the task backend. If that fails (queue down), or the backend cannot
    defer a retry, the row stays queued and ``resend_notifications`` picks it up: nothing is lost."""
    from .tasks import deliver_notification

    task = deliver_notification
    try:
        if run_after is not None:
            if not task.get_backend().supports_defer:
                return
            task = task.using(run_after=run_after)
        task.enqueue(notification_id)
    except Exception as error:  # noqa: BLE001  (any backend failure: the row is the record)
        if raise_errors:
            raise
        logger.warning("Notification %s could not be queued (it stays queued): %s", notification_id, error)


def notification_deliver(*, notification_id: int) -> str:
    """Send one notification (the task's body). Returns the status it ended in.

    A worker first claims the row (queued -> sending, one UPDATE), so two deliveries of one
    notification never both send. Opt-outs are read now, not when the mail was queued.
    """
    claimed = Notification.objects.filter(pk=notification_id, status=NotificationStatus.QUEUED).update(
        status=NotificationStatus.SENDING, updated_at=timezone.now()
    )
    if not claimed:
        current = Notification.objects.filter(pk=notification_id).values_list("status", flat=True).first()
        return current or "gone"
    notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    recipient = notification.recipient
    if not _wanted(notification):
        _finish(notification, status=NotificationStatus.SKIPPED)
        return NotificationStatus.SKIPPED
    try:
        message = render_notification(notification)
        with get_connection(timeout=settings.EMAIL_TIMEOUT) as connection:
            message.connection = connection
            message.send()
    except Exception as error:  # noqa: BLE001  (whatever the mail backend raises is retried)
        return _record_failure(notification, error=_redacted(error, recipient))
    _finish(notification, status=NotificationStatus.SENT, sent_at=timezone.now())
    return NotificationStatus.SENT


def _wanted(notification: Notification) -> bool:
    recipient = notification.recipient
    if not recipient.is_active or recipient.anonymised_at is not None:
        return False
    return notification.kind in NotificationKind.always_sent() or recipient.notify_updates


def render_notification(notification: Notification) -> EmailMessage:
    """The e-mail as it would be sent now: subject and body rendered in the notification's language."""
    subject_name, body_name = template_names(notification.template)
    language = notification.language or settings.LANGUAGE_CODE
    context = {
        **_localised(notification.context, language),
        "site_url": settings.SITE_URL,
        "recipient": notification.recipient,
    }
    with translation.override(language):
        subject = " ".join(render_to_string(subject_name, context).split())
        body = render_to_string(body_name, context)
    return EmailMessage(subject=subject, body=body, to=[notification.recipient.email])


def _localised(context: dict[str, object], language: str) -> dict[str, object]:
    """The stored context as the recipient's language shows it: addresses (``*_path``) in that language's URLs,
    and moments (``*_at`` and ``*_until``, stored as ISO 8601) in its date format. A value that is not one of
    these (a date already formatted by an older version) is kept as it is."""
    shown = dict(context)
    for key, value in context.items():
        if not isinstance(value, str):
            continue
        if key.endswith("_path"):
            # An address resolves in the language it was written in (its prefix), then is written in this one.
            with translation.override(translation.get_language_from_path(value) or settings.LANGUAGE_CODE):
                shown[key] = translate_url(value, language)
        elif key.endswith(("_at", "_until")):
            try:
                moment = datetime.fromisoformat(value)
            except ValueError:
                continue
            if timezone.is_naive(moment):  # never stored so; written as the site's time rather than failing the mail
                moment = timezone.make_aware(moment)
            with translation.override(language):
                shown[key] = languages.when(moment)
    return shown


def _finish(notification: Notification, *, status: str, sent_at: datetime | None = None) -> None:
    Notification.objects.filter(pk=notification.pk).update(
        status=status,
        sent_at=sent_at,
        attempts=F("attempts") + (1 if status == NotificationStatus.SENT else 0),
        last_error="" if status == NotificationStatus.SENT else F("last_error"),
        next_attempt_at=None,
        updated_at=timezone.now(),
    )


def _redacted(error: Exception, recipient: User) -> str:
    """The error as text, without the recipient's address (SMTP errors often quote it)."""
    text = f"{type(error).__name__}: {error}"
    if recipient.email:
        text = text.replace(recipient.email, "<recipient>")
    return text[:2000]


def _record_failure(notification: Notification, *, error: str) -> str:
    now = timezone.now()
    attempts = notification.attempts + 1
    if attempts >= settings.NOTIFICATION_MAX_ATTEMPTS:
        status, next_attempt_at = NotificationStatus.FAILED, None
    else:
        status = NotificationStatus.QUEUED
        next_attempt_at = now + timedelta(seconds=settings.NOTIFICATION_RETRY_SECONDS * 2 ** (attempts - 1))
    Notification.objects.filter(pk=notification.pk).update(
        status=status, attempts=attempts, last_error=error, next_attempt_at=next_attempt_at, updated_at=now
    )
    logger.warning(
        "Notification %s: delivery attempt %d of %d failed (%s): %s",
        notification.pk,
        attempts,
        settings.NOTIFICATION_MAX_ATTEMPTS,
        "retrying at " + next_attempt_at.isoformat() if next_attempt_at else "marked failed",
        error,
    )
    if next_attempt_at is not None:
        _enqueue(notification.pk, run_after=next_attempt_at)
    return status


def notifications_resend(
    *, failed: bool = False, ids: list[int] | None = None, now: datetime | None = None
) -> list[int]:
    """Queue again what is due: queued notifications whose retry time has come (their task may have
    been lost), those stuck "sending" by a worker that died, and with ``failed`` the failed ones
    (their attempts start again). Returns the ids handed to the task backend."""
    now = now or timezone.now()
    due = Notification.objects.due(now) | Notification.objects.filter(
        status=NotificationStatus.SENDING, updated_at__lt=now - STALE_SENDING
    )
    if failed:
        due = due | Notification.objects.filter(status=NotificationStatus.FAILED)
    if ids is not None:
        due = due.filter(pk__in=ids)
    chosen = list(due.values_list("pk", flat=True))
    with transaction.atomic():
        Notification.objects.filter(pk__in=chosen, status=NotificationStatus.FAILED).update(attempts=0)
        Notification.objects.filter(pk__in=chosen).update(
            status=NotificationStatus.QUEUED, next_attempt_at=None, updated_at=now
        )
        for pk in chosen:
            transaction.on_commit(lambda pk=pk: _enqueue(pk))
    return chosen


@transaction.atomic
def account_anonymise(*, user: User, now: datetime | None = None) -> User:
    """Close ``user``'s account without deleting what they filed to the public record.

    The row stays (submissions and decisions point to it) but everything that identifies the person
    goes: e-mail (``deleted-<pk>@invalid``, and allauth's address rows), two-factor authenticators,
    display name, organisation, country, password (unusable),
    staff rights and process roles; the account becomes inactive, its sessions end, its notifications
    are deleted and its entries in the admin log lose its name. Apps above this one scrub their own
    copies when ``user_anonymised`` is sent (in this transaction).
    """
    now = now or timezone.now()
    user = User.objects.select_for_update().get(pk=user.pk)
    user.email = f"deleted-{user.pk}@invalid"
    user.display_name = ""
    user.organisation = ""
    user.country = ""
    user.notify_updates = False
    user.is_active = user.is_staff = user.is_superuser = False
    user.last_login = None
    user.anonymised_at = now
    user.set_unusable_password()
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
    user.notifications.all().delete()
    # django-allauth's copies of the address (and its pending confirmations) and the second factors.
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    # The security log keeps its entries (times, kinds, hashed addresses) but not the browser strings.
    SecurityEvent.objects.filter(user=user).update(detail={})
    LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk)).update(
        object_repr=str(user), change_message=""
    )
    _end_sessions(user, now)
    user_anonymised.send(sender=User, user=user, now=now)
    return user


def _end_sessions(user: User, now: datetime) -> None:
    # The unusable password already invalidates every session's auth hash; this deletes the rows.
    if settings.SESSION_ENGINE != "django.contrib.sessions.backends.db":
        return
    ended = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=now).iterator()
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk)
    ]
    Session.objects.filter(pk__in=ended).delete()
