"""A link survives every new draft: matching, adoption, suspect links and their re-confirmation.

Each matching case (unchanged, renumbered, reworded, editorial, split, merged, inserted, removed) is
played on a decided submission: it ends confirmed, suspect (needs re-confirmation) or back in the queue
for a new decision, and the report agrees.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from traceability.consultations.models import SubmissionStatus
from traceability.dispositions.models import ClauseLink, DecisionRevision, RevisionChange
from traceability.dispositions.selectors import reconfirm_queue
from traceability.dispositions.services import (
    LinkSpec,
    disposition_exclude,
    disposition_reflect,
    link_reconfirm,
    version_adopt,
)
from traceability.outcomes.models import Clause, ClauseIdentity, ClauseMatch, DocumentVersion, MatchRelation
from traceability.outcomes.parsing import DocumentError
from traceability.outcomes.services import NothingToImport, match_correct, version_discard, version_import
from traceability.reports.builder import clause_aggregates
from traceability.reports.indicators import compute

from .factories import file_submission

P1 = "Every public consultation publishes its outcome document, with the date of its adoption and its authors."
P2 = (
    "Organisers answer every submission in writing, with the reasons for the decision and the clauses that "
    "reflect it, within ninety days of the close of the consultation."
)
P3 = "Stakeholder groups have equal weight in every decision, whatever the number of their members."
P4 = "Decisions are reviewed each year by an independent panel chosen by the stakeholder groups."
P5 = "The secretariat keeps a public archive of every submission, every decision and every version of the text."
NEW = "Remote participation is free of charge and available in the six official languages of the United Nations."


def document(*paragraphs: str) -> str:
    numbered = "\n".join(f"{n}. {text}" for n, text in enumerate(paragraphs, start=1))
    return f"# 1. Principles\n{numbered}\n"


BASE = document(P1, P2, P3, P4, P5)


@pytest.fixture
def draft(process, organiser) -> DocumentVersion:
    return version_import(process=process, source=BASE, label="Zero draft", created_by=organiser)


def clause(version: DocumentVersion, label: str) -> Clause:
    return version.clauses.get(label=label)


def reflect(process, author, organiser, version, *labels: str):
    submission = file_submission(process, author)
    disposition_reflect(
        submission=submission,
        actor=organiser,
        links=[LinkSpec(clause=clause(version, label), extent="full") for label in labels],
    )
    submission.refresh_from_db()
    return submission


def next_version(process, organiser, source: str, label: str = "Revision 1") -> DocumentVersion:
    return version_import(process=process, source=source, label=label, created_by=organiser)


def adopt(process, organiser, source: str, label: str = "Revision 1") -> DocumentVersion:
    version = next_version(process, organiser, source, label)
    version_adopt(version=version, actor=organiser)
    version.refresh_from_db()
    return version


def relations(version: DocumentVersion) -> set[tuple[str | None, str | None, str]]:
    return {
        (m.previous.label if m.previous else None, m.clause.label if m.clause else None, m.relation)
        for m in ClauseMatch.objects.filter(version=version).select_related("previous", "clause")
        if m.relation != MatchRelation.UNCHANGED
    }


def status(submission) -> str:
    submission.refresh_from_db()
    return submission.status


def uptake(process) -> int:
    return compute(process).totals.reflected


def reflected_in(process, version: DocumentVersion) -> dict[str, int]:
    """The clause matrix of report.json: label -> submissions it reflects (only clauses that reflect any)."""
    rows = clause_aggregates(process, version)
    return {row["label"]: row["reflected_full"] + row["reflected_partial"] for row in rows if row["reflected_full"]}


# ----------------------------------------------------------------------------- the eight cases


def test_unchanged_clause_keeps_its_identity_and_its_link_stays_confirmed(process, organiser, stakeholder, draft):
    submission = reflect(process, stakeholder, organiser, draft, "3")
    revised = adopt(process, organiser, document(P1, P2, P3, P4, P5 + " It is searchable."))
    assert (("5", "5", MatchRelation.REWORDED)) in relations(revised)
    assert clause(revised, "3").identity_id == clause(draft, "3").identity_id
    assert status(submission) == SubmissionStatus.REFLECTED
    assert reflected_in(process, revised) == {"3": 1}
    assert uptake(process) == 1


def test_renumbered_clause_carries_its_links_to_the_new_number(process, organiser, stakeholder, draft):
    submission = reflect(process, stakeholder, organiser, draft, "3")
    revised = adopt(process, organiser, document(NEW, P1, P2, P3, P4, P5))
    assert relations(revised) >= {(None, "1", MatchRelation.NEW), ("3", "4", MatchRelation.RENUMBERED)}
    assert clause(revised, "4").identity_id == clause(draft, "3").identity_id
    assert status(submission) == SubmissionStatus.REFLECTED
    # The clause matrix and the headline agree: the link counts for the clause now numbered 4, not for 3.
    assert reflected_in(process, revised) == {"4": 1}
    assert uptake(process) == 1


def test_reworded_clause_makes_its_link_suspect_until_re_confirmed(process, organiser, stakeholder, draft):
    submission = reflect(process, stakeholder, organiser, draft, "3")
    reworded = P3.replace("equal weight in every decision", "equal weight in decisions on the budget only")
    revised = adopt(process, organiser, document(P1, P2, reworded, P4, P5))
    assert ("3", "3", MatchRelation.REWORDED) in relations(revised)
    assert status(submission) == SubmissionStatus.NEEDS_RECONFIRMATION
    assert uptake(process) == 0 and reflected_in(process, revised) == {}
    (link,) = reconfirm_queue(process, revised)
    assert link.now_label == "3"

    link_reconfirm(submission=submission, actor=organiser, link=link)

    assert status(submission) == SubmissionStatus.REFLECTED
    assert uptake(process) == 1 and reflected_in(process, revised) == {"3": 1}
    latest = DecisionRevision.objects.filter(submission=submission).latest("number")
    assert (latest.number, latest.change, latest.version) == (2, RevisionChange.RECONFIRMED, revised)
    assert latest.links.get().fingerprint == clause(revised, "3").fingerprint
    # The first revision still records the clause text it was confirmed against.
    first = DecisionRevision.objects.get(submission=submission, number=1)
    assert first.links.get().clause == clause(draft, "3")


def test_an_editorial_change_keeps_the_link_confirmed(process, organiser, stakeholder, draft):
    submission = reflect(process, stakeholder, organiser, draft, "3")
    version = next_version(process, organiser, document(P1, P2, P3.replace("whatever", "regardless of"), P4, P5))
    assert ("3", "3", MatchRelation.REWORDED) in relations(version)
    match_correct(version=version, clause=clause(version, "3"), previous_labels=["3"], editorial=True, actor=organiser)
    version_adopt(version=version, actor=organiser)
    assert status(submission) == SubmissionStatus.REFLECTED
    assert clause(version, "3").fingerprint == clause(draft, "3").fingerprint
    assert uptake(process) == 1


def test_a_split_clause_makes_its_link_suspect_and_the_link_can_move_to_either_part(
    process, organiser, stakeholder, draft
):
    submission = reflect(process, stakeholder, organiser, draft, "2")
    first, second = P2.split(", within ")
    revised = adopt(process, organiser, document(P1, first + ".", "Answers come within " + second, P3, P4, P5))
    assert relations(revised) >= {("2", "2", MatchRelation.SPLIT), ("2", "3", MatchRelation.SPLIT)}
    assert clause(revised, "2").identity_id == clause(draft, "2").identity_id  # the first part carries it on
    assert (
        ClauseIdentity.objects.get(pk=clause(revised, "3").identity_id).split_from_id == clause(draft, "2").identity_id
    )
    assert status(submission) == SubmissionStatus.NEEDS_RECONFIRMATION
    (link,) = reconfirm_queue(process, revised)

    link_reconfirm(submission=submission, actor=organiser, link=link, move_to=clause(revised, "3"))

    assert status(submission) == SubmissionStatus.REFLECTED
    assert reflected_in(process, revised) == {"3": 1}
    assert DecisionRevision.objects.filter(submission=submission).latest("number").change == RevisionChange.MOVED


def test_merged_clauses_make_both_links_suspect_and_re_confirming_joins_them(process, organiser, stakeholder, draft):
    both = reflect(process, stakeholder, organiser, draft, "4", "5")
    one = reflect(process, stakeholder, organiser, draft, "5")
    revised = adopt(process, organiser, document(P1, P2, P3, P4[:-1] + ", and " + P5[0].lower() + P5[1:]))
    assert relations(revised) >= {("4", "4", MatchRelation.MERGED), ("5", "4", MatchRelation.MERGED)}
    assert (
        ClauseIdentity.objects.get(pk=clause(draft, "5").identity_id).merged_into_id == clause(draft, "4").identity_id
    )
    assert status(both) == status(one) == SubmissionStatus.NEEDS_RECONFIRMATION
    queue = list(reconfirm_queue(process, revised))
    assert {link.now_label for link in queue} == {"4"} and len(queue) == 3

    link_reconfirm(submission=one, actor=organiser, link=next(q for q in queue if q.revision.submission == one))
    first_of_both = next(q for q in queue if q.revision.submission == both)
    link_reconfirm(submission=both, actor=organiser, link=first_of_both)

    # The two links of the same submission now meet in one clause: they become one link.
    assert status(both) == status(one) == SubmissionStatus.REFLECTED
    assert ClauseLink.objects.filter(revision__current_of__submission=both).count() == 1
    assert reflected_in(process, revised) == {"4": 2}


def test_an_inserted_clause_is_new_and_changes_no_link(process, organiser, stakeholder, draft):
    submission = reflect(process, stakeholder, organiser, draft, "5")
    revised = adopt(process, organiser, document(P1, P2, P3, P4, P5, NEW))
    assert relations(revised) == {(None, "6", MatchRelation.NEW)}
    assert status(submission) == SubmissionStatus.REFLECTED
    assert ClauseIdentity.objects.get(pk=clause(revised, "6").identity_id).introduced_in == revised


def test_a_removed_clause_sends_its_submission_back_for_a_new_decision(process, organiser, stakeholder, draft):
    submission = reflect(process, stakeholder, organiser, draft, "5")
    revised = adopt(process, organiser, document(P1, P2, P3, P4))
    assert relations(revised) == {("5", None, MatchRelation.REMOVED)}
    assert status(submission) == SubmissionStatus.NEEDS_RECONFIRMATION
    # A link to a removed clause never counts as uptake.
    assert uptake(process) == 0 and reflected_in(process, revised) == {}
    (link,) = reconfirm_queue(process, revised)
    assert link.now_pk is None
    with pytest.raises(ValidationError, match="removed"):
        link_reconfirm(submission=submission, actor=organiser, link=link)
    with pytest.raises(ValidationError, match="only link"):
        link_reconfirm(submission=submission, actor=organiser, link=link, remove=True)
    # Deciding again takes it out of the queue.
    disposition_exclude(submission=submission, actor=organiser, ground="legal", legal_provision="Act 1, s. 2")
    assert status(submission) == SubmissionStatus.EXCLUDED
    assert not reconfirm_queue(process, revised).exists()


# ----------------------------------------------------------------------------- the tester's scenario


def test_re_importing_the_same_text_is_a_no_op_and_changes_no_count(process, organiser, stakeholder, draft):
    reflect(process, stakeholder, organiser, draft, "3")
    before = reflected_in(process, draft)
    with pytest.raises(NothingToImport, match="same as version 1"):
        next_version(process, organiser, BASE)
    assert DocumentVersion.objects.filter(process=process).count() == 1
    assert reflected_in(process, draft) == before == {"3": 1}


def test_a_new_version_with_one_change_keeps_the_other_clauses_counts(
    anon_client, process, organiser, stakeholder, draft
):
    """On the old main, re-importing made clause 3 drop from 1 reflected submission to 0 (links stayed on
    the old version's rows while the report read the new one)."""
    reflect(process, stakeholder, organiser, draft, "3")
    revised = adopt(process, organiser, document(P1, P2, P3, P4, P5 + " Online."))
    assert reflected_in(process, revised) == {"3": 1}
    report = anon_client.get(reverse("reports:report-json", args=[process.slug])).json()
    assert report["document_version"]["number"] == 2
    assert {c["label"]: c["reflected"] for c in report["clauses"] if c["reflected"]} == {"3": 1}
    assert report["indicators"]["uptake"]["numerator"] == 1


# ----------------------------------------------------------------------------- rules of import and adoption


def test_a_second_import_waits_until_the_first_is_adopted_or_discarded(process, organiser, draft):
    pending = next_version(process, organiser, document(NEW, P1, P2, P3, P4, P5))
    assert not pending.is_adopted
    assert DocumentVersion.objects.report_version_for(process) == draft  # the public still reads the draft
    with pytest.raises(DocumentError, match="waiting for its matching"):
        next_version(process, organiser, document(P1, P2), label="Another")
    version_discard(version=pending, actor=organiser)
    assert list(DocumentVersion.objects.filter(process=process)) == [draft]


def test_an_adopted_version_cannot_be_discarded_or_adopted_again(process, organiser, draft):
    with pytest.raises(ValidationError):
        version_discard(version=draft, actor=organiser)
    with pytest.raises(ValidationError):
        version_adopt(version=draft, actor=organiser)


def test_correcting_a_match_by_label_turns_new_and_removed_into_a_rewording(process, organiser, draft):
    rewritten = "Every two years an external auditor, not a panel, reviews what was decided and why."
    version = next_version(process, organiser, document(P1, P2, P3, rewritten, P5))
    assert relations(version) == {("4", None, MatchRelation.REMOVED), (None, "4", MatchRelation.NEW)}
    match_correct(version=version, clause=clause(version, "4"), previous_labels=["4"], editorial=False, actor=organiser)
    assert relations(version) == {("4", "4", MatchRelation.REWORDED)}
    version_adopt(version=version, actor=organiser)
    assert clause(version, "4").identity_id == clause(draft, "4").identity_id


def test_a_correction_naming_an_unknown_label_is_refused(process, organiser, draft):
    version = next_version(process, organiser, document(P1, P2, P3, P4, P5 + " Online."))
    before = relations(version)
    with pytest.raises(ValidationError, match="no clause labelled 9"):
        match_correct(
            version=version, clause=clause(version, "5"), previous_labels=["9"], editorial=False, actor=organiser
        )
    assert relations(version) == before


def test_links_point_only_at_linkable_clauses_of_the_current_version(process, organiser, stakeholder, draft):
    revised = adopt(process, organiser, document(NEW, P1, P2, P3, P4, P5))
    submission = file_submission(process, stakeholder)
    with pytest.raises(ValidationError, match="current version"):
        disposition_reflect(submission=submission, actor=organiser, links=[LinkSpec(clause=clause(draft, "3"))])
    heading = revised.clauses.get(kind="section")
    assert heading.linkable  # "# 1. Principles" is numbered, so it can be linked...
    unnumbered = version_import(
        process=process,
        source="## Preamble\nSome words.\n" + document(NEW, P1, P2, P3, P4, P5),
        label="R2",
        created_by=organiser,
    )
    version_adopt(version=unnumbered, actor=organiser)
    preamble = unnumbered.clauses.get(label="Preamble")
    with pytest.raises(ValidationError, match="heading"):  # ...an unnumbered heading cannot
        disposition_reflect(submission=submission, actor=organiser, links=[LinkSpec(clause=preamble)])
