"""After a decision, the report's "by clause" table (whose figures read every current link of the process: seconds
at a million decided submissions) is served as it was, with its age, while a background task makes it again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks import default_task_backend

from traceability.accounts.models import StakeholderKind
from traceability.consultations.services import round_open
from traceability.dispositions.services import LinkSpec, disposition_reflect
from traceability.reports.builder import build_aggregates
from traceability.reports.selectors import report_version
from traceability.reports.tasks import refresh_clause_rows, refresh_clause_table

from .factories import file_submission, import_document, make_user


def queued(task) -> list:  # type: ignore[no-untyped-def]
    """What waits in the queue for ``task`` (a decision also queues the reading of the replies again)."""
    return [result for result in default_task_backend.results if result.task.func is task.func]


def clause_row(page: str, eid: str) -> str:
    table = page.split('data-testid="clause-table"')[1].split("</table>")[0]
    return table.split(f'#{eid}"')[1].split("</tr>")[0]


def report(client, process) -> str:
    response = client.get(reverse("reports:report", args=[process.slug]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.usefixtures("queued_tasks")
def test_the_table_as_it_was_is_shown_with_its_age_while_it_is_made_again(anon_client, process, organiser):
    version = import_document(process, organiser)
    clause = version.clauses.get(eid="para_3")
    first, second = (file_submission(process, make_user(kind=StakeholderKind.ACADEMIA)) for _ in range(2))
    disposition_reflect(submission=first, actor=organiser, links=[LinkSpec(clause=clause)])
    page = report(anon_client, process)  # the first rendering of the table: made at once, current
    assert "<bdi>Academia</bdi>: 1</li>" in clause_row(page, "para_3")
    assert 'data-testid="clause-table-as-of"' not in page
    assert default_task_backend.results == []

    disposition_reflect(submission=second, actor=organiser, links=[LinkSpec(clause=clause)])
    page = report(anon_client, process)
    # The rest of the report counts the decision at once; the clause table says it is older.
    assert "2 of 2 submissions have a disposition." in page
    assert "<bdi>Academia</bdi>: 1</li>" in clause_row(page, "para_3")
    assert 'data-testid="clause-table-as-of"' in page
    assert "the decisions made since are being counted. Reload the page in a moment to see them." in page
    (task,) = queued(refresh_clause_table)

    # A second reader: the same older table (the page is not kept as it is), and no second task.
    page = report(anon_client, process)
    assert "<bdi>Academia</bdi>: 1</li>" in clause_row(page, "para_3")
    assert len(queued(refresh_clause_table)) == 1

    # The worker runs the task: every reader gets the table as the data is.
    assert refresh_clause_table.call(*task.args, **task.kwargs) is True
    page = report(anon_client, process)
    assert "<bdi>Academia</bdi>: 2</li>" in clause_row(page, "para_3")
    assert 'data-testid="clause-table-as-of"' not in page
    assert len(queued(refresh_clause_table)) == 1


def clause_counts(document: dict, eid: str) -> int:
    (clause,) = (clause for clause in document["clauses"] if clause["eid"] == eid)
    return clause["reflected"]


@pytest.mark.usefixtures("queued_tasks")
def test_report_json_gives_the_older_clause_counts_with_their_time_and_a_snapshot_never_does(
    anon_client, process, organiser
):
    version = import_document(process, organiser)
    clause = version.clauses.get(eid="para_3")
    first, second = (file_submission(process, make_user(kind=StakeholderKind.ACADEMIA)) for _ in range(2))
    disposition_reflect(submission=first, actor=organiser, links=[LinkSpec(clause=clause)])
    address = reverse("reports:report-json", args=[process.slug])
    document = anon_client.get(address).json()
    assert clause_counts(document, "para_3") == 1 and document["clauses_as_of"] is None

    disposition_reflect(submission=second, actor=organiser, links=[LinkSpec(clause=clause)])
    document = anon_client.get(address).json()
    assert document["totals"]["reflected"] == 2  # every other number is current
    assert clause_counts(document, "para_3") == 1
    assert document["clauses_as_of"] is not None and document["clauses_as_of"] <= document["generated_at"]
    (task,) = queued(refresh_clause_rows)

    # What is published is counted as the data is, whatever the cache holds.
    process.refresh_from_db()
    frozen = build_aggregates(process=process, version=report_version(process))
    assert "clauses_as_of" not in frozen
    assert clause_counts(frozen, "para_3") == 2

    assert refresh_clause_rows.call(*task.args, **task.kwargs) is True
    document = anon_client.get(address).json()
    assert clause_counts(document, "para_3") == 2 and document["clauses_as_of"] is None


@pytest.mark.usefixtures("queued_tasks")
def test_the_task_makes_the_table_of_the_language_and_round_it_was_asked_for(anon_client, process, organiser):
    """A French reader of round 1's report: the worker (whose own language is English) makes that table, in French,
    of that round's submissions."""
    version = import_document(process, organiser)
    clause = version.clauses.get(eid="para_3")
    before_round = file_submission(process, make_user(kind=StakeholderKind.ACADEMIA))
    round_open(process=process, version=version, closes_at=timezone.now() + timedelta(days=1), actor=organiser)
    first, second = (file_submission(process, make_user(kind=StakeholderKind.ACADEMIA)) for _ in range(2))
    disposition_reflect(submission=before_round, actor=organiser, links=[LinkSpec(clause=clause)])
    disposition_reflect(submission=first, actor=organiser, links=[LinkSpec(clause=clause)])
    with translation.override("fr"):
        address = reverse("reports:report", args=[process.slug]) + "?round=1"
    assert address.startswith("/fr/")
    page = anon_client.get(address).content.decode()
    assert "<bdi>Milieu universitaire</bdi>: 1</li>" in clause_row(page, "para_3")

    disposition_reflect(submission=second, actor=organiser, links=[LinkSpec(clause=clause)])
    page = anon_client.get(address).content.decode()
    assert "<bdi>Milieu universitaire</bdi>: 1</li>" in clause_row(page, "para_3")
    assert 'data-testid="clause-table-as-of"' in page
    (task,) = queued(refresh_clause_table)
    with translation.override("en"):  # the worker's own language
        assert refresh_clause_table.call(*task.args, **task.kwargs) is True
    page = anon_client.get(address).content.decode()
    # Round 1's two, not the one filed before it; the French names and the French addresses.
    row = clause_row(page, "para_3")
    assert "<bdi>Milieu universitaire</bdi>: 2</li>" in row and f"/fr/processes/{process.slug}/" in row
    assert "Les clauses qui ne prennent en compte aucune contribution" in page
    assert 'data-testid="clause-table-as-of"' not in page


def test_the_database_worker_takes_the_figures_before_the_downloads_queued_earlier(db, settings, process):
    """A build of a large download takes minutes; figures counted again after a decision must not wait behind
    the builds queued before them (readers see older figures until they have run)."""
    from django.db import transaction
    from django_tasks_db.models import DBTaskResult

    from traceability.reports.tasks import build_export, enqueue_figures, refresh_interaction

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": settings.TASK_QUEUES}}
    build_export.enqueue(10**9)  # queued first (no such export: never run here)
    enqueue_figures(refresh_interaction, process.pk, None)
    with transaction.atomic():
        # What the database worker takes next, started with or without naming its queues ('*', or "default").
        for queues in (["default"], ["default", "figures"]):
            taken = DBTaskResult.objects.ready().filter(queue_name__in=queues).get_locked()
            assert taken.task_path.endswith(".refresh_interaction"), queues


def test_a_small_process_counts_its_figures_at_once_after_a_decision(
    anon_client, process, organiser, queued_tasks, settings
):
    """Below ``TRACE_BACKGROUND_FROM`` submissions the figures take milliseconds: a reader never sees older ones."""
    settings.TRACE_BACKGROUND_FROM = 3
    version = import_document(process, organiser)
    clause = version.clauses.get(eid="para_3")
    first, second = (file_submission(process, make_user(kind=StakeholderKind.ACADEMIA)) for _ in range(2))
    disposition_reflect(submission=first, actor=organiser, links=[LinkSpec(clause=clause)])
    report(anon_client, process)
    disposition_reflect(submission=second, actor=organiser, links=[LinkSpec(clause=clause)])
    page = report(anon_client, process)
    assert "<bdi>Academia</bdi>: 2</li>" in clause_row(page, "para_3")
    assert "being counted" not in page and queued_tasks.results == []

    # From that size on, the same decision leaves the figures to the worker.
    third = file_submission(process, make_user(kind=StakeholderKind.ACADEMIA))
    disposition_reflect(submission=third, actor=organiser, links=[LinkSpec(clause=clause)])
    page = report(anon_client, process)
    assert "<bdi>Academia</bdi>: 2</li>" in clause_row(page, "para_3") and "being counted" in page
    assert queued(refresh_clause_table)


def test_one_round_s_interaction_is_read_again_for_that_round(anon_client, process, organiser, queued_tasks):
    """The report of round 1 keeps its own interaction; the task the reader queues reads round 1's replies again."""
    from traceability.dispositions.services import response_record
    from traceability.reports.tasks import refresh_interaction

    version = import_document(process, organiser)
    clause = version.clauses.get(eid="para_3")
    round_open(process=process, version=version, closes_at=timezone.now() + timedelta(days=1), actor=organiser)
    authors = [make_user(kind=StakeholderKind.ACADEMIA) for _ in range(2)]
    first, second = (file_submission(process, author) for author in authors)
    for submission in (first, second):
        disposition_reflect(submission=submission, actor=organiser, links=[LinkSpec(clause=clause)])
    address = reverse("reports:report", args=[process.slug]) + "?round=1"
    page = anon_client.get(address).content.decode()
    assert "0 of 2 decided submissions got a reply" in page

    response_record(submission=first, revision_number=1, author=authors[0], kind="agree")
    page = anon_client.get(address).content.decode()
    assert "0 of 2 decided submissions got a reply" in page and 'data-testid="interaction-as-of"' in page
    (task,) = queued(refresh_interaction)
    assert task.args == [process.pk, 1]
    assert refresh_interaction.call(*task.args, **task.kwargs) is True
    page = anon_client.get(address).content.decode()
    assert "1 of 2 decided submissions got a reply" in page and 'data-testid="interaction-as-of"' not in page
