"""The public mapping report: every submission, every clause, counts per group."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from traceability.accounts.models import StakeholderKind
from traceability.consultations.services import submission_withdraw
from traceability.dispositions.services import LinkSpec, disposition_exclude, disposition_reflect

from .factories import file_submission, import_document, make_user


@pytest.fixture
def mapped(process, organiser):
    """Five submissions from three groups: full, partial, legal, morality, pending, plus one withdrawn."""
    version = import_document(process, organiser)
    clause = {c.eid: c for c in version.clauses.all()}
    civil = make_user(kind=StakeholderKind.CIVIL_SOCIETY, country="KE")
    business = make_user(kind=StakeholderKind.PRIVATE_SECTOR, country="DE")
    state = make_user(kind=StakeholderKind.GOVERNMENT, country="BR")
    full = file_submission(process, civil, title="Full one")
    partial = file_submission(process, civil, title="Partial one")
    legal = file_submission(process, business, title="Legal one")
    morality = file_submission(process, business, title="Moral one")
    pending = file_submission(process, state, title="Pending one")
    withdrawn = file_submission(process, state, title="Withdrawn one")
    disposition_reflect(submission=full, actor=organiser, links=[LinkSpec(clause=clause["para_3"], extent="full")])
    disposition_reflect(
        submission=partial,
        actor=organiser,
        links=[LinkSpec(clause=clause["para_3"], extent="partial")],
    )
    disposition_exclude(submission=legal, actor=organiser, ground="legal", legal_provision="Competition Act s. 4")
    disposition_exclude(submission=morality, actor=organiser, ground="public_morality", justification="Defamatory")
    submission_withdraw(submission=withdrawn, author=state)
    return {
        "full": full,
        "partial": partial,
        "legal": legal,
        "morality": morality,
        "pending": pending,
        "version": version,
    }


def report(client, process, **params):
    return client.get(reverse("reports:report", args=[process.slug]), params).content.decode()


def submission_rows(client, process, **params) -> str:
    page = report(client, process, **params)
    return page.split('data-testid="submission-table"')[1].split("</table>")[0]


def row(page: str, header: str) -> list[str]:
    # A group's name is the organisers' text, so its cell takes its own direction (dir="auto"); "All groups" is ours.
    match = re.search(rf"<th scope=\"row\"[^>]*>{re.escape(header)}</th>(.*?)</tr>", page, re.S)
    assert match, header
    return re.findall(r"<td [^>]*class=\"text-end\">(\d+)</td>", match.group(1))


def test_counts_per_stakeholder_group(anon_client, process, mapped):
    page = report(anon_client, process)
    #                     submitted, full, partial, legal, morality, not taken up, pending, withdrawn, decided
    # (a "to re-confirm" column appears only when a new version made some links suspect)
    assert row(page, "Civil society") == ["2", "1", "1", "0", "0", "0", "0", "0", "2"]
    assert row(page, "Private sector") == ["2", "0", "0", "1", "1", "0", "0", "0", "2"]
    assert row(page, "Government") == ["1", "0", "0", "0", "0", "0", "1", "1", "0"]
    assert row(page, "Academia") == ["0"] * 9
    assert row(page, "All groups") == ["5", "1", "1", "1", "1", "0", "1", "1", "4"]
    assert "4 of 5 submissions have a disposition." in page
    assert "1 submission has no disposition yet." in page


def test_every_submission_shows_where_it_went_or_why_not(anon_client, process, mapped):
    page = report(anon_client, process)
    document = reverse("outcomes:document", args=[process.slug])
    # Clauses are linked in the version the report is computed against, so a renumbering never misleads.
    assert f'<a href="{document}?version=1#para_3"><bdi>3</bdi></a> (Fully)' in page
    assert f'<a href="{document}?version=1#para_3"><bdi>3</bdi></a> (Partly)' in page
    assert 'Legal ground: <span dir="auto">Competition Act s. 4</span>' in page
    assert 'Public morality: <span dir="auto">Defamatory</span>' in page
    assert "Awaiting a decision" in page
    assert "Withdrawn by its author" in page and "Withdrawn one" not in page


def test_every_clause_lists_the_submissions_it_reflects_including_none(anon_client, process, mapped):
    page = report(anon_client, process)
    clause_table = page.split('data-testid="clause-table"')[1]
    assert mapped["full"].reference in clause_table and mapped["partial"].reference in clause_table
    assert "<bdi>Civil society</bdi>: 2</li>" in clause_table
    assert clause_table.count("None") == mapped["version"].clauses.count() - 1


def test_report_filters_by_status_group_and_text(anon_client, process, mapped):
    excluded = submission_rows(anon_client, process, status="excluded")
    assert mapped["legal"].reference in excluded and mapped["full"].reference not in excluded
    group = mapped["pending"].stakeholder_group_id
    by_group = submission_rows(anon_client, process, group=group)
    assert mapped["pending"].reference in by_group and mapped["legal"].reference not in by_group
    searched = submission_rows(anon_client, process, q="partial")
    assert mapped["partial"].reference in searched and mapped["legal"].reference not in searched
    # The words of a submission excluded on public morality are withheld: a search never finds it by them
    # (that would tell whether a phrase was in it), only by its reference.
    assert mapped["morality"].reference not in submission_rows(anon_client, process, q="moral")
    assert mapped["morality"].reference in submission_rows(anon_client, process, q=mapped["morality"].reference)


def test_report_of_a_process_without_submissions_or_document(anon_client, process):
    page = report(anon_client, process)
    assert "0 of 0 submissions have a disposition." in page
    assert "The outcome document has not been published yet." in page


def test_submitter_shown_by_group_only_when_they_chose_so(anon_client, process, stakeholder):
    named = file_submission(process, stakeholder, attribution="name")
    hidden = file_submission(process, stakeholder, attribution="group")
    assert stakeholder.display_name in anon_client.get(named.get_absolute_url()).content.decode()
    page = anon_client.get(hidden.get_absolute_url()).content.decode()
    assert stakeholder.display_name not in page and "A member of Civil society" in page
    assert stakeholder.email not in page


def test_document_page_anchors_every_clause(anon_client, process, mapped):
    page = anon_client.get(reverse("outcomes:document", args=[process.slug])).content.decode()
    for clause in mapped["version"].clauses.all():
        assert f'id="{clause.eid}"' in page


def test_draft_processes_are_not_public(anon_client, organiser):
    from .factories import make_process

    draft = make_process(phase="draft", organisers=(organiser,))
    draft.opens_at = None
    draft.save()
    assert anon_client.get(reverse("reports:report", args=[draft.slug])).status_code == 404
    assert draft.title not in anon_client.get("/en/").content.decode()


def test_home_lists_open_processes_first(anon_client, closed_process, process):
    page = anon_client.get("/en/").content.decode()
    assert page.index(process.title) < page.index(closed_process.title)


def test_a_clause_reflecting_many_submissions_shows_a_sample_and_links_to_all(anon_client, process, organiser):
    version = import_document(process, organiser)
    clause = version.clauses.get(eid="para_3")
    authors = [make_user(kind=StakeholderKind.ACADEMIA) for _ in range(3)] + [make_user() for _ in range(12)]
    submissions = [file_submission(process, author) for author in authors]
    for submission in submissions:
        disposition_reflect(submission=submission, actor=organiser, links=[LinkSpec(clause=clause)])

    clause_table = report(anon_client, process).split('data-testid="clause-table"')[1].split("</table>")[0]
    row = clause_table.split('#para_3"')[1].split("</tr>")[0]
    # every group with its full count
    assert "<bdi>Academia</bdi>: 3</li>" in row and "<bdi>Civil society</bdi>: 12</li>" in row
    assert sum(s.reference in row for s in submissions) == 12  # a sample of the references
    assert "See all 15 submissions reflected in this clause" in row
    assert "?clause=para_3#submissions" in row

    listed = submission_rows(anon_client, process, clause="para_3")
    assert all(s.reference in listed for s in submissions)


def test_the_clause_table_read_from_the_cache_follows_each_decision_and_withdrawal(anon_client, process, organiser):
    """The table is rendered once per data version: a decision and a withdrawal change it at once, a filing does
    not need to (it does not change what the table shows)."""
    version = import_document(process, organiser)
    clause = version.clauses.get(eid="para_3")
    authors = [make_user() for _ in range(3)]
    submissions = [file_submission(process, author) for author in authors]

    def row() -> str:
        table = report(anon_client, process).split('data-testid="clause-table"')[1].split("</table>")[0]
        return table.split('#para_3"')[1].split("</tr>")[0]

    assert "None" in row()
    disposition_reflect(submission=submissions[0], actor=organiser, links=[LinkSpec(clause=clause)])
    assert "<bdi>Civil society</bdi>: 1</li>" in row() and submissions[0].reference in row()
    disposition_reflect(submission=submissions[1], actor=organiser, links=[LinkSpec(clause=clause)])
    assert "<bdi>Civil society</bdi>: 2</li>" in row() and submissions[1].reference in row()
    submission_withdraw(submission=submissions[1], author=authors[1])
    assert "<bdi>Civil society</bdi>: 1</li>" in row() and submissions[1].reference not in row()


def test_text_search_never_matches_the_words_of_a_withdrawn_submission(anon_client, process, stakeholder):
    gone = file_submission(process, stakeholder, title="Second thoughts", text="I took it back")
    submission_withdraw(submission=gone, author=stakeholder)
    assert gone.reference not in submission_rows(anon_client, process, q="took it back")
    assert gone.reference not in submission_rows(anon_client, process, q="Second thoughts")
    assert gone.reference in submission_rows(anon_client, process, q=gone.reference)


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_the_chart_draws_in_every_language(anon_client, process, mapped, language):
    """SVG lengths are numbers with a decimal point: a French "200,0" would leave the bars blank."""
    with translation.override(language):
        page = anon_client.get(reverse("reports:report", args=[process.slug])).content.decode()
    assert f'<html lang="{language}"' in page
    lengths = re.findall(r'<rect x="([^"]*)" y="[^"]*" width="([^"]*)"', page)
    assert lengths
    for x, width in lengths:
        assert re.fullmatch(r"-?\d+(\.\d+)?", x) and re.fullmatch(r"\d+(\.\d+)?", width), (x, width)


def test_the_report_opens_with_a_sentence_per_group_that_gives_its_numbers(anon_client, process, mapped):
    page = report(anon_client, process)
    brief = page.split('data-testid="in-brief"')[1].split("</section>")[0]
    items = re.findall(r'<li[^>]*data-testid="group-sentence">(.*?)</li>', brief, re.S)
    sentences = [" ".join(re.sub(r"<[^>]+>", "", item).split()) for item in items]
    # Groups without submissions say nothing; a rate from fewer than 10 decisions is flagged.
    assert sentences == [
        "Government: 1 submission, none decided yet.",
        "Private sector: 0 of 2 decided submissions reflected (0.0%), 2 excluded on a legitimate ground, "
        "0 not taken up. Few decisions: read this rate with care.",
        "Civil society: 2 of 2 decided submissions reflected (100.0%), 0 excluded on a legitimate ground, "
        "0 not taken up. Few decisions: read this rate with care.",
    ]
    assert 'data-testid="figures-as-of">Figures as of ' in brief
