"""Organisers say, for every submission, where it went or why it was left out."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from traceability.consultations.models import SubmissionStatus
from traceability.dispositions.models import ClauseLink, DecisionRevision, Disposition
from traceability.dispositions.selectors import progress
from traceability.dispositions.services import LinkSpec, disposition_exclude, disposition_reflect

from .factories import file_submission, import_document


@pytest.fixture
def version(process, organiser):
    return import_document(process, organiser)


@pytest.fixture
def submission(process, stakeholder):
    return file_submission(process, stakeholder, title="Name all groups")


def clause(version, eid):
    return version.clauses.get(eid=eid)


def test_reflecting_links_clauses_and_records_history(submission, organiser, version):
    disposition_reflect(
        submission=submission,
        actor=organiser,
        links=[
            LinkSpec(clause=clause(version, "para_3"), extent="full", note="Added verbatim"),
            LinkSpec(clause=clause(version, "para_3-1"), extent="partial"),
        ],
    )
    disposition = Disposition.objects.get(submission=submission)
    assert disposition.kind == "reflected"
    assert disposition.extent == "full"
    links = disposition.revision.links
    assert sorted(links.values_list("clause__label", "extent")) == [("3", "full"), ("3.1", "partial")]
    # Each link records the permanent identity it follows and the clause text it was confirmed against.
    assert all(link.identity_id == link.clause.identity_id for link in links.select_related("clause"))
    assert all(link.fingerprint == link.clause.fingerprint for link in links.select_related("clause"))
    revision = DecisionRevision.objects.get(submission=submission)
    assert (revision.number, revision.decided_by, revision.version) == (1, organiser, version)
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.REFLECTED


def test_only_partial_links_make_a_partial_reflection(submission, organiser, version):
    disposition = disposition_reflect(
        submission=submission,
        actor=organiser,
        links=[LinkSpec(clause=clause(version, "para_3"), extent="partial")],
    )
    assert disposition.extent == "partial"


def test_reflecting_needs_at_least_one_clause(submission, organiser, version):
    with pytest.raises(ValidationError):
        disposition_reflect(submission=submission, actor=organiser, links=[])
    assert not Disposition.objects.exists()


def test_a_clause_of_another_process_is_refused(submission, organiser, other_process, other_organiser):
    foreign = import_document(other_process, other_organiser)
    with pytest.raises(ValidationError):
        disposition_reflect(submission=submission, actor=organiser, links=[LinkSpec(clause=foreign.clauses.first())])
    assert not Disposition.objects.exists() and not DecisionRevision.objects.exists()


def test_excluding_on_a_legal_ground_requires_a_cited_provision(submission, organiser):
    with pytest.raises(ValidationError):
        disposition_exclude(submission=submission, actor=organiser, ground="legal", legal_provision="   ")
    assert not Disposition.objects.exists()

    disposition_exclude(submission=submission, actor=organiser, ground="legal", legal_provision="GDPR Art. 9(1)")
    disposition = Disposition.objects.get()
    assert (disposition.kind, disposition.ground, disposition.reason) == ("excluded", "legal", "GDPR Art. 9(1)")


def test_excluding_on_public_morality_requires_a_justification(submission, organiser):
    with pytest.raises(ValidationError):
        disposition_exclude(submission=submission, actor=organiser, ground="public_morality", justification="")
    disposition_exclude(
        submission=submission, actor=organiser, ground="public_morality", justification="Incites hatred"
    )
    assert Disposition.objects.get().justification == "Incites hatred"


def test_unknown_ground_is_refused(submission, organiser):
    with pytest.raises(ValidationError):
        disposition_exclude(submission=submission, actor=organiser, ground="we_disliked_it", justification="x")
    assert not Disposition.objects.exists()


def test_changing_a_disposition_adds_a_revision_and_keeps_the_old_one_whole(submission, organiser, version):
    disposition_reflect(submission=submission, actor=organiser, links=[LinkSpec(clause=clause(version, "para_3"))])
    disposition_exclude(submission=submission, actor=organiser, ground="legal", legal_provision="Art. 5")
    disposition = Disposition.objects.get()
    assert disposition.kind == "excluded" and disposition.extent == "" and disposition.revision.number == 2
    assert not disposition.revision.links.exists()
    # The first revision still says what it linked, with the clause as it was then.
    first = DecisionRevision.objects.get(number=1)
    assert first.kind == "reflected" and list(first.links.values_list("clause__label", flat=True)) == ["3"]
    assert list(DecisionRevision.objects.values_list("kind", flat=True)) == ["reflected", "excluded"]
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.EXCLUDED


def test_organiser_of_another_process_cannot_disposition(submission, other_organiser):
    with pytest.raises(PermissionDenied):
        disposition_exclude(submission=submission, actor=other_organiser, ground="legal", legal_provision="Art. 1")
    assert not Disposition.objects.exists()


def test_withdrawn_submission_needs_no_disposition(submission, organiser, stakeholder):
    from traceability.consultations.services import submission_withdraw

    submission_withdraw(submission=submission, author=stakeholder)
    with pytest.raises(ValidationError):
        disposition_exclude(submission=submission, actor=organiser, ground="legal", legal_provision="Art. 1")


@pytest.mark.parametrize(
    "fields",
    [
        {"kind": "reflected", "extent": "full", "ground": "legal", "legal_provision": "Art. 1"},  # both at once
        {"kind": "reflected", "extent": ""},  # reflected without extent
        {"kind": "excluded", "ground": "legal", "legal_provision": ""},  # no citation
        {"kind": "excluded", "ground": "public_morality", "justification": ""},  # no justification
        {"kind": "excluded", "ground": "", "justification": "Because"},  # no ground
        {"kind": "excluded", "ground": "legal", "legal_provision": "Art. 1", "extent": "full"},
    ],
)
def test_database_refuses_a_disposition_that_is_neither_reflected_nor_grounded(submission, fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        Disposition.objects.create(submission=submission, **fields)


def test_history_is_append_only(submission, organiser, version):
    disposition_reflect(submission=submission, actor=organiser, links=[LinkSpec(clause=clause(version, "para_3"))])
    revision = DecisionRevision.objects.get()
    revision.kind = "excluded"
    with pytest.raises(ValueError):
        revision.save()
    with pytest.raises(ValueError):
        revision.delete()
    link = ClauseLink.objects.get()
    with pytest.raises(ValueError):
        link.save()


def test_progress_counts_dispositioned_active_submissions(process, stakeholder, organiser):
    first = file_submission(process, stakeholder)
    file_submission(process, stakeholder)
    disposition_exclude(submission=first, actor=organiser, ground="legal", legal_provision="Art. 5")
    assert progress(process) == {"total": 2, "dispositioned": 1, "reconfirm": 0, "drafts": 0}


# Through the workspace pages


def review_url(process, submission, action=""):
    name = f"dispositions:{action}" if action else "dispositions:review"
    return reverse(name, args=[process.slug, submission.reference])


def test_workspace_shows_progress_and_filters_the_queue(
    organiser_client, process, stakeholder, other_stakeholder, organiser
):
    mine = file_submission(process, stakeholder, title="Civil society idea")
    theirs = file_submission(process, other_stakeholder, title="Business idea")
    disposition_exclude(submission=theirs, actor=organiser, ground="legal", legal_provision="Art. 5")
    url = reverse("dispositions:workspace", args=[process.slug])

    page = organiser_client.get(url).content.decode()
    assert "1 of 2 submissions dispositioned" in page

    pending = organiser_client.get(url, {"status": "pending"}).content.decode()
    assert mine.reference in pending and theirs.reference not in pending

    by_group = organiser_client.get(url, {"group": theirs.stakeholder_group_id, "status": ""}).content.decode()
    assert theirs.reference in by_group and mine.reference not in by_group

    searched = organiser_client.get(url, {"q": "civil society"}).content.decode()
    assert mine.reference in searched and theirs.reference not in searched


def test_reflect_form_saves_links(organiser_client, process, submission, version):
    a, b = clause(version, "para_3"), clause(version, "para_3-1")
    data = {
        "links-TOTAL_FORMS": "3",
        "links-INITIAL_FORMS": "0",
        "links-MIN_NUM_FORMS": "3",
        "links-MAX_NUM_FORMS": "20",
        "links-0-clause": a.pk,
        "links-0-extent": "full",
        "links-0-note": "verbatim",
        "links-1-clause": b.pk,
        "links-1-extent": "partial",
        "links-1-note": "",
        "links-2-clause": "",
        "links-2-extent": "full",
        "links-2-note": "",
    }
    response = organiser_client.post(review_url(process, submission, "reflect"), data)
    assert response.status_code == 302
    assert ClauseLink.objects.count() == 2


def test_reflect_form_without_clauses_shows_an_error(organiser_client, process, submission, version):
    data = {
        "links-TOTAL_FORMS": "3",
        "links-INITIAL_FORMS": "0",
        "links-MIN_NUM_FORMS": "3",
        "links-MAX_NUM_FORMS": "20",
    }
    for i in range(3):
        data |= {f"links-{i}-clause": "", f"links-{i}-extent": "full", f"links-{i}-note": ""}
    response = organiser_client.post(review_url(process, submission, "reflect"), data)
    assert response.status_code == 400
    assert "Choose at least one clause" in response.content.decode()
    assert not Disposition.objects.exists()


def test_exclude_form_requires_the_reason_for_its_ground(organiser_client, process, submission):
    response = organiser_client.post(
        review_url(process, submission, "exclude"),
        {"exclude-ground": "public_morality", "exclude-legal_provision": "Art. 1", "exclude-justification": "  "},
    )
    assert response.status_code == 400
    assert "Give the justification" in response.content.decode()
    assert not Disposition.objects.exists()

    response = organiser_client.post(
        review_url(process, submission, "exclude"),
        {"exclude-ground": "legal", "exclude-legal_provision": "Art. 1 of the Act", "exclude-justification": ""},
    )
    assert response.status_code == 302
    assert Disposition.objects.get().legal_provision == "Art. 1 of the Act"


def test_public_trace_page_shows_the_decision_and_its_history(anon_client, submission, organiser, version):
    disposition_reflect(
        submission=submission,
        actor=organiser,
        links=[LinkSpec(clause=clause(version, "para_3"), note="Now says all groups")],
    )
    page = anon_client.get(submission.get_absolute_url()).content.decode()
    assert "Reflected" in page
    assert f"{reverse('outcomes:document', args=[submission.process.slug])}?version=1#para_3" in page
    assert "Now says all groups" in page
    assert "Organiser" in page and organiser.display_name not in page


def test_page_two_of_the_default_queue_is_still_the_pending_queue(
    organiser_client, process, stakeholder, organiser, settings
):
    settings.TRACE_PAGE_SIZE = 2
    submissions = [file_submission(process, stakeholder) for _ in range(5)]
    disposition_exclude(submission=submissions[0], actor=organiser, ground="legal", legal_provision="Art. 5")
    url = reverse("dispositions:workspace", args=[process.slug])
    first = organiser_client.get(url).content.decode()
    # Pages are anchored by receipt number: the first page holds the second and third submissions.
    next_link = f"?after={submissions[2].number}"
    assert "4 matching submissions" in first and next_link in first
    second = organiser_client.get(url + next_link).content.decode()
    assert "4 matching submissions" in second
    assert submissions[0].reference not in second
    assert submissions[3].reference in second and submissions[4].reference in second
