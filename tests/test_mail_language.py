"""E-mails reach each person in their own language: the one they signed up in, or chose on their profile, whatever
the language of whoever caused the mail. Links in the mail open the site in that language, and dates are written
the way it writes them."""

from __future__ import annotations

import re
import uuid

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation

from traceability.accounts.models import User
from traceability.accounts.services import notify
from traceability.consultations.models import Submission
from traceability.dispositions.services import disposition_exclude

from .conftest import client_for
from .factories import group_of, import_document

pytestmark = pytest.mark.django_db

SIGN_UP = {
    "display_name": "ليلى حداد",
    "email": "layla@example.org",
    "organisation": "Amman Digital Rights",
    "stakeholder_kind": "civil_society",
    "country": "JO",
    "password1": "a long enough passphrase 42",
    "password2": "a long enough passphrase 42",
}


def test_a_person_who_signs_up_in_arabic_gets_every_mail_in_arabic(
    process, organiser, django_capture_on_commit_callbacks
):
    import_document(process, organiser)
    with django_capture_on_commit_callbacks(execute=True):
        assert Client().post("/ar/accounts/signup/", SIGN_UP).status_code == 302
    person = User.objects.get(email="layla@example.org")
    assert person.language == "ar"
    confirmation = mail.outbox[-1]
    assert re.search(r"/ar/accounts/confirm-email/\S+/", confirmation.body), confirmation.body
    person.emailaddress_set.update(verified=True)

    # Filing from a page in Arabic: the receipt is in Arabic, with an Arabic link and date.
    client = client_for(person)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/ar/processes/{process.slug}/submit/",
            {
                "title": "تسمية جميع أصحاب المصلحة",
                "text": "ينبغي أن يسمي البند 3 جميع المجموعات الست.",
                "target_clause": "3",
                "stakeholder_group": group_of(process).pk,
                "attribution": "name",
                "form_token": str(uuid.uuid4()),
            },
        )
    assert response.status_code == 302, response.content.decode()
    submission = Submission.objects.get(author=person)
    receipt = mail.outbox[-1]
    with translation.override("ar"):
        received = translation.gettext("Received")
        trace_path = reverse("reports:submission-trace", args=[process.slug, submission.reference])
    assert received != "Received" and f"{received}: " in receipt.body
    assert trace_path.startswith("/ar/") and trace_path in receipt.body
    assert "Your submission" not in receipt.body

    # An organiser working in English decides: the decision mail is still in Arabic, its link and its last day to
    # reply too (Arabic month names, as the site writes dates in Arabic), and the process's own Arabic title.
    process.translations = {"ar": {"title": "مبادئ الإنترنت المفتوح"}}
    process.save()
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        disposition_exclude(submission=submission, actor=organiser, ground="legal", legal_provision="Art. 9(1)")
    decision = mail.outbox[-1]
    with translation.override("ar"):
        subject = translation.gettext("Decision on %(reference)s: %(process_title)s") % {
            "reference": submission.reference,
            "process_title": "مبادئ الإنترنت المفتوح",
        }
    assert decision.subject == subject
    assert "Decision on" not in decision.subject
    assert trace_path in decision.body
    assert not re.search(
        r"January|February|March|April|May|June|July|August|September|October|November|December", decision.body
    ), decision.body
    assert re.search(
        r"(يناير|فبراير|مارس|أبريل|إبريل|مايو|يونيو|يوليو|أغسطس|سبتمبر|أكتوبر|نوفمبر|ديسمبر)", decision.body
    )


def test_the_language_of_e_mails_is_chosen_on_the_profile(stakeholder, process, django_capture_on_commit_callbacks):
    client = client_for(stakeholder)
    page = client.get("/fr/accounts/profile/").content.decode()
    # An account older than the choice is offered the language it reads in; each language under its own name.
    assert '<option value="fr" selected lang="fr">français</option>' in page
    assert '<option value="ar" lang="ar">العربيّة</option>' in page
    data = {
        "display_name": stakeholder.display_name,
        "organisation": stakeholder.organisation,
        "stakeholder_kind": stakeholder.stakeholder_kind,
        "country": stakeholder.country.code,
        "notify_updates": "on",
    }
    refused = client.post("/en/accounts/profile/", {**data, "language": "xx"})
    assert refused.status_code == 200 and "Select a valid choice" in refused.content.decode()
    stakeholder.refresh_from_db()
    assert stakeholder.language == ""

    assert client.post("/en/accounts/profile/", {**data, "language": "es"}).status_code == 302
    stakeholder.refresh_from_db()
    assert stakeholder.language == "es"
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        notify(
            user=stakeholder,
            kind="publication",
            template="accounts/email/publication",
            context={
                "process_title": process.title,
                "report_path": reverse("reports:report", args=[process.slug]),
                "snapshot_number": 1,
                "snapshot_sha256": "0" * 64,
            },
        )
    published = mail.outbox[-1]
    assert f"/es/processes/{process.slug}/report/" in published.body
    assert "/en/" not in published.body


def test_a_mail_queued_by_an_older_version_is_still_sent_as_it_was_written(stakeholder, process, settings):
    """Rows queued before dates were stored as moments hold the date already written out: it is kept."""
    from traceability.accounts.models import Notification
    from traceability.accounts.services import render_notification

    notification = Notification.objects.create(
        recipient=stakeholder,
        kind="decision",
        template="accounts/email/decision",
        context={
            "reference": "IGF25-00001",
            "process_title": process.title,
            "decision": "excluded",
            "trace_path": "/en/processes/x/submissions/IGF25-00001/",
            "respond_until": "30 July 2026",
        },
        language="fr",
    )
    body = render_notification(notification).body
    assert "30 July 2026" in body
    # A moment without its time zone (never stored so) is still written out, as the site's time.
    notification.context["respond_until"] = "2026-07-30"
    assert "30 juillet 2026" in render_notification(notification).body
    assert "/fr/processes/x/submissions/IGF25-00001/" in body  # its address, in the recipient's language


def test_the_language_of_e_mails_is_one_the_interface_is_offered_in(stakeholder):
    """Staff editing an account in the admin cannot give it a language no mail can be written in."""
    from django.core.exceptions import ValidationError

    stakeholder.language = "sw"
    with pytest.raises(ValidationError, match="Choose one of the languages Trace is offered in"):
        stakeholder.full_clean()
    stakeholder.language = "pt-br"
    stakeholder.full_clean()
