"""The pages of the version workflow, as organisers, stakeholders and the public use them: importing the
next version, reviewing and correcting its matching, adopting it, re-confirming links, the redline, trace
pages after renumbering, and comment rounds."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tasks import default_task_backend

from traceability.consultations.models import CommentRound, Submission, SubmissionStatus
from traceability.consultations.services import round_open
from traceability.dispositions.models import ClauseLink
from traceability.dispositions.services import LinkSpec, disposition_reflect, version_adopt
from traceability.outcomes.models import ClauseMatch, DocumentVersion, MatchRelation
from traceability.outcomes.services import version_import
from traceability.reports.tasks import refresh_redline_links

from .conftest import client_for
from .factories import file_submission, group_of, make_process, make_user
from .test_versions import BASE, NEW, P1, P2, P3, P4, P5, document


@pytest.fixture
def draft(process, organiser):
    return version_import(process=process, source=BASE, label="Zero draft", created_by=organiser)


@pytest.fixture
def decided(process, organiser, stakeholder, draft):
    """A submission reflected in paragraph 3 of the zero draft."""
    submission = file_submission(process, stakeholder, title="Equal weight")
    disposition_reflect(submission=submission, actor=organiser, links=[LinkSpec(clause=draft.clauses.get(label="3"))])
    return submission


def text_of(response) -> str:
    return text_of_html(response.content.decode())


def text_of_html(html: str) -> str:
    # <bdi> only isolates a user's text inside a sentence (inline): it adds no space to what is read.
    html = re.sub(r"</?bdi>", "", html)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_organiser_imports_reviews_corrects_and_adopts_a_new_version(organiser_client, process, decided):
    rewritten = "Every two years an external auditor, not a panel, reviews what was decided and why."
    response = organiser_client.post(
        reverse("outcomes:import", args=[process.slug]),
        {"label": "Revision 1", "status": "draft", "text": document(NEW, P1, P2, P3, rewritten, P5)},
    )
    matching = reverse("outcomes:matching", args=[process.slug, 2])
    assert response["Location"] == matching
    page = organiser_client.get(matching)
    body = text_of(page)
    assert "Renumbered: 4" in body and "New: 2" in body and "Removed: 1" in body
    # Changed clauses only, by default: the renumbered ones (with their word-level diff) and the new ones.
    assert 'id="clause-' in page.content.decode() and "Adopt this matching" in body

    version = DocumentVersion.objects.get(process=process, number=2)
    auditor = version.clauses.get(label="5")
    response = organiser_client.post(
        reverse("outcomes:match-update", args=[process.slug, 2, auditor.pk]), {"previous": "4", "editorial": ""}
    )
    assert response.status_code == 302 and response["Location"].endswith(f"#clause-{auditor.pk}")
    assert ClauseMatch.objects.get(version=version, clause=auditor).relation == MatchRelation.REWORDED

    response = organiser_client.post(reverse("dispositions:adopt", args=[process.slug, 2]))
    version.refresh_from_db()
    assert version.is_adopted
    # Paragraph 3 became 4 with the same words: the link follows it and nothing needs re-confirming.
    assert response["Location"] == reverse("dispositions:workspace", args=[process.slug])
    decided.refresh_from_db()
    assert decided.status == SubmissionStatus.REFLECTED


def test_a_bad_correction_is_explained_and_changes_nothing(organiser_client, process, draft):
    version_import(process=process, source=document(NEW, P1, P2, P3, P4, P5), label="R1", created_by=None)
    version = DocumentVersion.objects.get(process=process, number=2)
    before = set(ClauseMatch.objects.filter(version=version).values_list("clause", "previous", "relation"))
    target = version.clauses.get(label="2")
    response = organiser_client.post(
        reverse("outcomes:match-update", args=[process.slug, 2, target.pk]), {"previous": "1, 1"}, follow=True
    )
    assert "Name each clause only once." in text_of(response)
    response = organiser_client.post(
        reverse("outcomes:match-update", args=[process.slug, 2, target.pk]), {"previous": "77"}, follow=True
    )
    assert "Version 1 has no clause labelled 77." in text_of(response)
    assert set(ClauseMatch.objects.filter(version=version).values_list("clause", "previous", "relation")) == before


def test_importing_the_same_text_again_says_so_and_imports_nothing(organiser_client, process, draft):
    response = organiser_client.post(
        reverse("outcomes:import", args=[process.slug]),
        {"label": "Again", "status": "draft", "text": BASE},
        follow=True,
    )
    assert "This text is the same as version 1 (Zero draft). Nothing was imported." in text_of(response)
    assert DocumentVersion.objects.filter(process=process).count() == 1


def test_the_re_confirmation_queue_shows_the_change_and_re_confirms_on_one_post(
    organiser_client, process, organiser, decided
):
    reworded = P3.replace("equal weight in every decision", "equal weight in budget decisions")
    version = version_import(process=process, source=document(P1, P2, reworded, P4, P5), label="R1", created_by=None)
    version_adopt(version=version, actor=organiser)
    workspace = organiser_client.get(reverse("dispositions:workspace", args=[process.slug]))
    assert "1 submission needs its clause links re-confirmed" in text_of(workspace)

    queue = organiser_client.get(reverse("dispositions:reconfirm", args=[process.slug]))
    html = queue.content.decode()
    # The change is shown word by word, as insertions and deletions (not colour alone).
    # (each announced to screen readers: "deleted:", "inserted:")
    hidden = '<span class="visually-hidden">{}: </span>'
    assert re.search(hidden.format("deleted") + r"[^<]*every[^<]*</del>", html)
    assert re.search(hidden.format("inserted") + r"[^<]*budget[^<]*</ins>", html)
    assert "autofocus" in html  # Enter re-confirms the first link
    link_pk = re.search(r"/workspace/reconfirm/(\d+)/", html).group(1)
    response = organiser_client.post(
        reverse("dispositions:reconfirm-link", args=[process.slug, link_pk]), {"action": "reconfirm"}, follow=True
    )
    assert f"The link of {decided.reference} is re-confirmed." in text_of(response)
    assert "Every link is confirmed against the current version." in text_of(response)
    decided.refresh_from_db()
    assert decided.status == SubmissionStatus.REFLECTED


def test_moving_a_link_to_an_unknown_label_is_explained(organiser_client, process, organiser, decided):
    version = version_import(process=process, source=document(P1, P2, P4, P5), label="R1", created_by=None)
    version_adopt(version=version, actor=organiser)
    html = organiser_client.get(reverse("dispositions:reconfirm", args=[process.slug])).content.decode()
    assert "This clause was removed from the current version." in html
    link_pk = re.search(r"/workspace/reconfirm/(\d+)/", html).group(1)
    url = reverse("dispositions:reconfirm-link", args=[process.slug, link_pk])
    response = organiser_client.post(url, {"action": "move", "label": "99"}, follow=True)
    assert "The current version has no clause labelled 99." in text_of(response)
    response = organiser_client.post(url, {"action": "move", "label": "1"}, follow=True)
    assert "now points at clause 1" in text_of(response)
    decided.refresh_from_db()
    assert decided.status == SubmissionStatus.REFLECTED


def test_a_trace_page_says_where_a_renumbered_clause_is_now(anon_client, process, organiser, decided):
    version = version_import(process=process, source=document(NEW, P1, P2, P3, P4, P5), label="Final", created_by=None)
    version_adopt(version=version, actor=organiser)
    body = text_of(anon_client.get(decided.get_absolute_url()))
    assert "Clause 4 of Final" in body  # how it was treated, now
    assert "(was 3 in Zero draft)" in body
    assert "clause 3 of Zero draft" in body and "now 4 in Final" in body  # the history, as it was then
    html = anon_client.get(decided.get_absolute_url()).content.decode()
    document_url = reverse("outcomes:document", args=[process.slug])
    assert f'href="{document_url}?version=2#para_4"' in html


def test_the_redline_pairs_clauses_marks_words_and_names_the_submissions(anon_client, process, organiser, decided):
    reworded = P3.replace("every decision", "budget decisions")
    version = version_import(
        process=process, source=document(NEW, P1, P2, reworded, P4), label="Revision 1", created_by=None
    )
    version_adopt(version=version, actor=organiser)
    response = anon_client.get(reverse("reports:compare", args=[process.slug]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<ins>" in html and "<del>" in html  # not colour alone
    body = text_of(response)
    assert "was 3 in Zero draft" in body and "Reworded" in body and "Removed" in body and "New" in body
    assert f"Linked by 1 submission: {decided.reference}" in body
    # Unchanged clauses are left out unless asked for; any two versions can be compared, in order only.
    everything = text_of(
        anon_client.get(reverse("reports:compare", args=[process.slug]), {"old": 1, "new": 2, "all": "on"})
    )
    assert "Unchanged" in everything
    backwards = anon_client.get(reverse("reports:compare", args=[process.slug]), {"old": 2, "new": 1})
    assert backwards.status_code == 400 and "Choose an earlier version first" in text_of(backwards)
    unknown = anon_client.get(reverse("reports:compare", args=[process.slug]), {"old": 1, "new": 9})
    assert unknown.status_code == 400


def measure_redline(organiser, stakeholder, size: int) -> int:
    """Queries of the redline between two versions of ``size`` paragraphs, every paragraph reworded and
    every third one linked by a submission."""

    def text(prefix: str = "") -> str:
        lines = (f"{k}. {prefix}Paragraph {k} says something of its own, number {k}." for k in range(1, size + 1))
        return "# 1. Part\n" + "\n".join(lines)

    process = make_process(phase="open", organisers=(organiser,))
    first = version_import(process=process, source=text(), label="v1", created_by=organiser)
    for k in range(1, size + 1, 3):
        submission = file_submission(process, stakeholder)
        disposition_reflect(
            submission=submission, actor=organiser, links=[LinkSpec(clause=first.clauses.get(label=str(k)))]
        )
    second = version_import(process=process, source=text("Revised: "), label="v2", created_by=organiser)
    version_adopt(version=second, actor=organiser)
    client = client_for(None)
    url = reverse("reports:compare", args=[process.slug])
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200 and "Linked by 1 submission" in text_of(response)
    return len(queries)


def test_the_redline_runs_a_fixed_number_of_queries_whatever_the_size(organiser, stakeholder):
    assert measure_redline(organiser, stakeholder, 10) == measure_redline(organiser, stakeholder, 200)


# ----------------------------------------------------------------------------- comment rounds


def test_an_organiser_opens_a_round_and_a_stakeholder_comments_on_one_paragraph(
    organiser_client, stakeholder_client, anon_client, process, stakeholder, draft
):
    closes = (timezone.now() + timedelta(days=10)).strftime("%Y-%m-%dT%H:%M")
    response = organiser_client.post(reverse("outcomes:round-open", args=[process.slug]), {"closes_at": closes})
    assert response.status_code == 302
    comment_round = CommentRound.objects.get(process=process)
    assert (comment_round.number, comment_round.version) == (1, draft)
    assert "Round 1, on Zero draft" in text_of(anon_client.get(process.get_absolute_url()))

    # The public document offers "comment on this paragraph" beside every linkable clause.
    document = anon_client.get(reverse("outcomes:document", args=[process.slug])).content.decode()
    para_3 = draft.clauses.get(label="3")
    link = f"{reverse('consultations:submission-create', args=[process.slug])}?clause={para_3.identity_id}"
    assert link in document
    assert document.count("?clause=") == draft.clauses.linkable().count()

    form = stakeholder_client.get(link)
    assert "You are commenting on clause 3 of Zero draft" in text_of(form)
    token = re.search(r'name="form_token" value="([^"]+)"', form.content.decode()).group(1)
    response = stakeholder_client.post(
        link,
        {
            "title": "Weight",
            "text": "Weight by group, not by headcount.",
            "target": para_3.identity_id,
            "stakeholder_group": group_of(process).pk,
            "attribution": "name",
            "form_token": token,
        },
    )
    assert response.status_code == 302
    submission = Submission.objects.get(title="Weight")
    assert (submission.target_id, submission.round) == (para_3.identity_id, comment_round)
    trace = text_of(anon_client.get(submission.get_absolute_url()))
    assert "Comments on clause 3 of Zero draft" in trace and "Round 1" in trace


def test_a_comment_on_a_clause_of_another_process_is_refused(stakeholder_client, process, other_process, draft):
    foreign = version_import(process=other_process, source=BASE, label="Other", created_by=None)
    clause = foreign.clauses.get(label="1")
    url = reverse("consultations:submission-create", args=[process.slug])
    form = stakeholder_client.get(url)
    token = re.search(r'name="form_token" value="([^"]+)"', form.content.decode()).group(1)
    response = stakeholder_client.post(
        url,
        {
            "title": "Elsewhere",
            "text": "A comment.",
            "target": clause.identity_id,
            "stakeholder_group": group_of(process).pk,
            "attribution": "name",
            "form_token": token,
        },
    )
    assert response.status_code == 200
    assert "That clause is not part of this process" in text_of(response)
    assert not Submission.objects.filter(title="Elsewhere").exists()


def test_a_round_takes_filings_until_it_closes_and_the_server_refuses_them_after(
    organiser, closed_process, stakeholder
):
    from traceability.consultations.services import ProcessNotOpen, round_close

    draft = version_import(process=closed_process, source=BASE, label="Zero draft", created_by=organiser)
    with pytest.raises(ProcessNotOpen):
        file_submission(closed_process, stakeholder, now=timezone.now())
    comment_round = round_open(
        process=closed_process, version=draft, closes_at=timezone.now() + timedelta(days=1), actor=organiser
    )
    closed_process.refresh_from_db()
    assert file_submission(closed_process, stakeholder, now=timezone.now()).round == comment_round
    round_close(comment_round=comment_round, actor=organiser)
    closed_process.refresh_from_db()
    with pytest.raises(ProcessNotOpen):
        file_submission(closed_process, stakeholder, now=timezone.now())


def test_a_filing_goes_to_the_round_open_now_not_an_earlier_one(organiser, closed_process, stakeholder):
    from traceability.consultations.services import round_close

    draft = version_import(process=closed_process, source=BASE, label="Zero draft", created_by=organiser)
    first = round_open(
        process=closed_process, version=draft, closes_at=timezone.now() + timedelta(days=1), actor=organiser
    )
    round_close(comment_round=first, actor=organiser)
    second = round_open(
        process=closed_process, version=draft, closes_at=timezone.now() + timedelta(days=2), actor=organiser
    )
    closed_process.refresh_from_db()
    assert file_submission(closed_process, stakeholder, now=timezone.now()).round == second


def test_a_filing_in_an_open_round_reads_the_round_with_its_number_and_after_the_lock_only_if_unseen(
    organiser, closed_process, stakeholder
):
    """The statement that takes the number also reads the round with the process's window: a filing in an open
    round makes no query of its own on the rounds. On PostgreSQL, a filing that waited for the process row while
    a round opened reads the row again, but not that subquery, which then finds nothing: the round open now is
    read after the lock instead."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from traceability.consultations.services import _open_round, _take_number

    draft = version_import(process=closed_process, source=BASE, label="Zero draft", created_by=organiser)
    comment_round = round_open(
        process=closed_process, version=draft, closes_at=timezone.now() + timedelta(days=1), actor=organiser
    )
    closed_process.refresh_from_db()
    with CaptureQueriesContext(connection) as queries:
        assert file_submission(closed_process, stakeholder, now=timezone.now()).round_id == comment_round.pk
    on_rounds = [q["sql"] for q in queries.captured_queries if "consultations_commentround" in q["sql"]]
    assert len(on_rounds) == 1 and on_rounds[0].startswith("UPDATE")

    locked = _take_number(closed_process)
    assert locked.window_round_id == comment_round.pk
    locked.window_round_id = None  # what the statement gives when its snapshot predates the round
    assert _open_round(locked, timezone.now()) == comment_round.pk
    assert _open_round(locked, comment_round.closes_at) is None


def test_organisers_extend_and_close_a_round_and_the_process_page_tells_its_history(
    anon_client, organiser_client, organiser, closed_process, stakeholder
):
    from traceability.consultations.models import ProcessEvent, ProcessEventKind
    from traceability.consultations.services import ProcessNotOpen

    draft = version_import(process=closed_process, source=BASE, label="Zero draft", created_by=organiser)
    comment_round = round_open(
        process=closed_process, version=draft, closes_at=timezone.now() + timedelta(hours=1), actor=organiser
    )
    url = reverse("outcomes:round-extend", args=[closed_process.slug, 1])
    earlier = (timezone.now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    refused = organiser_client.post(url, {"closes_at": earlier})
    assert refused.status_code == 400
    assert "choose a time after its current closing time" in text_of(refused)
    later = timezone.now() + timedelta(days=10)
    assert organiser_client.post(url, {"closes_at": later.strftime("%Y-%m-%dT%H:%M")}).status_code == 302
    comment_round.refresh_from_db()
    assert comment_round.closes_at > timezone.now() + timedelta(days=9)
    # The server enforces the new closing time: a filing after the old one is taken.
    closed_process.refresh_from_db()
    assert file_submission(closed_process, stakeholder, now=timezone.now() + timedelta(hours=2)).round == comment_round
    assert organiser_client.post(reverse("outcomes:round-close", args=[closed_process.slug, 1])).status_code == 302
    closed_process.refresh_from_db()
    with pytest.raises(ProcessNotOpen):
        file_submission(closed_process, stakeholder, now=timezone.now() + timedelta(minutes=1))

    kinds = list(
        ProcessEvent.objects.filter(process=closed_process).order_by("at", "pk").values_list("kind", flat=True)
    )
    assert kinds == [ProcessEventKind.ROUND_OPENED, ProcessEventKind.ROUND_EXTENDED, ProcessEventKind.ROUND_CLOSED]
    page = text_of(anon_client.get(reverse("consultations:process-detail", args=[closed_process.slug])))
    assert "Comment round 1 opened" in page and "Comment round 1 extended, now until" in page
    assert "Comment round 1 closed on" in page


def test_a_public_process_keeps_its_slug_and_code(closed_process, admin_client):
    from django.core.exceptions import ValidationError

    closed_process.slug, closed_process.code = "renamed", "RENAMED"
    with pytest.raises(ValidationError) as caught:
        closed_process.full_clean()
    assert set(caught.value.message_dict) >= {"slug", "code"}
    page = admin_client.get(reverse("admin:consultations_process_change", args=[closed_process.pk]))
    assert 'name="slug"' not in page.content.decode() and 'name="code"' not in page.content.decode()


def test_a_second_round_cannot_open_while_one_is_open(organiser, process, draft):
    from django.core.exceptions import ValidationError

    round_open(process=process, version=draft, closes_at=timezone.now() + timedelta(days=1), actor=organiser)
    with pytest.raises(ValidationError, match="already open"):
        round_open(process=process, version=draft, closes_at=timezone.now() + timedelta(days=2), actor=organiser)


def test_the_report_reads_one_round_or_the_whole(anon_client, process, organiser, stakeholder, draft):
    early = file_submission(process, stakeholder, title="Before any round")
    round_open(process=process, version=draft, closes_at=timezone.now() + timedelta(days=1), actor=organiser)
    during = file_submission(process, make_user(), title="During round 1", now=timezone.now())
    assert (early.round, during.round.number) == (None, 1)
    url = reverse("reports:report", args=[process.slug])
    whole = text_of(anon_client.get(url))
    assert "0 of 2 submissions have a disposition." in whole
    one = text_of(anon_client.get(url, {"round": 1}))
    assert "0 of 1 submissions have a disposition." in one and "Showing round 1 only." in one
    assert during.reference in one and early.reference not in one


def organiser_pages_queries(organiser, stakeholder, size: int) -> dict[str, int]:
    """Queries of the matching page (every clause renumbered and reworded) and of the re-confirmation
    queue (every linked clause reworded), for a document of ``size`` paragraphs."""

    def text(prefix: str = "") -> str:
        lines = (f"{k}. {prefix}Paragraph {k} says something of its own, number {k}." for k in range(1, size + 1))
        return "# 1. Part\n" + "\n".join(lines)

    process = make_process(phase="open", organisers=(organiser,))
    first = version_import(process=process, source=text(), label="v1", created_by=organiser)
    for k in range(1, size + 1):
        submission = file_submission(process, stakeholder)
        disposition_reflect(
            submission=submission, actor=organiser, links=[LinkSpec(clause=first.clauses.get(label=str(k)))]
        )
    second = version_import(process=process, source=text("Now: "), label="v2", created_by=organiser)
    client = client_for(organiser)
    counts = {}
    for name, url in (
        ("matching", reverse("outcomes:matching", args=[process.slug, 2])),
        ("reconfirm", reverse("dispositions:reconfirm", args=[process.slug])),
    ):
        if name == "reconfirm":
            version_adopt(version=second, actor=organiser)
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        assert "Paragraph 1 says" in response.content.decode()
        counts[name] = len(queries)
    return counts


def test_the_matching_page_and_the_re_confirmation_queue_run_a_fixed_number_of_queries(organiser, stakeholder):
    assert organiser_pages_queries(organiser, stakeholder, 10) == organiser_pages_queries(organiser, stakeholder, 120)


# ----------------------------------------------------------------------------- found in review


def test_after_the_final_text_only_a_corrected_final_text_can_follow(process, organiser, stakeholder, draft):
    from traceability.outcomes.models import VersionStatus
    from traceability.outcomes.parsing import DocumentError

    final = version_import(
        process=process,
        source=document(P1, P2, P3, P4, P5 + " Online."),
        label="Final",
        status=VersionStatus.FINAL,
        created_by=organiser,
    )
    version_adopt(version=final, actor=organiser)
    with pytest.raises(DocumentError, match="final text \\(version 2\\) is adopted"):
        version_import(process=process, source=document(P1, P2, P3), label="Later draft", created_by=organiser)
    corrected = version_import(
        process=process,
        source=document(P1, P2, P3, P4, P5 + " Online!"),
        label="Corrigendum",
        status=VersionStatus.FINAL,
        created_by=organiser,
    )
    version_adopt(version=corrected, actor=organiser)
    assert DocumentVersion.objects.report_version_for(process) == corrected


@pytest.mark.parametrize("value", ["²", "٣", "1" * 40, "-1", "abc", ""])
def test_an_odd_clause_in_the_address_is_ignored_never_a_500(stakeholder_client, process, draft, value):
    url = reverse("consultations:submission-create", args=[process.slug])
    response = stakeholder_client.get(url, {"clause": value})
    assert response.status_code == 200
    assert 'data-testid="target-clause"' not in response.content.decode()
    form = stakeholder_client.get(url).content.decode()
    token = re.search(r'name="form_token" value="([^"]+)"', form).group(1)
    response = stakeholder_client.post(
        url,
        {
            "title": "T",
            "text": "A comment.",
            "target": value,
            "stakeholder_group": group_of(process).pk,
            "attribution": "name",
            "form_token": token,
        },
    )
    assert response.status_code in (200, 302)


def test_page_two_of_the_default_redline_is_the_same_comparison(anon_client, process, organiser, settings):
    settings.TRACE_PAGE_SIZE = 2
    version_import(process=process, source=BASE, label="Zero draft", created_by=organiser)
    revised = version_import(
        process=process,
        source=document(NEW, P1 + " A", P2 + " B", P3 + " C", P4 + " D", P5 + " E"),
        label="R1",
        created_by=organiser,
    )
    version_adopt(version=revised, actor=organiser)
    first = anon_client.get(reverse("reports:compare", args=[process.slug]))
    assert first.status_code == 200 and "old=1&amp;new=2&amp;page=2" in first.content.decode()
    second = anon_client.get(reverse("reports:compare", args=[process.slug]), {"page": 2})
    assert second.status_code == 200 and "Page 2 of" in text_of(second)


def test_a_round_keeps_the_process_window_and_responsiveness(anon_client, process, organiser, closed_process, draft):
    from traceability.consultations.services import round_close
    from traceability.reports.indicators import compute

    closed_draft = version_import(process=closed_process, source=BASE, label="Zero draft", created_by=organiser)
    closes_at = closed_process.closes_at
    comment_round = round_open(
        process=closed_process, version=closed_draft, closes_at=timezone.now() + timedelta(days=5), actor=organiser
    )
    closed_process.refresh_from_db()
    assert closed_process.is_open() and closed_process.closes_at == closes_at  # open through the round only
    round_close(comment_round=comment_round, actor=organiser)
    closed_process.refresh_from_db()
    assert not closed_process.is_open() and closed_process.closes_at == closes_at
    assert compute(closed_process).responsiveness.empty_reason  # nothing decided; the closing date stands
    # Closing a round while the process's own window is open stops submissions: the window ends now, and
    # that real closing time is what responsiveness counts from.
    round_in_open = round_open(
        process=process, version=draft, closes_at=timezone.now() + timedelta(days=1), actor=organiser
    )
    round_close(comment_round=round_in_open, actor=organiser)
    process.refresh_from_db()
    assert not process.is_open() and process.closes_at <= timezone.now()


def test_the_clause_table_reads_the_same_round_as_the_indicators(anon_client, process, organiser, stakeholder, draft):
    early = file_submission(process, stakeholder, title="Before the round")
    disposition_reflect(submission=early, actor=organiser, links=[LinkSpec(clause=draft.clauses.get(label="3"))])
    round_open(process=process, version=draft, closes_at=timezone.now() + timedelta(days=1), actor=organiser)
    later = file_submission(process, make_user(), title="In round 1", now=timezone.now())
    disposition_reflect(submission=later, actor=organiser, links=[LinkSpec(clause=draft.clauses.get(label="1"))])
    page = anon_client.get(reverse("reports:report", args=[process.slug]), {"round": 1}).content.decode()
    table = page.split('data-testid="clause-table"')[1].split("</table>")[0]
    assert later.reference in table and early.reference not in table


# ----------------------------------------------------------------------------- found walking the demo


def test_a_round_on_a_closed_process_shows_its_own_deadline(anon_client, organiser, closed_process):
    draft = version_import(process=closed_process, source=BASE, label="Zero draft", created_by=organiser)
    closes = timezone.now() + timedelta(days=5)
    round_open(process=closed_process, version=draft, closes_at=closes, actor=organiser)
    page = text_of(anon_client.get(closed_process.get_absolute_url()))
    assert f"Submissions close {timezone.localtime(closes):%-d %B %Y, %H:%M}" in page


def test_commenting_on_a_paragraph_records_its_number_instead_of_asking_for_it(
    stakeholder_client, anon_client, organiser, process, draft
):
    para_3 = draft.clauses.get(label="3")
    url = f"{reverse('consultations:submission-create', args=[process.slug])}?clause={para_3.identity_id}"
    html = stakeholder_client.get(url).content.decode()
    assert 'type="hidden" name="target_clause"' in html  # no free-text clause to contradict the chosen one
    token = re.search(r'name="form_token" value="([^"]+)"', html).group(1)
    stakeholder_client.post(
        url,
        {
            "title": "On 3",
            "text": "A comment.",
            "target": para_3.identity_id,
            "target_clause": "5",  # a stale or forged value is replaced by the clause's own number
            "stakeholder_group": group_of(process).pk,
            "attribution": "name",
            "form_token": token,
        },
    )
    submission = Submission.objects.get(title="On 3")
    assert submission.target_clause == "3"
    # Renumbered later, the trace page says where it is now and what it was numbered then.
    version_adopt(
        version=version_import(process=process, source=document(NEW, P1, P2, P3, P4, P5), label="R1", created_by=None),
        actor=organiser,
    )
    trace = text_of(anon_client.get(submission.get_absolute_url()))
    assert "Comments on clause 4 of R1 (numbered 3 when the comment was filed)" in trace


def test_the_trace_page_costs_the_same_whether_it_comments_on_a_clause_or_not(
    anon_client, process, organiser, stakeholder, draft
):
    on_clause = file_submission(process, stakeholder, title="On 3", target=draft.clauses.get(label="3").identity)
    general = file_submission(process, stakeholder, title="General")
    anon_client.get(general.get_absolute_url())
    counts = {}
    for submission in (on_clause, general):
        with CaptureQueriesContext(connection) as queries:
            response = anon_client.get(submission.get_absolute_url())
        counts[submission.title] = len(queries)
    assert counts["On 3"] == counts["General"], counts
    page = anon_client.get(on_clause.get_absolute_url()).content.decode()
    document_link = reverse("outcomes:document", args=[process.slug]) + f"?version={draft.number}#para_3"
    assert f'href="{document_link}"' in page.replace("&amp;", "&")
    assert "Comments on clause 3 of Zero draft" in text_of(anon_client.get(on_clause.get_absolute_url()))
    assert response.status_code == 200


def test_a_failed_move_keeps_the_focus_on_that_link(organiser_client, process, organiser, stakeholder, draft):
    for label in ("4", "5"):
        submission = file_submission(process, stakeholder, title=f"On {label}")
        disposition_reflect(
            submission=submission, actor=organiser, links=[LinkSpec(clause=draft.clauses.get(label=label))]
        )
    version_adopt(
        version=version_import(
            process=process,
            source=document(P1, P2, P3, P4 + " Changed.", P5 + " Changed."),
            label="R1",
            created_by=None,
        ),
        actor=organiser,
    )
    html = organiser_client.get(reverse("dispositions:reconfirm", args=[process.slug])).content.decode()
    first, second = re.findall(r"/workspace/reconfirm/(\d+)/", html)[::3][:2]
    assert html.count("autofocus") == 1
    response = organiser_client.post(
        reverse("dispositions:reconfirm-link", args=[process.slug, second]), {"action": "move", "label": "99"}
    )
    number = ClauseLink.objects.get(pk=second).revision.submission.number
    assert response["Location"].endswith(f"?after={number - 1}&focus={second}#link-{second}")
    reply = organiser_client.get(response["Location"])
    page = reply.content.decode()
    assert re.search(rf'id="move-{second}"[^>]*autofocus', page)
    assert page.count("autofocus") == 1
    assert ": The current version has no clause labelled 99." in text_of(reply)


def test_the_queue_pages_by_submission_and_a_failed_move_on_a_later_page_comes_back_to_that_link(
    settings, organiser_client, process, organiser, stakeholder, draft
):
    settings.TRACE_PAGE_SIZE = 2
    for n in range(5):
        submission = file_submission(process, stakeholder, title=f"Suspect {n}")
        disposition_reflect(
            submission=submission, actor=organiser, links=[LinkSpec(clause=draft.clauses.get(label="4"))]
        )
    version_adopt(
        version=version_import(
            process=process, source=document(P1, P2, P3, P4 + " Changed.", P5), label="R1", created_by=None
        ),
        actor=organiser,
    )
    url = reverse("dispositions:reconfirm", args=[process.slug])
    seen, query, pages = [], "", 0
    while True:
        html = organiser_client.get(url + query).content.decode()
        on_page = list(dict.fromkeys(re.findall(r"/workspace/reconfirm/(\d+)/", html)))
        assert len(on_page) <= 2
        seen += on_page
        pages += 1
        following = re.search(r'href="\?([^"]*)" rel="next"', html)
        if not following:
            break
        query = "?" + following.group(1).replace("&amp;", "&")
    # Every suspect link once, in receipt order, on three pages (two submissions a page).
    assert seen == sorted(seen, key=int) and len(seen) == len(set(seen)) == 5 and pages == 3
    last = seen[-1]
    response = organiser_client.post(
        reverse("dispositions:reconfirm-link", args=[process.slug, last]), {"action": "move", "label": "99"}
    )
    page = organiser_client.get(response["Location"]).content.decode()
    assert re.search(rf'id="move-{last}"[^>]*autofocus', page)
    assert page.count("autofocus") == 1


def test_the_redline_links_a_long_list_of_submissions_to_the_report(
    anon_client, process, organiser, stakeholder, draft
):
    for _ in range(9):  # more than the eight the redline names
        submission = file_submission(process, stakeholder)
        disposition_reflect(
            submission=submission, actor=organiser, links=[LinkSpec(clause=draft.clauses.get(label="3"))]
        )
    version_adopt(
        version=version_import(process=process, source=document(NEW, P1, P2, P3, P4, P5), label="R1", created_by=None),
        actor=organiser,
    )
    html = anon_client.get(reverse("reports:compare", args=[process.slug])).content.decode()
    assert "Linked by 9 submissions" in text_of(anon_client.get(reverse("reports:compare", args=[process.slug])))
    link = f"{reverse('reports:report', args=[process.slug])}?clause=para_4#submissions"
    assert link.replace("&", "&amp;") in html or link in html
    report = anon_client.get(link.split("#")[0]).content.decode()
    listed = report.split('data-testid="submission-table"')[1].split("</table>")[0]
    assert len(re.findall(rf">{process.code}-\d{{5}}</a>", listed)) == 9  # the list is not counted: its rows


def _linked_then_adopted(process, organiser, stakeholder, draft) -> DocumentVersion:
    """One submission reflected in clause 3 of the draft, then R1 adopted: a redline whose clause 3 is linked."""
    first = file_submission(process, stakeholder)
    disposition_reflect(submission=first, actor=organiser, links=[LinkSpec(clause=draft.clauses.get(label="3"))])
    return version_adopt(
        version=version_import(process=process, source=document(NEW, P1, P2, P3, P4, P5), label="R1", created_by=None),
        actor=organiser,
    )


def test_the_redline_counts_follow_a_new_decision_and_a_new_comment_after_it_was_read(
    anon_client, process, organiser, stakeholder, draft
):
    """What the redline caches (the links) is read again after a decision; what it reads live (the comments)
    changes with a filing."""
    new = _linked_then_adopted(process, organiser, stakeholder, draft)
    url = reverse("reports:compare", args=[process.slug])
    assert "Linked by 1 submission:" in text_of(anon_client.get(url))
    second = file_submission(process, stakeholder, target=new.clauses.get(label="4").identity)
    page = text_of(anon_client.get(url))
    assert "Linked by 1 submission:" in page and "Commented on by 1 submission:" in page
    disposition_reflect(submission=second, actor=organiser, links=[LinkSpec(clause=new.clauses.get(label="4"))])
    page = text_of(anon_client.get(url))
    assert "Linked by 2 submissions:" in page and "Commented on by 1 submission:" in page


def test_after_a_decision_the_redline_names_the_links_as_they_were_until_a_task_reads_them_again(
    anon_client, process, organiser, stakeholder, draft, queued_tasks
):
    """The links read every current link of the page's clauses (seconds at a million decided submissions): after
    a decision a reader gets them as they were, with their age, while the worker reads them again."""
    new = _linked_then_adopted(process, organiser, stakeholder, draft)
    url = reverse("reports:compare", args=[process.slug])
    page = anon_client.get(url).content.decode()
    assert "Linked by 1 submission:" in text_of_html(page) and 'data-testid="linked-as-of"' not in page
    second = file_submission(process, stakeholder)
    disposition_reflect(submission=second, actor=organiser, links=[LinkSpec(clause=new.clauses.get(label="4"))])
    page = anon_client.get(url).content.decode()
    assert "Linked by 2 submissions:" not in text_of_html(page) and 'data-testid="linked-as-of"' in page
    (queued,) = default_task_backend.results
    assert refresh_redline_links.call(*queued.args, **queued.kwargs) is True
    page = anon_client.get(url).content.decode()
    assert "Linked by 2 submissions:" in text_of_html(page) and 'data-testid="linked-as-of"' not in page


def _suspect_process(organiser, stakeholder, n: int):
    """A process whose ``n`` decisions linked clauses 4 and 5 of its zero draft, both reworded in the adopted R1:
    ``2n`` links in the re-confirmation queue, and a redline whose changed clauses are linked and commented."""
    process = make_process(organisers=(organiser,))
    draft = version_import(process=process, source=BASE, label="Zero draft", created_by=organiser)
    for i in range(n):
        submission = file_submission(
            process, stakeholder, title=f"Suspect {i}", target=draft.clauses.get(label="4").identity
        )
        disposition_reflect(
            submission=submission,
            actor=organiser,
            links=[LinkSpec(clause=draft.clauses.get(label="4")), LinkSpec(clause=draft.clauses.get(label="5"))],
        )
    version_adopt(
        version=version_import(
            process=process,
            source=document(P1, P2, P3, P4 + " Changed.", P5 + " Changed."),
            label="R1",
            created_by=None,
        ),
        actor=organiser,
    )
    return process


@pytest.mark.parametrize("name", ["dispositions:reconfirm", "reports:compare"])
def test_the_queue_and_the_redline_run_a_fixed_number_of_queries_whatever_the_size(
    settings, organiser, stakeholder, name
):
    settings.TRACE_PAGE_SIZE = 4
    client = client_for(organiser)
    counts, shown = [], []
    for n in (1, 12):
        process = _suspect_process(organiser, stakeholder, n)
        url = reverse(name, args=[process.slug])
        client.get(url)  # warm up (sessions, content types, the redline's cached links)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        counts.append(len(queries))
        page = response.content.decode()
        shown.append(len(set(re.findall(r"/workspace/reconfirm/(\d+)/", page))) if "reconfirm" in name else response)
    assert counts[0] == counts[1], counts
    if name == "dispositions:reconfirm":
        assert shown == [2, 8]  # one page of the queue: 1 submission's 2 links, then the first 4 submissions' 8
    else:
        text = text_of(shown[1])
        assert "Linked by 12 submissions:" in text and "Commented on by 12 submissions:" in text


def test_re_confirming_one_link_keeps_the_submissions_other_link_where_it_was(settings, organiser, stakeholder):
    """Acting on a link writes the decision's links anew (new ids): the queue, paged by submission, still shows the
    same submission's other link first, on the same page."""
    settings.TRACE_PAGE_SIZE = 1
    process = _suspect_process(organiser, stakeholder, 3)
    client = client_for(organiser)
    url = reverse("dispositions:reconfirm", args=[process.slug])
    first = client.get(url).content.decode()
    references = re.findall(rf">({process.code}-\d{{5}})</a>:", first)
    assert len(references) == 2 and len(set(references)) == 1  # one submission, its two links
    link = re.findall(r"/workspace/reconfirm/(\d+)/", first)[0]
    client.post(reverse("dispositions:reconfirm-link", args=[process.slug, link]), {"action": "reconfirm"})
    after = client.get(url).content.decode()
    assert re.findall(rf">({process.code}-\d{{5}})</a>:", after) == references[:1]
