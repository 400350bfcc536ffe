"""The decision vocabulary made honest: "considered, not taken up" with a public reason (not a legitimate
ground), duplicates that take another submission's decision, withheld text on public morality, and decisions
drafted then released together."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from traceability.consultations.models import ProcessEvent, ProcessEventKind, SubmissionStatus
from traceability.dispositions.models import DecisionRevision, Disposition, DispositionKind, DraftDecision, Release
from traceability.dispositions.services import (
    LinkSpec,
    decisions_release,
    disposition_exclude,
    disposition_not_take_up,
    disposition_reflect,
    disposition_same_as,
    version_adopt,
)
from traceability.outcomes.services import version_import
from traceability.reports.indicators import indicators_for

from .conftest import client_for
from .factories import DOCUMENT, file_submission, import_document, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def version(closed_process, organiser):
    return import_document(closed_process, organiser)


def clause(version, label: str = "3"):
    return version.clauses.get(label=label)


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


# ----------------------------------------------------------------------------- not taken up


def test_not_taken_up_needs_a_public_reason_and_is_not_a_legitimate_ground(closed_process, organiser, stakeholder):
    legal = file_submission(closed_process, stakeholder, title="Against the law")
    ignored = file_submission(closed_process, stakeholder, title="Out of scope")
    with pytest.raises(ValidationError):
        disposition_not_take_up(submission=ignored, actor=organiser, reason="   ")
    assert not Disposition.objects.filter(submission=ignored).exists()

    disposition_exclude(submission=legal, actor=organiser, ground="legal", legal_provision="Act 1, s. 2")
    disposition_not_take_up(submission=ignored, actor=organiser, reason="Outside the mandate of the forum.")
    ignored.refresh_from_db()
    assert ignored.status == SubmissionStatus.NOT_TAKEN_UP

    totals = indicators_for(closed_process).totals
    assert (totals.excluded, totals.not_taken_up, totals.left_out, totals.dispositioned) == (1, 1, 2, 2)
    # Only law or public morality justify leaving a view out: one of the two did.
    assert (totals.justified_exclusion.numerator, totals.justified_exclusion.denominator) == (1, 2)
    assert totals.coverage.numerator == 2


def test_not_taken_up_reads_as_such_on_the_trace_page_report_and_exports(
    anon_client, closed_process, organiser, stakeholder
):
    submission = file_submission(closed_process, stakeholder, title="Fund a new body")
    disposition_not_take_up(submission=submission, actor=organiser, reason="No budget line in this mandate.")
    trace = page(anon_client, submission.get_absolute_url())
    assert "Considered, not taken up" in trace and "No budget line in this mandate." in trace
    report = page(anon_client, reverse("reports:report", args=[closed_process.slug]))
    assert "Not taken up:" in report and "No budget line in this mandate." in report
    csv_text = anon_client.get(reverse("reports:mapping-csv", args=[closed_process.slug])).getvalue().decode()
    assert ",not_taken_up," in csv_text and "No budget line in this mandate." in csv_text
    report_json = anon_client.get(reverse("reports:report-json", args=[closed_process.slug])).json()
    assert report_json["totals"]["not_taken_up"] == 1
    assert report_json["totals"]["rates"]["justified_exclusion"]["denominator"] == 1


def test_the_organiser_decides_not_taken_up_from_the_review_page(closed_process, organiser, stakeholder):
    submission = file_submission(closed_process, stakeholder)
    url = reverse("dispositions:not-taken-up", args=[closed_process.slug, submission.reference])
    empty = client_for(organiser).post(url, {"not_taken_up-reason": "  "})
    assert empty.status_code == 400
    assert "Say publicly why the suggestion was not taken up." in empty.content.decode()
    assert not DecisionRevision.objects.filter(submission=submission).exists()
    done = client_for(organiser).post(url, {"not_taken_up-reason": "Already covered by the mandate."})
    assert done.status_code == 302
    assert Disposition.objects.get(submission=submission).kind == DispositionKind.NOT_TAKEN_UP


# ----------------------------------------------------------------------------- duplicates


def test_a_duplicate_takes_the_decision_of_its_original_and_follows_it(
    closed_process, version, organiser, stakeholder, other_stakeholder
):
    original = file_submission(closed_process, stakeholder, title="Original")
    copy = file_submission(closed_process, other_stakeholder, title="Copy")
    disposition_reflect(submission=original, actor=organiser, links=[LinkSpec(clause=clause(version), note="Here")])
    disposition_same_as(submission=copy, actor=organiser, original=original.reference.lower())
    copy.refresh_from_db()
    assert copy.status == SubmissionStatus.REFLECTED
    current = Disposition.objects.get(submission=copy)
    assert current.duplicate_of == original
    assert [(link.identity_id, link.note) for link in current.revision.links.all()] == [
        (clause(version).identity_id, "Here")
    ]

    # The original's decision changes: the duplicate follows, as a new revision of its own.
    disposition_not_take_up(submission=original, actor=organiser, reason="Dropped in the final text.")
    copy.refresh_from_db()
    assert copy.status == SubmissionStatus.NOT_TAKEN_UP
    assert DecisionRevision.objects.filter(submission=copy).count() == 2
    assert Disposition.objects.get(submission=copy).justification == "Dropped in the final text."


def test_a_duplicate_of_a_duplicate_points_at_the_original(closed_process, organiser, stakeholder):
    first, second, third = (file_submission(closed_process, stakeholder, title=t) for t in ("A", "B", "C"))
    disposition_exclude(submission=first, actor=organiser, ground="legal", legal_provision="Act 3")
    disposition_same_as(submission=second, actor=organiser, original=first.reference)
    disposition_same_as(submission=third, actor=organiser, original=second.reference)
    assert Disposition.objects.get(submission=third).duplicate_of == first


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("self", "cannot be the same as itself"),
        ("pending", "has no released decision to share yet"),
        ("unknown", "This process has no submission"),
    ],
)
def test_a_duplicate_needs_another_decided_submission_of_the_process(
    closed_process, organiser, stakeholder, target, message
):
    submission = file_submission(closed_process, stakeholder)
    pending = file_submission(closed_process, stakeholder)
    reference = {"self": submission.reference, "pending": pending.reference, "unknown": "NOPE-00001"}[target]
    response = client_for(organiser).post(
        reverse("dispositions:same-as", args=[closed_process.slug, submission.reference]),
        {"same_as-original": reference},
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not DecisionRevision.objects.exists()


# ----------------------------------------------------------------------------- withheld


SECRET_TITLE = "Zxqv hateful headline"
SECRET_TEXT = "Qwpr slur-laden body text"
SECRET_NAME = "Yvonne Withheldperson"
SECRET_ORG = "Kestrel Hate League"


def test_text_excluded_on_public_morality_is_withheld_from_every_public_page_and_download(
    anon_client, closed_process, version, organiser
):
    author = make_user(display_name=SECRET_NAME, organisation=SECRET_ORG)
    submission = file_submission(
        closed_process, author, title=SECRET_TITLE, text=SECRET_TEXT, proposed_change=SECRET_TEXT + " change"
    )
    disposition_exclude(
        submission=submission, actor=organiser, ground="public_morality", justification="Incites hatred."
    )
    slug, reference = closed_process.slug, submission.reference
    pages = {
        "home": reverse("consultations:process-list"),
        "process": reverse("consultations:process-detail", args=[slug]),
        "document": reverse("outcomes:document", args=[slug]),
        "report": reverse("reports:report", args=[slug]),
        "report searched": reverse("reports:report", args=[slug]) + "?q=slur",
        "trace": submission.get_absolute_url(),
        "mapping.csv": reverse("reports:mapping-csv", args=[slug]),
        "mapping.json": reverse("reports:mapping-json", args=[slug]),
        "report.json": reverse("reports:report-json", args=[slug]),
    }
    for name, url in pages.items():
        response = anon_client.get(url)
        assert response.status_code == 200, name
        body = b"".join(response.streaming_content) if response.streaming else response.content
        text = body.decode()
        for secret in (SECRET_TITLE, "Qwpr", SECRET_NAME, SECRET_ORG, submission.text_sha256):
            assert secret not in text, f"{secret!r} leaks on {name}"
    xlsx = anon_client.get(reverse("reports:doc-xlsx", args=[slug]))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(xlsx.streaming_content) if xlsx.streaming else xlsx.content))
    xml = "".join(archive.read(name).decode() for name in archive.namelist())
    for secret in (SECRET_TITLE, "Qwpr", SECRET_NAME, SECRET_ORG):
        assert secret not in xml

    # The author contests, quoting their words: the reason is withheld with them.
    from traceability.dispositions.services import response_record

    response_record(
        submission=submission, revision_number=1, author=author, kind="contest", reason="But Qwpr is fair comment."
    )
    assert "Qwpr" not in page(anon_client, submission.get_absolute_url())
    # The published snapshot carries the decision, not the words.
    from traceability.publications.services import snapshot_create

    snapshot = snapshot_create(process=closed_process, actor=organiser)
    snapshot_bytes = anon_client.get(reverse("publications:snapshot-download", args=[slug, snapshot.number]))
    body = b"".join(snapshot_bytes.streaming_content) if snapshot_bytes.streaming else snapshot_bytes.content
    assert b"Qwpr" not in body and SECRET_TITLE.encode() not in body and b"Incites hatred." in body
    assert submission.text_sha256.encode() not in body

    # What stays public: the trace, the ground and the justification, and a notice in place of the text.
    trace = page(anon_client, submission.get_absolute_url())
    assert reference in trace and "Incites hatred." in trace and "Public morality" in trace
    assert "The text of this submission and its author are withheld" in trace
    # The organisers still read it.
    review = page(client_for(organiser), reverse("dispositions:review", args=[slug, reference]))
    assert SECRET_TEXT in review


def test_a_legal_exclusion_withholds_only_when_the_organiser_says_the_ground_requires_it(
    anon_client, closed_process, organiser, stakeholder
):
    kept = file_submission(closed_process, stakeholder, title="Kept public", text="Visible words")
    hidden = file_submission(closed_process, stakeholder, title="Unlawful", text="Forbidden words")
    disposition_exclude(submission=kept, actor=organiser, ground="legal", legal_provision="Act 1")
    disposition_exclude(submission=hidden, actor=organiser, ground="legal", legal_provision="Act 2", withhold=True)
    assert "Visible words" in page(anon_client, kept.get_absolute_url())
    trace = page(anon_client, hidden.get_absolute_url())
    assert "Forbidden words" not in trace and "a legal ground that forbids republishing it" in trace
    assert "Act 2" in trace


def test_a_decision_changed_away_from_public_morality_makes_the_text_public_again(
    anon_client, closed_process, organiser, stakeholder
):
    submission = file_submission(closed_process, stakeholder, text="Borderline words")
    disposition_exclude(submission=submission, actor=organiser, ground="public_morality", justification="Abusive.")
    assert "Borderline words" not in page(anon_client, submission.get_absolute_url())
    disposition_not_take_up(submission=submission, actor=organiser, reason="On review, not abusive; out of scope.")
    submission.refresh_from_db()
    assert not submission.withheld
    assert "Borderline words" in page(anon_client, submission.get_absolute_url())


# ----------------------------------------------------------------------------- drafts and releases


def test_a_drafted_decision_stays_private_until_released(anon_client, closed_process, version, organiser, stakeholder):
    submission = file_submission(closed_process, stakeholder, title="Drafted one")
    disposition_reflect(submission=submission, actor=organiser, links=[LinkSpec(clause=clause(version))], draft=True)
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.PENDING
    assert not DecisionRevision.objects.filter(submission=submission).exists()
    assert "The organisers have not decided yet." in page(anon_client, submission.get_absolute_url())
    assert indicators_for(closed_process).totals.pending == 1
    workspace = page(client_for(organiser), reverse("dispositions:workspace", args=[closed_process.slug]))
    assert "1 drafted decision is not public yet." in workspace and "draft: Reflected" in workspace


def test_releasing_makes_every_draft_public_at_once(closed_process, version, organiser, stakeholder):
    reflected, excluded, ignored = (file_submission(closed_process, stakeholder, title=t) for t in "ABC")
    disposition_reflect(submission=reflected, actor=organiser, links=[LinkSpec(clause=clause(version))], draft=True)
    disposition_exclude(
        submission=excluded, actor=organiser, ground="public_morality", justification="Abusive.", draft=True
    )
    disposition_not_take_up(submission=ignored, actor=organiser, reason="Out of scope.", draft=True)

    response = client_for(organiser).post(reverse("dispositions:release", args=[closed_process.slug]))
    assert response.status_code == 302

    release = Release.objects.get(process=closed_process)
    assert (release.number, release.decisions) == (1, 3)
    assert not DraftDecision.objects.exists()
    for submission, status in (
        (reflected, SubmissionStatus.REFLECTED),
        (excluded, SubmissionStatus.EXCLUDED),
        (ignored, SubmissionStatus.NOT_TAKEN_UP),
    ):
        submission.refresh_from_db()
        assert submission.status == status
        assert DecisionRevision.objects.get(submission=submission).release == release
    excluded.refresh_from_db()
    assert excluded.withheld
    event = ProcessEvent.objects.get(process=closed_process)
    assert (event.kind, event.detail) == (ProcessEventKind.DECISIONS_RELEASED, {"release": 1, "count": 3})


def test_a_draft_whose_clause_left_the_current_version_stays_a_draft(closed_process, version, organiser, stakeholder):
    fine = file_submission(closed_process, stakeholder)
    stale = file_submission(closed_process, stakeholder)
    disposition_not_take_up(submission=fine, actor=organiser, reason="Out of scope.", draft=True)
    disposition_reflect(submission=stale, actor=organiser, links=[LinkSpec(clause=clause(version))], draft=True)
    # A second version is adopted: the draft's clause belongs to the first one.
    second = version_import(
        process=closed_process,
        source=DOCUMENT.replace("Inclusion of all stakeholder groups.", "Inclusion of every stakeholder group."),
        label="Second",
        created_by=organiser,
    )
    version_adopt(version=second, actor=organiser)

    release_page = page(client_for(organiser), reverse("dispositions:release", args=[closed_process.slug]))
    assert release_page.count('data-testid="stale-draft"') == 1
    outcome = decisions_release(process=closed_process, actor=organiser)
    assert outcome.released == 1
    assert [reference for reference, _message in outcome.kept] == [stale.reference]
    assert DraftDecision.objects.filter(submission=stale).exists()
    stale.refresh_from_db()
    assert stale.status == SubmissionStatus.PENDING


def test_releasing_nothing_says_so_and_writes_nothing(closed_process, organiser):
    response = client_for(organiser).post(reverse("dispositions:release", args=[closed_process.slug]), follow=True)
    assert "There are no drafted decisions to release." in response.content.decode()
    assert not Release.objects.exists() and not ProcessEvent.objects.exists()


def test_a_decision_saved_for_release_now_replaces_the_draft(closed_process, organiser, stakeholder):
    submission = file_submission(closed_process, stakeholder)
    disposition_not_take_up(submission=submission, actor=organiser, reason="Drafted reason.", draft=True)
    disposition_exclude(submission=submission, actor=organiser, ground="legal", legal_provision="Act 9")
    assert not DraftDecision.objects.exists()
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.EXCLUDED


def test_the_review_page_saves_a_draft_with_the_draft_button(closed_process, organiser, stakeholder):
    submission = file_submission(closed_process, stakeholder)
    client = client_for(organiser)
    response = client.post(
        reverse("dispositions:exclude", args=[closed_process.slug, submission.reference]),
        {"exclude-ground": "legal", "exclude-legal_provision": "Act 4", "save": "draft"},
    )
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.PENDING
    review = page(client, reverse("dispositions:review", args=[closed_process.slug, submission.reference]))
    assert "Drafted, not public yet: Excluded." in review and 'value="Act 4"' in review


# ----------------------------------------------------------------------------- mail, duplicates and drafts together


def decision_mails(reference: str) -> list:
    from django.core import mail

    return [message for message in mail.outbox if message.subject.startswith(f"Decision on {reference}")]


def test_a_draft_sends_no_mail_and_its_release_sends_one(
    closed_process, organiser, stakeholder, django_capture_on_commit_callbacks
):
    submission = file_submission(closed_process, stakeholder)
    with django_capture_on_commit_callbacks(execute=True):
        disposition_not_take_up(submission=submission, actor=organiser, reason="Out of scope.", draft=True)
    assert decision_mails(submission.reference) == []
    with django_capture_on_commit_callbacks(execute=True):
        decisions_release(process=closed_process, actor=organiser)
    [mail] = decision_mails(submission.reference)
    assert mail.to == [stakeholder.email] and submission.get_absolute_url() in mail.body


def test_a_duplicate_is_drafted_against_a_drafted_original_and_released_with_it(
    closed_process, organiser, stakeholder, other_stakeholder
):
    original = file_submission(closed_process, stakeholder, title="Original")
    copy = file_submission(closed_process, other_stakeholder, title="Copy")
    with pytest.raises(ValidationError, match="no released decision"):
        disposition_same_as(submission=copy, actor=organiser, original=original.reference)
    disposition_not_take_up(submission=original, actor=organiser, reason="Out of scope.", draft=True)
    disposition_same_as(submission=copy, actor=organiser, original=original.reference, draft=True)
    outcome = decisions_release(process=closed_process, actor=organiser)
    assert (outcome.released, outcome.kept) == (2, [])
    copy.refresh_from_db()
    assert copy.status == SubmissionStatus.NOT_TAKEN_UP
    assert Disposition.objects.get(submission=copy).duplicate_of == original


def test_re_confirming_links_keeps_duplicates_following_without_a_new_decision(
    closed_process, version, organiser, stakeholder, other_stakeholder, django_capture_on_commit_callbacks
):
    from traceability.dispositions.models import RevisionChange
    from traceability.dispositions.services import link_reconfirm

    original = file_submission(closed_process, stakeholder, title="Original")
    copy = file_submission(closed_process, other_stakeholder, title="Copy")
    disposition_reflect(submission=original, actor=organiser, links=[LinkSpec(clause=clause(version))])
    disposition_same_as(submission=copy, actor=organiser, original=original.reference)
    second = version_import(
        process=closed_process,
        source=DOCUMENT.replace("Inclusion of all stakeholder groups.", "Inclusion of every stakeholder group."),
        label="Second",
        created_by=organiser,
    )
    version_adopt(version=second, actor=organiser)
    copy.refresh_from_db()
    assert copy.status == SubmissionStatus.NEEDS_RECONFIRMATION

    # The duplicate's own link re-confirmed: it stays the same as its original.
    link = Disposition.objects.get(submission=copy).revision.links.get()
    link_reconfirm(submission=copy, actor=organiser, link=link)
    assert Disposition.objects.get(submission=copy).duplicate_of == original

    # The original's link re-confirmed: the duplicate follows as a re-confirmation, not a new decision.
    with django_capture_on_commit_callbacks(execute=True):
        link = Disposition.objects.get(submission=original).revision.links.get()
        link_reconfirm(submission=original, actor=organiser, link=link)
    latest = DecisionRevision.objects.filter(submission=copy).order_by("-number").first()
    assert latest.change == RevisionChange.RECONFIRMED and latest.duplicate_of == original
    assert decision_mails(copy.reference) == [] and decision_mails(original.reference) == []
    copy.refresh_from_db()
    assert copy.status == SubmissionStatus.REFLECTED


def test_nobody_can_check_guesses_against_a_withheld_text(anon_client, closed_process, organiser, stakeholder):
    submission = file_submission(closed_process, stakeholder, text="Abusive words", target_clause="7")
    disposition_exclude(submission=submission, actor=organiser, ground="public_morality", justification="Abusive.")
    trace = page(anon_client, submission.get_absolute_url())
    assert "neither its SHA-256 nor a check against it is published" in trace and "Refers to clause" not in trace
    assert submission.text_sha256 not in trace
    url = reverse("reports:submission-verify", args=[closed_process.slug, submission.reference])
    response = anon_client.post(url, {"text": "Abusive words"})
    assert response.status_code == 403 and "It matches" not in response.content.decode()


def test_publishing_mails_each_submitter_once_after_commit(
    closed_process, version, organiser, stakeholder, other_stakeholder, django_capture_on_commit_callbacks
):
    from django.core import mail

    from traceability.publications.services import snapshot_create

    for author, title in ((stakeholder, "One"), (stakeholder, "Two"), (other_stakeholder, "Three")):
        submission = file_submission(closed_process, author, title=title)
        disposition_not_take_up(submission=submission, actor=organiser, reason="Out of scope.")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        snapshot = snapshot_create(process=closed_process, actor=organiser)
    published = [message for message in mail.outbox if snapshot.sha256 in message.body]
    assert sorted(message.to[0] for message in published) == sorted([stakeholder.email, other_stakeholder.email])
    event = ProcessEvent.objects.get(process=closed_process, kind=ProcessEventKind.REPORT_PUBLISHED)
    assert event.detail == {"snapshot": 1, "sha256": snapshot.sha256}  # the history chain covers the bytes


def test_the_release_page_runs_the_same_queries_for_3_drafts_as_for_30(closed_process, version, organiser):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(organiser)
    url = reverse("dispositions:release", args=[closed_process.slug])
    client.get(url)  # first-request caches are not the page's cost

    def draft_up_to(total: int) -> int:
        while DraftDecision.objects.count() < total:
            submission = file_submission(closed_process, make_user())
            if DraftDecision.objects.count() % 2:
                disposition_not_take_up(submission=submission, actor=organiser, reason="Out of scope.", draft=True)
            else:
                disposition_reflect(
                    submission=submission, actor=organiser, links=[LinkSpec(clause=clause(version))], draft=True
                )
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        assert response.content.decode().count("<tr>") == total + 1  # the header row, then a row per draft
        return len(queries)

    assert draft_up_to(3) == draft_up_to(30)


# ----------------------------------------------------------------------------- optimistic concurrency


def test_a_stale_decision_is_refused_not_silently_overwritten(closed_process, organiser, other_organiser, stakeholder):
    closed_process.organisers.add(other_organiser)
    submission = file_submission(closed_process, stakeholder)
    review_url = reverse("dispositions:review", args=[closed_process.slug, submission.reference])
    first, second = client_for(organiser), client_for(other_organiser)
    # Both read the review page while the submission is undecided: their forms are based on revision 0.
    assert 'name="based_on" value="0"' in page(first, review_url)
    assert 'name="based_on" value="0"' in page(second, review_url)

    first.post(
        reverse("dispositions:exclude", args=[closed_process.slug, submission.reference]),
        {"exclude-ground": "legal", "exclude-legal_provision": "Act 1, s. 2", "based_on": "0"},
    )
    stale = second.post(
        reverse("dispositions:not-taken-up", args=[closed_process.slug, submission.reference]),
        {"not_taken_up-reason": "Out of scope.", "based_on": "0"},
    )
    assert stale.status_code == 409
    text = stale.content.decode()
    assert "Someone else decided" in text and "Act 1, s. 2" in text  # theirs, in the history
    assert "Out of scope." in text  # the second organiser's own decision, kept in the form
    assert 'name="based_on" value="1"' in text
    assert Disposition.objects.get(submission=submission).kind == DispositionKind.EXCLUDED
    assert DecisionRevision.objects.filter(submission=submission).count() == 1

    # Having read it, the second organiser saves again on purpose: now it is based on revision 1.
    again = second.post(
        reverse("dispositions:not-taken-up", args=[closed_process.slug, submission.reference]),
        {"not_taken_up-reason": "Out of scope.", "based_on": "1"},
    )
    assert again.status_code == 302
    assert Disposition.objects.get(submission=submission).kind == DispositionKind.NOT_TAKEN_UP


def test_a_stale_link_decision_is_refused_too(closed_process, version, organiser, stakeholder):
    submission = file_submission(closed_process, stakeholder)
    disposition_not_take_up(submission=submission, actor=organiser, reason="Out of scope.")
    with pytest.raises(ValidationError, match="Someone else decided"):
        disposition_reflect(
            submission=submission, actor=organiser, links=[LinkSpec(clause=clause(version))], based_on=0
        )
    assert DecisionRevision.objects.filter(submission=submission).count() == 1
