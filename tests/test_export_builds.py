"""The disposition of comments and ``mapping.json`` are built once per version of the data, by a background
task, kept as files and served as files; while one is being built, its address says how far it is."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.storage import storages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks_db.models import DBTaskResult
from openpyxl import load_workbook

from traceability.consultations.models import Process
from traceability.consultations.services import SubmissionContent, submission_update
from traceability.reports.exports import builds
from traceability.reports.exports.builds import export_build
from traceability.reports.models import BuildState, BuiltExport, ExportKind

from .factories import file_submission, make_process, make_user
from .test_notifications import DATABASE_TASKS, run_worker

KINDS = [("doc-xlsx", ExportKind.DISPOSITION_OF_COMMENTS), ("mapping-json", ExportKind.MAPPING_JSON)]


def url(name: str, process: Process) -> str:
    return reverse(f"reports:{name}", args=[process.slug])


def content(response) -> bytes:
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content)


def comments(data: bytes) -> list[str]:
    """The references in a disposition of comments."""
    sheet = load_workbook(io.BytesIO(data)).active
    return [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]


def texts(data: bytes, kind: str) -> list[str]:
    """The submissions' texts in a built file."""
    if kind == ExportKind.MAPPING_JSON:
        return [row["text"] for row in json.loads(data)["rows"]]
    sheet = load_workbook(io.BytesIO(data)).active
    return [row[3] for row in sheet.iter_rows(min_row=2, values_only=True)]


@pytest.fixture
def filed(process, stakeholder, other_stakeholder):
    file_submission(process, stakeholder, title="First")
    file_submission(process, other_stakeholder, title="Second")
    process.refresh_from_db()
    return process


def test_the_first_request_queues_the_build_and_says_so_without_javascript(anon_client, filed, settings):
    settings.TASKS = DATABASE_TASKS  # a real queue: nothing runs until a worker takes it
    response = anon_client.get(url("doc-xlsx", filed))
    assert response.status_code == 202
    assert response["Retry-After"] == "5" and response["Cache-Control"] == "no-store"
    page = response.content.decode()
    assert "Building the spreadsheet: 0%" in page
    assert "http-equiv" not in page  # no timed refresh (WCAG 2.2.1): the reader tries again with the link
    assert f'href="{url("doc-xlsx", filed)}"' in page  # try again
    assert "<script>" not in page and "style=" not in page  # nothing the strict CSP would block
    (export,) = BuiltExport.objects.all()
    assert (export.state, export.total, export.language) == (BuildState.QUEUED, 2, "en")
    assert DBTaskResult.objects.count() == 1

    # A second reader waits for the same build: no second one is queued.
    assert anon_client.get(url("doc-xlsx", filed)).status_code == 202
    assert BuiltExport.objects.count() == 1 and DBTaskResult.objects.count() == 1


@pytest.mark.parametrize(("name", "kind"), KINDS)
def test_the_page_shows_how_far_the_build_is(anon_client, filed, settings, name, kind):
    settings.TASKS = DATABASE_TASKS
    anon_client.get(url(name, filed))
    BuiltExport.objects.update(state=BuildState.BUILDING, done=4, total=10)
    page = anon_client.get(url(name, filed)).content.decode()
    words = "Building the spreadsheet" if kind == ExportKind.DISPOSITION_OF_COMMENTS else "Building the file"
    assert f"{words}: 40%" in page
    assert '<progress class="w-100 mb-3" max="100" value="40"' in page


@pytest.mark.django_db(transaction=True)
def test_the_real_worker_builds_the_file_that_the_next_request_gets(stakeholder, organiser, settings):
    settings.TASKS = DATABASE_TASKS
    process = make_process(phase="open", organisers=(organiser,))
    submission = file_submission(process, stakeholder, title="On the record")
    client = Client()
    assert client.get(url("doc-xlsx", process)).status_code == 202
    run_worker()
    export = BuiltExport.objects.get()
    assert export.state == BuildState.READY and export.done == export.total == 1
    assert storages["exports"].exists(export.path)
    response = client.get(url("doc-xlsx", process))
    assert response["Content-Disposition"] == f'attachment; filename="{process.code}-disposition-of-comments.xlsx"'
    assert comments(content(response)) == [submission.reference]


@pytest.mark.parametrize(("name", "kind"), KINDS)
def test_a_new_version_of_the_data_gets_a_new_file_and_the_old_one_is_deleted(
    anon_client, filed, other_stakeholder, name, kind
):
    first = content(anon_client.get(url(name, filed)))
    old = BuiltExport.objects.get()
    assert storages["exports"].exists(old.path)

    # Served as it is while nothing changes: one build.
    assert content(anon_client.get(url(name, filed))) == first
    assert BuiltExport.objects.count() == 1

    # A filing (last_number) and then an edit (stats_version) each make a new version.
    third = file_submission(filed, make_user(country="JP"), title="Third")
    filed.refresh_from_db()
    second = content(anon_client.get(url(name, filed)))
    if kind == ExportKind.DISPOSITION_OF_COMMENTS:
        assert len(comments(second)) == 3
    else:
        assert [row["title"] for row in json.loads(second)["rows"]][-1] == "Third"
    new = BuiltExport.objects.get()
    assert new.last_number == 3 and not storages["exports"].exists(old.path)

    submission_update(
        submission=third,
        author=third.author,
        content=SubmissionContent(title=third.title, text="Edited text", stakeholder_group=third.stakeholder_group),
    )
    filed.refresh_from_db()
    assert "Edited text" in texts(content(anon_client.get(url(name, filed))), kind)
    assert BuiltExport.objects.get().stats_version == filed.stats_version
    assert not storages["exports"].exists(new.path)


def test_each_language_gets_its_own_file(anon_client, filed):
    # The file's words (headers, decisions, the process's phase) are in the reader's language: one build each.
    english = content(anon_client.get(url("doc-xlsx", filed)))
    with translation.override("fr"):
        in_french = url("doc-xlsx", filed)
    assert in_french.startswith("/fr/")
    french = content(anon_client.get(in_french))
    assert comments(english) == comments(french)
    assert sorted(BuiltExport.objects.values_list("language", flat=True)) == ["en", "fr"]
    assert content(anon_client.get(in_french)) == french
    assert BuiltExport.objects.count() == 2


def test_a_build_that_stopped_moving_is_queued_again_once(anon_client, filed, settings):
    settings.TASKS = DATABASE_TASKS
    anon_client.get(url("doc-xlsx", filed))
    assert anon_client.get(url("doc-xlsx", filed)).status_code == 202
    assert DBTaskResult.objects.count() == 1
    BuiltExport.objects.update(state=BuildState.BUILDING, updated_at=timezone.now() - builds.STALE - timedelta(1))
    assert anon_client.get(url("doc-xlsx", filed)).status_code == 202
    assert DBTaskResult.objects.count() == 2
    assert anon_client.get(url("doc-xlsx", filed)).status_code == 202
    assert DBTaskResult.objects.count() == 2  # moving again: not queued a third time


def test_a_failed_build_says_so_and_is_tried_again_later(anon_client, filed, settings):
    settings.TASKS = DATABASE_TASKS
    anon_client.get(url("doc-xlsx", filed))
    BuiltExport.objects.update(state=BuildState.FAILED)
    response = anon_client.get(url("doc-xlsx", filed))
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert "could not be built" in response.content.decode()
    BuiltExport.objects.update(updated_at=timezone.now() - builds.STALE - timedelta(1))
    assert anon_client.get(url("doc-xlsx", filed)).status_code == 202
    assert BuiltExport.objects.get().state == BuildState.QUEUED and DBTaskResult.objects.count() == 2


def test_a_file_gone_from_the_storage_is_built_again(anon_client, filed):
    first = content(anon_client.get(url("doc-xlsx", filed)))
    storages["exports"].delete(BuiltExport.objects.get().path)
    assert comments(content(anon_client.get(url("doc-xlsx", filed)))) == comments(first)


def test_a_build_replaced_while_running_stops_and_leaves_no_file(filed, settings):
    settings.TASKS = DATABASE_TASKS
    export = BuiltExport.objects.create(
        process=filed, kind=ExportKind.MAPPING_JSON, language="en", stats_version=0, last_number=2, total=2
    )
    builds_progress = builds.PROGRESS_EVERY
    try:
        builds.PROGRESS_EVERY = 1  # a progress step at every submission
        rows = builds._progress(iter([("A", 1), ("B", 2)]), export.pk)
        assert next(rows) == ("A", 1)
        BuiltExport.objects.filter(pk=export.pk).delete()
        with pytest.raises(builds.Superseded):
            next(rows)
    finally:
        builds.PROGRESS_EVERY = builds_progress
    assert export_build(export_id=export.pk) == "superseded"
    assert not [path for path in Path(storages["exports"].location).rglob("*") if path.is_file()]


@pytest.mark.parametrize("name", ["doc-xlsx", "mapping-json"])
def test_bad_requests_to_built_exports(anon_client, filed, name):
    assert anon_client.get(reverse(f"reports:{name}", args=["no-such-process"])).status_code == 404
    assert anon_client.post(url(name, filed)).status_code == 405
    assert anon_client.get(url(name, filed) + "?page=-1&x=%00").status_code == 200


@pytest.mark.parametrize("name", ["doc-xlsx", "mapping-json"])
def test_serving_a_built_file_reads_two_queries_whatever_the_size(anon_client, filed, name):
    content(anon_client.get(url(name, filed)))
    with CaptureQueriesContext(connection) as queries:
        content(anon_client.get(url(name, filed)))
    assert len(queries) == 2  # the process, its build
