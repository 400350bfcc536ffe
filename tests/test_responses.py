"""Answering back: the submitter agrees with or contests a decision, within the process's window, once per
decision; the organisers answer a contest once, in public; the trace page shows the exchange."""

from __future__ import annotations

from datetime import timedelta
from html import unescape

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone, translation

from traceability.dispositions.forms import AnswerForm
from traceability.dispositions.models import ReplyState, Response, ResponseKind, reply_state
from traceability.dispositions.services import (
    LinkSpec,
    contest_answer,
    disposition_exclude,
    disposition_reflect,
    response_record,
)

from .conftest import client_for
from .factories import file_submission, import_document, make_user

DAY = timedelta(days=1)


@pytest.fixture
def decided(closed_process, organiser, stakeholder):
    """A submission excluded (revision 1) two days after the close; the window is the default 30 days."""
    process = closed_process
    submission = file_submission(process, stakeholder, title="Open data", text="Publish the data.")
    decided_at = process.closes_at + 2 * DAY
    disposition_exclude(
        submission=submission, actor=organiser, ground="legal", legal_provision="Act 7, art. 2", now=decided_at
    )
    return submission, decided_at


def reply_url(submission) -> str:
    return reverse("dispositions:respond", args=[submission.process.slug, submission.reference])


# ----------------------------------------------------------------------------- the window


def test_the_default_window_is_thirty_days(decided):
    submission, _ = decided
    assert submission.process.response_window_days == 30


def test_a_reply_exactly_at_the_deadline_is_recorded(decided, stakeholder):
    submission, decided_at = decided
    response = response_record(
        submission=submission, revision_number=1, author=stakeholder, kind="agree", now=decided_at + 30 * DAY
    )
    assert Response.objects.get().pk == response.pk
    assert response.kind == ResponseKind.AGREE


def test_a_reply_one_second_after_the_deadline_is_refused_and_writes_nothing(decided, stakeholder):
    submission, decided_at = decided
    with pytest.raises(ValidationError, match="The time to reply to this decision ended"):
        response_record(
            submission=submission,
            revision_number=1,
            author=stakeholder,
            kind="contest",
            reason="Too late?",
            now=decided_at + 30 * DAY + timedelta(seconds=1),
        )
    assert not Response.objects.exists()


def test_the_process_sets_the_window(decided, stakeholder):
    submission, decided_at = decided
    process = submission.process
    process.response_window_days = 7
    process.save(update_fields=["response_window_days"])
    with pytest.raises(ValidationError):
        response_record(
            submission=submission,
            revision_number=1,
            author=stakeholder,
            kind="agree",
            now=decided_at + 7 * DAY + timedelta(seconds=1),
        )
    response_record(
        submission=submission, revision_number=1, author=stakeholder, kind="agree", now=decided_at + 7 * DAY
    )
    assert Response.objects.count() == 1


def test_the_admin_edits_the_window(decided, admin_user):
    process = decided[0].process
    page = client_for(admin_user).get(reverse("admin:consultations_process_change", args=[process.pk]))
    assert 'name="response_window_days"' in page.content.decode()


# ----------------------------------------------------------------------------- who, what and how often


def test_only_the_author_may_reply(decided, other_stakeholder, organiser):
    submission, decided_at = decided
    for someone in (other_stakeholder, organiser):
        with pytest.raises(PermissionDenied):
            response_record(
                submission=submission, revision_number=1, author=someone, kind="agree", now=decided_at + DAY
            )
    response = client_for(other_stakeholder).post(reply_url(submission), {"revision": "1", "kind": "agree"})
    assert response.status_code == 403
    assert not Response.objects.exists()


def test_a_decision_is_answered_once(decided, stakeholder):
    submission, decided_at = decided
    response_record(submission=submission, revision_number=1, author=stakeholder, kind="agree", now=decided_at + DAY)
    with pytest.raises(ValidationError, match="already replied"):
        response_record(
            submission=submission,
            revision_number=1,
            author=stakeholder,
            kind="contest",
            reason="On second thoughts",
            now=decided_at + 2 * DAY,
        )
    assert list(Response.objects.values_list("kind", flat=True)) == ["agree"]


def test_the_database_refuses_a_second_reply_to_a_revision(decided, stakeholder):
    submission, decided_at = decided
    response_record(submission=submission, revision_number=1, author=stakeholder, kind="agree", now=decided_at + DAY)
    with pytest.raises(IntegrityError), transaction.atomic():
        Response.objects.create(
            revision=submission.disposition.revision, process=submission.process, kind="contest", reason="Again"
        )


def test_the_database_refuses_a_contest_without_a_reason(decided):
    submission, _ = decided
    with pytest.raises(IntegrityError), transaction.atomic():
        Response.objects.create(
            revision=submission.disposition.revision, process=submission.process, kind="contest", reason=""
        )


def test_a_contest_needs_a_reason(decided, stakeholder, stakeholder_client):
    submission, decided_at = decided
    with pytest.raises(ValidationError, match="Say why you contest"):
        response_record(
            submission=submission,
            revision_number=1,
            author=stakeholder,
            kind="contest",
            reason="  \n ",
            now=decided_at + DAY,
        )
    response = stakeholder_client.post(reply_url(submission), {"revision": "1", "kind": "contest", "reason": "   "})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Say why you contest the decision." in html
    assert 'id="error_1_id_reason"' in html  # the message sits by the reason's field
    assert not Response.objects.exists()


def test_a_reply_to_a_replaced_decision_is_refused(decided, organiser, stakeholder):
    submission, decided_at = decided
    disposition_exclude(
        submission=submission,
        actor=organiser,
        ground="public_morality",
        justification="Defamatory",
        now=decided_at + DAY,
    )
    with pytest.raises(ValidationError, match="The decision changed since you opened the page"):
        response_record(
            submission=submission, revision_number=1, author=stakeholder, kind="agree", now=decided_at + 2 * DAY
        )
    assert not Response.objects.exists()


def test_a_revised_decision_can_be_answered_again(decided, organiser, stakeholder):
    submission, decided_at = decided
    first = response_record(
        submission=submission,
        revision_number=1,
        author=stakeholder,
        kind="contest",
        reason="Act 7 does not apply to open data.",
        now=decided_at + DAY,
    )
    contest_answer(response=first, actor=organiser, answer="You are right; we revise it.", now=decided_at + 3 * DAY)
    version = import_document(submission.process, organiser)
    disposition_reflect(
        submission=submission,
        actor=organiser,
        links=[LinkSpec(clause=version.clauses.get(label="2"))],
        now=decided_at + 4 * DAY,
    )
    second = response_record(
        submission=submission, revision_number=2, author=stakeholder, kind="agree", now=decided_at + 5 * DAY
    )
    assert [(r.revision.number, r.kind) for r in Response.objects.order_by("pk")] == [(1, "contest"), (2, "agree")]
    assert second.revision == submission.revisions.get(number=2)


def test_a_withdrawn_or_undecided_submission_cannot_be_answered(process, stakeholder):
    submission = file_submission(process, stakeholder)
    with pytest.raises(ValidationError, match="no decision"):
        response_record(submission=submission, revision_number=1, author=stakeholder, kind="agree")


# ----------------------------------------------------------------------------- silence and the helper


def test_silence_is_no_reply_never_agreement(decided, stakeholder):
    submission, decided_at = decided
    revision = submission.disposition.revision
    at = {"current": True, "window_days": 30}
    assert reply_state(revision, None, now=decided_at + DAY, **at) == ReplyState.OPEN
    assert reply_state(revision, None, now=decided_at + 30 * DAY, **at) == ReplyState.OPEN
    assert reply_state(revision, None, now=decided_at + 31 * DAY, **at) == ReplyState.NO_REPLY
    assert reply_state(revision, None, current=False, window_days=30, now=decided_at) == ReplyState.NO_REPLY
    response = response_record(
        submission=submission, revision_number=1, author=stakeholder, kind="contest", reason="No", now=decided_at
    )
    assert reply_state(revision, response, now=decided_at + 99 * DAY, **at) == ReplyState.CONTESTED
    response.kind = ResponseKind.AGREE
    assert reply_state(revision, response, now=decided_at + DAY, **at) == ReplyState.AGREED


# ----------------------------------------------------------------------------- the organisers' answer


@pytest.fixture
def contested(decided, stakeholder):
    submission, decided_at = decided
    response = response_record(
        submission=submission,
        revision_number=1,
        author=stakeholder,
        kind="contest",
        reason="Act 7 was repealed in 2024.",
        now=decided_at + DAY,
    )
    return submission, response


def answer_url(response) -> str:
    process = response.revision.submission.process
    return reverse("dispositions:contest-answer", args=[process.slug, response.pk])


def test_the_organisers_answer_a_contest_once(contested, organiser):
    _submission, response = contested
    answered = contest_answer(response=response, actor=organiser, answer="  It was amended, not repealed. ")
    assert (answered.answer, answered.answered_by) == ("It was amended, not repealed.", organiser)
    assert answered.answered_at is not None
    with pytest.raises(ValidationError, match="already answered"):
        contest_answer(response=response, actor=organiser, answer="Another answer")
    response.refresh_from_db()
    assert response.answer == "It was amended, not repealed."


def test_answering_twice_from_the_queue_is_refused(contested, organiser_client):
    _submission, response = contested
    assert organiser_client.post(answer_url(response), {"answer": "First answer."}).status_code == 302
    second = organiser_client.post(answer_url(response), {"answer": "Second answer."})
    assert second.status_code == 400
    assert "already answered" in second.content.decode()
    response.refresh_from_db()
    assert response.answer == "First answer."


def test_an_answer_needs_a_text(contested, organiser, organiser_client):
    _submission, response = contested
    with pytest.raises(ValidationError, match="Write the answer"):
        contest_answer(response=response, actor=organiser, answer=" \n ")
    page = organiser_client.post(answer_url(response), {"answer": "  "})
    assert page.status_code == 400
    assert f'id="error_1_id_answer_{response.pk}_answer"' in page.content.decode()
    response.refresh_from_db()
    assert response.answered_at is None


def test_an_organiser_of_another_process_cannot_answer(contested, other_organiser, other_organiser_client):
    _submission, response = contested
    with pytest.raises(PermissionDenied):
        contest_answer(response=response, actor=other_organiser, answer="Not mine to answer.")
    assert other_organiser_client.post(answer_url(response), {"answer": "Not mine."}).status_code == 403
    response.refresh_from_db()
    assert response.answered_at is None


def test_an_agreement_is_not_answered(decided, stakeholder, organiser):
    submission, decided_at = decided
    agreed = response_record(
        submission=submission, revision_number=1, author=stakeholder, kind="agree", now=decided_at + DAY
    )
    with pytest.raises(ValidationError, match="Only a contested decision"):
        contest_answer(response=agreed, actor=organiser, answer="Thanks")


def test_the_queue_lists_unanswered_contests_first_oldest_first(closed_process, organiser, organiser_client):
    process = closed_process
    start = process.closes_at + DAY
    responses = []
    for n in range(3):
        author = make_user()
        submission = file_submission(process, author, title=f"Suggestion {n}")
        disposition_exclude(submission=submission, actor=organiser, ground="legal", legal_provision="Art. 1", now=start)
        responses.append(
            response_record(
                submission=submission,
                revision_number=1,
                author=author,
                kind="contest",
                reason=f"Reason {n}",
                now=start + n * timedelta(hours=1),
            )
        )
    contest_answer(response=responses[0], actor=organiser, answer="Answered first.")
    page = organiser_client.get(reverse("dispositions:contests", args=[process.slug]))
    html = page.content.decode()
    positions = [html.index(f'id="contest-{r.pk}"') for r in (responses[1], responses[2], responses[0])]
    assert positions == sorted(positions)
    assert "2 contests wait for an answer." in html
    assert html.count("Publish the answer to") == 2
    assert (
        f'href="{reverse("dispositions:review", args=[process.slug, responses[0].revision.submission.reference])}"'
        in html
    )
    workspace = organiser_client.get(reverse("dispositions:workspace", args=[process.slug])).content.decode()
    assert reverse("dispositions:contests", args=[process.slug]) in workspace
    assert "2 wait for an answer" in workspace

    # Each empty answer form is written out in the page (fifty through the widget templates were most of its time):
    # the same markup crispy-forms gives the form, in every language.
    for language in ("en", "ar"):
        with translation.override(language):
            html = organiser_client.get(reverse("dispositions:contests", args=[process.slug])).content.decode()
            for response in responses[1:]:
                form = AnswerForm(auto_id=f"id_answer_{response.pk}_%s")
                expected = Template("{% load crispy_forms_tags %}{{ form|crispy }}").render(Context({"form": form}))
                written = html.split(f'id="contest-{response.pk}"')[1].split("{% csrf_token %}")[0]
                written = written.split('name="csrfmiddlewaretoken"')[1].split("<button")[0]
                written = written[written.index("<div") :]
                # The page escapes the help text's apostrophe, which crispy leaves as it is: the same to a browser.
                assert " ".join(unescape(written).split()) == " ".join(unescape(expected).split()), language


# ----------------------------------------------------------------------------- the trace page


def trace(client, submission) -> str:
    return client.get(submission.get_absolute_url()).content.decode()


def test_the_author_gets_the_reply_form_with_its_deadline_while_the_window_is_open(
    process, organiser, stakeholder, stakeholder_client, anon_client, other_organiser_client
):
    submission = file_submission(process, stakeholder)
    decided_at = timezone.now() - DAY
    disposition_exclude(
        submission=submission, actor=organiser, ground="legal", legal_provision="Art. 3", now=decided_at
    )
    deadline = timezone.localtime(decided_at + 30 * DAY)
    html = trace(stakeholder_client, submission)
    assert reply_url(submission) in html
    assert f"until {deadline:%-d %B %Y, %H:%M}" in html
    for other in (anon_client, other_organiser_client):
        page = trace(other, submission)
        assert reply_url(submission) not in page
        assert "The submitter may agree with or contest this decision until" in page


def test_the_trace_page_shows_the_exchange(contested, organiser, stakeholder_client, anon_client):
    submission, response = contested
    contest_answer(response=response, actor=organiser, answer="It was amended, not repealed.")
    html = trace(anon_client, submission)
    assert "Contested by the submitter" in html
    assert "Act 7 was repealed in 2024." in html
    assert "The organisers' answer" in html
    assert "It was amended, not repealed." in html
    # Replied: no form, even for the author.
    assert reply_url(submission) not in trace(stakeholder_client, submission)


def test_a_window_that_closed_in_silence_says_no_reply(closed_process, organiser, stakeholder, stakeholder_client):
    submission = file_submission(closed_process, stakeholder)
    decided_at = timezone.now() - 30 * DAY - timedelta(seconds=1)
    disposition_exclude(
        submission=submission, actor=organiser, ground="legal", legal_provision="Art. 3", now=decided_at
    )
    html = trace(stakeholder_client, submission)
    assert "No reply from the submitter: the time to reply ended on" in html
    assert "agreed" not in html
    assert reply_url(submission) not in html


def test_a_reply_through_the_page_is_recorded_and_shown(process, organiser, stakeholder, stakeholder_client):
    submission = file_submission(process, stakeholder)
    disposition_exclude(submission=submission, actor=organiser, ground="legal", legal_provision="Art. 3")
    response = stakeholder_client.post(
        reply_url(submission), {"revision": "1", "kind": "contest", "reason": "Art. 3\r\nis about something else."}
    )
    assert response.status_code == 302
    assert response["Location"] == submission.get_absolute_url() + "#history"
    assert Response.objects.get().reason == "Art. 3\nis about something else."
    html = trace(stakeholder_client, submission)
    assert "Your reply is recorded" in html
    assert "The organisers have not answered yet." in html


# ----------------------------------------------------------------------------- verifying a receipt


def verify(client, submission, text: str):
    url = reverse("reports:submission-verify", args=[submission.process.slug, submission.reference])
    return client.post(url, {"text": text})


def test_a_pasted_text_is_checked_against_the_receipt(process, stakeholder, anon_client):
    submission = file_submission(process, stakeholder, text="First line.\nSecond line.")
    match = verify(anon_client, submission, "First line.\nSecond line.")
    assert match.status_code == 200
    assert "It matches" in match.content.decode()
    assert 'role="status"' in match.content.decode()
    mismatch = verify(anon_client, submission, "First line.\nSecond line!")
    assert "It does not match" in mismatch.content.decode()


def test_the_check_normalises_the_text_as_the_receipt_did(process, stakeholder, anon_client):
    submission = file_submission(process, stakeholder, text="First line.\nSecond line.")
    for pasted in ("  First line.\r\nSecond line.\r\n\r\n", "\nFirst line.\rSecond line.\t"):
        assert "It matches" in verify(anon_client, submission, pasted).content.decode(), repr(pasted)
    # Blank space inside the text is part of it.
    assert "It does not match" in verify(anon_client, submission, "First line. \nSecond line.").content.decode()


def test_the_pasted_text_is_not_echoed_or_stored(process, stakeholder, anon_client):
    submission = file_submission(process, stakeholder, text="Kept text.")
    html = verify(anon_client, submission, "A secret draft I pasted").content.decode()
    assert "A secret draft I pasted" not in html
    submission.refresh_from_db()
    assert submission.text == "Kept text."


def test_an_empty_check_says_what_is_missing(process, stakeholder, anon_client):
    submission = file_submission(process, stakeholder)
    response = verify(anon_client, submission, "")
    assert response.status_code == 400
    assert "Paste the text you want to check." in response.content.decode()
