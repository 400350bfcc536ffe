"""The notification outbox: mail is recorded with the write, sent by the task worker after commit,
retried on failure and never lost; opt-outs are read at send time."""

from __future__ import annotations

import json
import logging
import uuid
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.template import TemplateDoesNotExist
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from traceability.accounts.models import Notification, NotificationKind, NotificationStatus
from traceability.accounts.services import notify
from traceability.consultations.models import Submission

from .conftest import client_for
from .factories import file_submission, group_of, make_process

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": django_settings.TASK_QUEUES}}
REFUSING = "tests.mail_backends.RefusingBackend"
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


def file_through_the_form(client, process) -> None:
    response = client.post(
        reverse("consultations:submission-create", args=[process.slug]),
        {
            "title": "Name every stakeholder group",
            "text": "Clause 3 should name all six groups.",
            "target_clause": "3",
            "proposed_change": "",
            "stakeholder_group": group_of(process).pk,
            "attribution": "name",
            "form_token": str(uuid.uuid4()),
        },
    )
    assert response.status_code == 302, response.content.decode()


def run_worker() -> None:
    """The real database worker: run every task that is due, then exit."""
    call_command("db_worker", batch=True, no_startup_delay=True, reload=False, interval=0, verbosity=0)


def decision_context(submission: Submission) -> dict[str, object]:
    return {
        "reference": submission.reference,
        "process_title": submission.process.title,
        "decision": "reflected",
        "trace_path": submission.get_absolute_url(),
    }


@pytest.mark.django_db(transaction=True)
def test_the_real_worker_delivers_the_receipt_after_the_request(stakeholder, process, settings):
    settings.TASKS = DATABASE_TASKS
    settings.SITE_URL = "https://trace.example.org"

    file_through_the_form(client_for(stakeholder), process)

    # The request only recorded the mail and queued its task.
    submission = Submission.objects.get()
    notification = Notification.objects.get()
    assert mail.outbox == []
    assert (notification.recipient, notification.kind, notification.status) == (
        stakeholder,
        NotificationKind.RECEIPT,
        NotificationStatus.QUEUED,
    )
    assert DBTaskResult.objects.ready().count() == 1

    run_worker()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [stakeholder.email]
    assert message.subject == f"Receipt IGF25-00001: {process.title}"
    assert "IGF25-00001" in message.body and submission.text_sha256 in message.body
    assert "https://trace.example.org" + submission.get_absolute_url() in message.body
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.SENT and notification.sent_at is not None
    # The stored context names no one: the address is read from the user when the mail is rendered.
    assert stakeholder.email not in str(notification.context)
    assert stakeholder.display_name not in str(notification.context)


@pytest.mark.django_db(transaction=True)
def test_a_refusing_mail_server_loses_nothing_and_a_later_run_delivers(stakeholder, process, settings, caplog):
    settings.TASKS = DATABASE_TASKS
    settings.EMAIL_BACKEND = REFUSING

    file_through_the_form(client_for(stakeholder), process)
    with caplog.at_level(logging.WARNING, logger="traceability.accounts.services"):
        run_worker()

    # The submission stands; the mail waits for its retry, with the error recorded and logged.
    assert Submission.objects.get().reference == "IGF25-00001"
    notification = Notification.objects.get()
    assert notification.status == NotificationStatus.QUEUED
    assert notification.attempts == 1
    assert "SMTPRecipientsRefused" in notification.last_error
    assert stakeholder.email not in notification.last_error  # the server quoted it; the record does not
    assert notification.next_attempt_at > timezone.now() + timedelta(seconds=30)
    warning = next(r for r in caplog.records if r.levelno == logging.WARNING)
    assert f"Notification {notification.pk}" in warning.getMessage()
    assert "SMTPRecipientsRefused" in warning.getMessage()
    assert mail.outbox == []
    retry = DBTaskResult.objects.get(status="READY")
    assert retry.run_after == notification.next_attempt_at

    # Time passes; the server accepts mail again.
    settings.EMAIL_BACKEND = LOCMEM
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())
    run_worker()

    notification.refresh_from_db()
    assert notification.status == NotificationStatus.SENT
    assert notification.attempts == 2 and notification.last_error == ""
    assert len(mail.outbox) == 1 and "IGF25-00001" in mail.outbox[0].body


@pytest.mark.django_db(transaction=True)
def test_after_the_last_attempt_the_notification_is_failed_and_can_be_resent(stakeholder, process, settings):
    settings.TASKS = DATABASE_TASKS
    settings.EMAIL_BACKEND = REFUSING
    settings.NOTIFICATION_MAX_ATTEMPTS = 3
    settings.NOTIFICATION_RETRY_SECONDS = 0  # every retry is due at once: one worker run makes every attempt

    file_through_the_form(client_for(stakeholder), process)
    run_worker()

    notification = Notification.objects.get()
    assert (notification.status, notification.attempts) == (NotificationStatus.FAILED, 3)
    assert not DBTaskResult.objects.ready().exists()  # given up: nothing more is queued

    settings.EMAIL_BACKEND = LOCMEM
    call_command("resend_notifications", "--failed", stdout=open("/dev/null", "w"))  # noqa: SIM115
    run_worker()

    notification.refresh_from_db()
    assert notification.status == NotificationStatus.SENT
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_write_sends_nothing(stakeholder, process):
    submission_count = Submission.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        notify(user=stakeholder, kind=NotificationKind.PUBLICATION, template="accounts/email/publication", context={})
        raise RuntimeError("the write failed")

    assert Notification.objects.count() == 0
    assert Submission.objects.count() == submission_count
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_with_the_database_queue_the_task_commits_with_the_write_in_one_transaction(stakeholder, process, settings):
    """The queue is a table of the same database: the task row is written inside the filing's transaction (one
    commit for the filing, its mail and its task), and a write that rolls back leaves neither behind."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.TASKS = DATABASE_TASKS
    with CaptureQueriesContext(connection) as queries:
        file_submission(process, stakeholder)
    task_inserts = [
        i for i, q in enumerate(queries.captured_queries) if "dbtaskresult" in q["sql"].lower() and "INSERT" in q["sql"]
    ]
    commits = [i for i, q in enumerate(queries.captured_queries) if q["sql"].strip().upper().startswith("COMMIT")]
    assert len(task_inserts) == 1
    assert task_inserts[0] < commits[-1], "the task is queued before the transaction commits, not after"
    assert DBTaskResult.objects.ready().count() == 1 == Notification.objects.count()

    with pytest.raises(RuntimeError), transaction.atomic():
        notify(user=stakeholder, kind=NotificationKind.PUBLICATION, template="accounts/email/publication", context={})
        raise RuntimeError("the write failed")
    assert DBTaskResult.objects.count() == 1 == Notification.objects.count()

    run_worker()
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_receipts_always_go_but_updates_respect_the_opt_out_read_at_send_time(stakeholder, process, settings):
    settings.TASKS = DATABASE_TASKS
    file_through_the_form(client_for(stakeholder), process)
    submission = Submission.objects.get()
    notify(
        user=stakeholder,
        kind=NotificationKind.DECISION,
        template="accounts/email/decision",
        context=decision_context(submission),
    )
    # The person opts out after the decision mail was queued, before the worker runs.
    client_for(stakeholder).post(
        reverse("accounts:profile"),
        {
            "display_name": stakeholder.display_name,
            "organisation": "X",
            "stakeholder_kind": "civil_society",
            "country": "KE",
            "language": "en",
        },
    )
    stakeholder.refresh_from_db()
    assert stakeholder.notify_updates is False

    run_worker()

    assert [m.subject for m in mail.outbox] == [f"Receipt IGF25-00001: {process.title}"]
    statuses = dict(Notification.objects.values_list("kind", "status"))
    assert statuses == {NotificationKind.RECEIPT: NotificationStatus.SENT, NotificationKind.DECISION: "skipped"}


def test_updates_reach_those_who_did_not_opt_out(stakeholder, process, django_capture_on_commit_callbacks):
    from .factories import file_submission

    with django_capture_on_commit_callbacks(execute=True):
        submission = file_submission(process, stakeholder)
        notify(
            user=stakeholder,
            kind=NotificationKind.DECISION,
            template="accounts/email/decision",
            context={**decision_context(submission), "respond_until": "30 July 2026"},
        )

    decision = mail.outbox[1]
    assert decision.subject == f"Decision on {submission.reference}: {process.title}"
    assert "It is reflected in the outcome document." in decision.body
    assert "until 30 July 2026" in decision.body
    assert submission.get_absolute_url() in decision.body
    assert reverse("accounts:profile") in decision.body


@pytest.mark.parametrize(
    ("template", "context"),
    [
        ("accounts/email/contest_reply", {"reference": "IGF25-00001", "process_title": "T", "trace_path": "/x/"}),
        (
            "accounts/email/publication",
            {"process_title": "T", "report_path": "/r/", "snapshot_number": 2, "snapshot_sha256": "ab" * 32},
        ),
    ],
)
def test_the_other_kinds_render_from_their_context(
    stakeholder, template, context, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://trace.example.org"
    kind = template.rsplit("/", 1)[1]
    with django_capture_on_commit_callbacks(execute=True):
        notify(user=stakeholder, kind=kind, template=template, context=context)

    body = mail.outbox[0].body
    assert "https://trace.example.org/" in body
    assert "T" in mail.outbox[0].subject
    if "snapshot_sha256" in context:
        assert "ab" * 32 in body


def test_the_stored_context_never_carries_the_recipients_address(stakeholder):
    notification = notify(
        user=stakeholder,
        kind=NotificationKind.DECISION,
        template="accounts/email/decision",
        context={"title": f"Write to {stakeholder.email.upper()} for details"},
    )
    stored = json.dumps(Notification.objects.get(pk=notification.pk).context)
    assert stakeholder.email.lower() not in stored.lower()
    assert "Write to [e-mail address] for details" in stored


def test_a_title_quoting_the_authors_address_is_filed_and_receipted(client, stakeholder):
    process = make_process(phase="open")
    title = f"Contact me at {stakeholder.email}"
    submission = file_submission(process, stakeholder, title=title)
    assert submission.title == title
    receipt = Notification.objects.get(recipient=stakeholder, kind=NotificationKind.RECEIPT)
    assert stakeholder.email not in json.dumps(receipt.context)


def test_a_missing_template_or_unknown_kind_fails_at_once(stakeholder):
    with pytest.raises(TemplateDoesNotExist):
        notify(user=stakeholder, kind=NotificationKind.DECISION, template="accounts/email/nope", context={})
    with pytest.raises(ValueError, match="kind"):
        notify(user=stakeholder, kind="sms", template="accounts/email/decision", context={})
    assert not Notification.objects.exists()


def test_the_profile_page_offers_the_opt_out_and_says_receipts_always_go(stakeholder_client):
    page = stakeholder_client.get(reverse("accounts:profile")).content.decode()
    assert 'name="notify_updates"' in page
    assert "Receipts are always sent." in page


def test_failed_notifications_are_listed_read_only_in_the_admin(admin_user, stakeholder):
    failed = Notification.objects.create(
        recipient=stakeholder,
        kind=NotificationKind.RECEIPT,
        template="consultations/email/receipt",
        status=NotificationStatus.FAILED,
        attempts=5,
        last_error="SMTPServerDisconnected: gone",
    )
    client = client_for(admin_user)
    listing = client.get(reverse("admin:accounts_notification_changelist") + "?status=failed")
    assert listing.status_code == 200 and f">{failed.pk}<" in listing.content.decode()
    detail = client.get(reverse("admin:accounts_notification_change", args=[failed.pk])).content.decode()
    assert "SMTPServerDisconnected: gone" in detail
    assert 'name="_save"' not in detail
