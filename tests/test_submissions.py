"""Stakeholders file, edit and withdraw submissions; every one gets a receipt."""

from __future__ import annotations

import hashlib
import uuid
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from traceability.consultations.models import Process, Submission
from traceability.consultations.services import submission_withdraw

from .factories import file_submission, group_of


def submit_url(process) -> str:
    return reverse("consultations:submission-create", args=[process.slug])


def form_data(process, **overrides) -> dict[str, object]:
    data = {
        "title": "Name every stakeholder group",
        "text": "Clause 3 should name all six groups.",
        "target_clause": "3",
        "proposed_change": "",
        "stakeholder_group": group_of(process).pk,
        "attribution": "name",
        "form_token": str(uuid.uuid4()),
    }
    data.update(overrides)
    return data


def test_filing_gives_a_receipt_with_reference_time_and_hash(stakeholder_client, stakeholder, process):
    response = stakeholder_client.post(submit_url(process), form_data(process), follow=True)

    submission = Submission.objects.get()
    assert submission.reference == "IGF25-00001"
    assert response.redirect_chain[-1][0] == reverse(
        "consultations:submission-receipt", args=[process.slug, "IGF25-00001"]
    )
    expected_hash = hashlib.sha256(b"Clause 3 should name all six groups.").hexdigest()
    assert submission.text_sha256 == expected_hash
    page = response.content.decode()
    assert "IGF25-00001" in page and expected_hash in page
    assert mail.outbox == [] or "IGF25-00001" in mail.outbox[0].body


@pytest.mark.django_db(transaction=True)
def test_receipt_is_emailed_after_commit(stakeholder_client, process):
    stakeholder_client.post(submit_url(process), form_data(process))
    assert len(mail.outbox) == 1
    assert "IGF25-00001" in mail.outbox[0].body
    assert Submission.objects.get().text_sha256 in mail.outbox[0].body


def test_submission_keeps_the_authors_details_at_filing_time(stakeholder_client, stakeholder, process):
    stakeholder_client.post(submit_url(process), form_data(process))
    stakeholder.organisation = "A new employer"
    stakeholder.country = "US"
    stakeholder.save()

    submission = Submission.objects.get()
    assert submission.country == "KE"
    assert submission.organisation != "A new employer"
    assert submission.stakeholder_group.kind == "civil_society"


def test_references_count_up_per_process(stakeholder, other_stakeholder, process, other_process):
    first = file_submission(process, stakeholder)
    second = file_submission(process, other_stakeholder)
    elsewhere = file_submission(other_process, stakeholder)
    assert [first.reference, second.reference, elsewhere.reference] == ["IGF25-00001", "IGF25-00002", "OTHER-00001"]


def test_replayed_form_creates_one_submission(stakeholder_client, process):
    data = form_data(process)
    first = stakeholder_client.post(submit_url(process), data)
    replay = stakeholder_client.post(submit_url(process), data, follow=True)

    assert Submission.objects.count() == 1
    assert first["Location"] == replay.redirect_chain[-1][0]
    assert "already submitted" in replay.content.decode()


def test_late_post_is_refused_and_writes_nothing(stakeholder_client, closed_process):
    response = stakeholder_client.post(submit_url(closed_process), form_data(closed_process))
    assert response.status_code == 409
    assert "not accepting submissions" in response.content.decode()
    assert Submission.objects.count() == 0
    closed_process.refresh_from_db()
    assert closed_process.last_number == 0


def test_deadline_is_checked_at_write_time(stakeholder, process):
    from traceability.consultations.services import ProcessNotOpen, SubmissionContent, submission_file

    content = SubmissionContent(title="Late", text="Too late", stakeholder_group=group_of(process))
    with pytest.raises(ProcessNotOpen):
        submission_file(
            process=process,
            author=stakeholder,
            content=content,
            form_token=uuid.uuid4(),
            now=process.closes_at + timedelta(seconds=1),
        )
    assert Submission.objects.count() == 0


def test_anonymous_visitor_is_sent_to_sign_in(anon_client, process):
    response = anon_client.get(submit_url(process))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_empty_form_shows_errors_and_writes_nothing(stakeholder_client, process):
    response = stakeholder_client.post(submit_url(process), form_data(process, title="", text="   "))
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert Submission.objects.count() == 0


def test_too_long_text_is_refused(stakeholder_client, process):
    response = stakeholder_client.post(submit_url(process), form_data(process, text="x" * 20001))
    assert "at most 20000 characters" in response.content.decode().replace(",", "")
    assert Submission.objects.count() == 0


def test_group_of_another_process_is_refused(stakeholder_client, process, other_process):
    response = stakeholder_client.post(
        submit_url(process), form_data(process, stakeholder_group=group_of(other_process).pk)
    )
    assert response.status_code == 200
    assert Submission.objects.count() == 0


def test_script_in_text_is_stored_verbatim_and_shown_escaped(stakeholder_client, anon_client, process):
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    stakeholder_client.post(submit_url(process), form_data(process, title=evil, text=evil))
    submission = Submission.objects.get()
    assert submission.text == evil

    page = anon_client.get(submission.get_absolute_url()).content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


def test_author_can_edit_while_open_and_the_hash_follows(stakeholder_client, stakeholder, process):
    submission = file_submission(process, stakeholder, text="Old text")
    url = reverse("consultations:submission-edit", args=[process.slug, submission.reference])
    stakeholder_client.post(url, form_data(process, text="New text", form_token=str(submission.form_token)))
    submission.refresh_from_db()
    assert submission.text == "New text"
    assert submission.text_sha256 == hashlib.sha256(b"New text").hexdigest()
    assert submission.reference.endswith("00001")


def test_a_withdrawn_submission_cannot_be_edited_and_the_page_says_why(stakeholder_client, stakeholder, process):
    """Not "Not open for submissions" over an "Open" badge: the reason is the submission's, not the process's."""
    submission = file_submission(process, stakeholder, text="Old text")
    submission_withdraw(submission=submission, author=stakeholder)
    url = reverse("consultations:submission-edit", args=[process.slug, submission.reference])
    response = stakeholder_client.post(url, form_data(process, text="New text"))
    assert response.status_code == 409
    page = response.content.decode()
    assert "<h1>This submission was withdrawn and can no longer change.</h1>" in page
    assert "Not open for submissions" not in page
    submission.refresh_from_db()
    assert submission.text == "Old text"


def test_author_cannot_edit_after_close(stakeholder_client, stakeholder, closed_process):
    submission = file_submission(closed_process, stakeholder, text="Old text")
    url = reverse("consultations:submission-edit", args=[closed_process.slug, submission.reference])
    response = stakeholder_client.post(url, form_data(closed_process, text="New text"))
    assert response.status_code == 409
    submission.refresh_from_db()
    assert submission.text == "Old text"


def test_another_stakeholder_cannot_edit_or_withdraw(stakeholder, other_stakeholder, process):
    from .conftest import client_for

    submission = file_submission(process, stakeholder, text="Mine")
    client = client_for(other_stakeholder)
    edit = client.post(
        reverse("consultations:submission-edit", args=[process.slug, submission.reference]),
        form_data(process, text="Hijacked"),
    )
    withdraw = client.post(reverse("consultations:submission-withdraw", args=[process.slug, submission.reference]))
    assert edit.status_code == 403 and withdraw.status_code == 403
    submission.refresh_from_db()
    assert submission.text == "Mine" and submission.withdrawn_at is None


def test_withdrawing_hides_the_text_but_keeps_the_reference(stakeholder_client, anon_client, stakeholder, process):
    submission = file_submission(process, stakeholder, text="Secret plan")
    stakeholder_client.post(reverse("consultations:submission-withdraw", args=[process.slug, submission.reference]))
    submission.refresh_from_db()
    assert submission.withdrawn_at is not None
    page = anon_client.get(submission.get_absolute_url()).content.decode()
    assert submission.reference in page and "Secret plan" not in page


def test_my_submissions_lists_own_with_status(stakeholder_client, stakeholder, other_stakeholder, process):
    mine = file_submission(process, stakeholder, title="Mine to see")
    file_submission(process, other_stakeholder, title="Not mine")
    page = stakeholder_client.get(reverse("reports:me")).content.decode()
    assert mine.reference in page and "Mine to see" in page and "Not mine" not in page
    assert "Pending" in page


def test_process_is_open_only_between_its_dates(process):
    assert process.is_open()
    assert not process.is_open(process.closes_at)
    assert not process.is_open(process.opens_at - timedelta(seconds=1))
    assert process.phase(timezone.now()) == "open"


def test_a_decided_submission_can_no_longer_be_edited(stakeholder_client, stakeholder, organiser, process):
    from traceability.dispositions.services import disposition_exclude

    submission = file_submission(process, stakeholder, text="What was decided on")
    disposition_exclude(submission=submission, actor=organiser, ground="legal", legal_provision="Art. 1")
    url = reverse("consultations:submission-edit", args=[process.slug, submission.reference])
    response = stakeholder_client.post(url, form_data(process, text="Something else"), follow=True)
    assert "already decided on this submission" in response.content.decode()
    submission.refresh_from_db()
    assert submission.text == "What was decided on"
    receipt = stakeholder_client.get(
        reverse("consultations:submission-receipt", args=[process.slug, submission.reference])
    ).content.decode()
    assert url not in receipt  # no edit link; withdrawing stays possible


def test_a_form_replayed_to_another_process_leads_to_the_first_receipt(stakeholder_client, process, other_process):
    data = form_data(process)
    stakeholder_client.post(submit_url(process), data)
    replay = stakeholder_client.post(
        submit_url(other_process), {**data, "stakeholder_group": group_of(other_process).pk}, follow=True
    )
    assert replay.status_code == 200
    assert replay.redirect_chain[-1][0].startswith(f"/en/processes/{process.slug}/submissions/IGF25-00001/")
    assert Submission.objects.count() == 1


def _filing_queries(client, process) -> list[str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    data = form_data(process)
    client.get(submit_url(process))  # the session's "last seen" is written at most once a minute: not per filing
    with CaptureQueriesContext(connection) as queries:
        response = client.post(submit_url(process), data)
    assert response.status_code == 302
    # The shared cache's own reads and writes (rate-limit counters) are the cache backend's cost, not the filing's.
    return [q["sql"] for q in queries.captured_queries if "trace_cache" not in q["sql"]]


def test_filing_costs_the_same_whatever_the_size_and_takes_the_process_lock_once(
    stakeholder_client, stakeholder, other_stakeholder, process, settings
):
    """The hot path of intake: one statement on the process row (the lock that hands out the number), no count,
    no query that grows with the process. Both filings measured are the author's second and third: a first filing
    reads the group chosen, a later one files for the group already declared. The rate limits are off: their
    counters are the cache backend's cost (a window's first request creates it, in a savepoint of its own), not the
    filing's."""
    settings.ACCOUNT_RATE_LIMITS = False
    file_submission(process, other_stakeholder)
    file_submission(process, stakeholder)
    small = _filing_queries(stakeholder_client, process)

    first = Submission.objects.get(process=process, number=1)
    last_number = Submission.objects.filter(process=process).count()
    Submission.objects.bulk_create(
        Submission(
            process=process,
            number=n,
            reference=process.reference_for(n),
            author=other_stakeholder,
            stakeholder_group=first.stakeholder_group,
            title=f"Bulk {n}",
            text="Bulk text.",
            text_sha256=Submission.hash_text("Bulk text."),
        )
        for n in range(last_number + 1, last_number + 501)
    )
    type(process).objects.filter(pk=process.pk).update(last_number=last_number + 500)
    large = _filing_queries(stakeholder_client, process)

    assert len(small) == len(large), (small, large)
    on_process = [sql for sql in large if "consultations_process" in sql and "UPDATE" in sql]
    assert len(on_process) == 1 and "RETURNING" in on_process[0]
    assert not [sql for sql in large if "COUNT(" in sql.upper()]
    assert [s.reference for s in Submission.objects.filter(author=stakeholder).order_by("number")] == [
        process.reference_for(2),
        process.reference_for(3),
        process.reference_for(504),
    ]


def test_an_account_whose_country_is_not_a_known_code_is_told_to_choose_it_again_and_nothing_is_saved(
    stakeholder_client, stakeholder, process
):
    # Not possible through the profile form; an account edited by hand, or a code withdrawn from the standard.
    type(stakeholder).objects.filter(pk=stakeholder.pk).update(country="XQ")
    response = stakeholder_client.post(submit_url(process), form_data(process))
    assert response.status_code == 200
    assert "country is not one we know: choose it again on your profile" in response.content.decode()
    assert not Submission.objects.filter(process=process).exists()
    assert Process.objects.get(pk=process.pk).last_number == 0


def test_a_submission_whose_stored_country_is_no_longer_a_known_code_can_still_be_edited(
    stakeholder_client, stakeholder, process
):
    submission = file_submission(process, stakeholder)
    Submission.objects.filter(pk=submission.pk).update(country="XQ")  # a code withdrawn since it was filed
    url = reverse("consultations:submission-edit", args=[process.slug, submission.reference])
    response = stakeholder_client.post(url, form_data(process, title="A clearer title"))
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.title == "A clearer title" and submission.country == "XQ"
