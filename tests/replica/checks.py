"""Run by tests/test_replica.py in a pytest of its own, with DATABASE_REPLICA_URL set: the "replica" alias is then
a second connection to the test database (a test mirror of "default"), and each alias's statements are recorded
apart. Not collected by the main run (the file name does not start with test_)."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from django.db import connections
from django.urls import reverse

from tests.conftest import client_for
from tests.factories import file_submission, make_process, make_user


@contextmanager
def statements():
    seen: dict[str, list[str]] = {"default": [], "replica": []}

    def recorder(alias):
        def record(execute, sql, params, many, context):
            seen[alias].append(sql)
            return execute(sql, params, many, context)

        return record

    with connections["default"].execute_wrapper(recorder("default")):
        with connections["replica"].execute_wrapper(recorder("replica")):
            yield seen


def on(sqls: list[str], table: str) -> list[str]:
    return [sql for sql in sqls if f'"{table}"' in sql]


@pytest.fixture
def world(transactional_db):
    process = make_process(phase="open")
    author = make_user()
    file_submission(process, author, title="Keep the web open", text="A text.")
    return process, author


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_the_public_report_reads_the_replica(world):
    process, _ = world
    with statements() as seen:
        response = client_for(None).get(reverse("reports:report", args=[process.slug]))
    assert response.status_code == 200 and "Keep the web open" in response.content.decode()
    assert on(seen["replica"], "consultations_submission"), "the report's rows come from the replica"
    assert not on(seen["default"], "consultations_submission")


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_a_streamed_download_reads_the_replica_while_it_is_sent(world):
    process, _ = world
    with statements() as seen:
        response = client_for(None).get(reverse("reports:mapping-csv", args=[process.slug]))
        body = b"".join(response.streaming_content).decode()
    assert "Keep the web open" in body
    # On PostgreSQL the rows come by COPY on the raw connection of the alias the router names (no statement
    # wrapper sees it): what the wrappers see is the process and the document version read on the replica.
    table = "consultations_submission" if connections["default"].vendor == "sqlite" else "outcomes_documentversion"
    assert on(seen["replica"], table)
    for report_table in ("consultations_submission", "outcomes_documentversion", "dispositions_clauselink"):
        assert not on(seen["default"], report_table)


def test_the_copy_export_reads_on_the_connection_the_router_names():
    from traceability.replica import _on_replica
    from traceability.reports.exports.mapping_copy import reading_connection

    assert reading_connection().alias == "default"
    token = _on_replica.set(True)
    try:
        assert reading_connection().alias == "replica"
    finally:
        _on_replica.reset(token)


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_signed_in_readers_writes_and_other_pages_stay_on_the_primary(world):
    process, author = world
    client = client_for(author)
    with statements() as seen:
        assert client.get(reverse("reports:report", args=[process.slug])).status_code == 200
        assert client.get(reverse("reports:me")).status_code == 200
        assert client_for(None).get(reverse("consultations:process-detail", args=[process.slug])).status_code == 200
        submission = process.submissions.get()
        verify = reverse("reports:submission-verify", args=[process.slug, submission.reference])
        assert client_for(None).post(verify, {"text": "A text."}).status_code == 200
    assert seen["replica"] == []
    assert on(seen["default"], "consultations_submission")
