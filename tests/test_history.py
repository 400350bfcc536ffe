"""History is tamper-proof: the database refuses to change or delete it, and a hash chain per process shows
any change made behind the database's back (``manage.py verify_history``).

Runs on SQLite and on PostgreSQL alike (CI runs the suite on both). To tamper with a row, the tests below
switch the append-only trigger of that table off with raw SQL (``SET LOCAL session_replication_role``
on PostgreSQL, ``DROP TRIGGER`` on SQLite), inside the test's transaction, which is rolled back afterwards;
or delete through the documented maintenance path, ``history_maintenance()``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from io import StringIO
from types import SimpleNamespace

import pytest
from django.contrib.admin import site
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from traceability.accounts.services import account_anonymise
from traceability.consultations.history import (
    GENESIS,
    HISTORY_TABLES,
    history_maintenance,
    triggers_present,
)
from traceability.consultations.models import HistoryHead, Process, ProcessEvent, ProcessEventKind
from traceability.consultations.services import round_open
from traceability.dispositions.chain import verify_chain
from traceability.dispositions.models import ClauseLink, DecisionRevision, ExclusionGround, Extent
from traceability.dispositions.services import (
    LinkSpec,
    decisions_release,
    disposition_exclude,
    disposition_not_take_up,
    disposition_reflect,
)
from traceability.publications.models import Snapshot
from traceability.publications.services import snapshot_create

from .conftest import client_for
from .factories import file_submission, import_document, make_process, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(closed_process, organiser, stakeholder, other_stakeholder):
    """A closed process with every kind of history: decisions (one changed, one with links, one drafted and
    released), a release event and a published snapshot."""
    process = closed_process
    version = import_document(process, by=organiser)
    first = file_submission(process, stakeholder, title="Open formats", text="Publish in open formats.")
    second = file_submission(process, other_stakeholder, title="Addresses", text="Publish their addresses.")
    third = file_submission(process, other_stakeholder, title="Later", text="Decided in a release.")
    disposition_reflect(
        submission=first,
        actor=organiser,
        links=[
            LinkSpec(clause=version.clauses.get(label="3"), extent=Extent.PARTIAL, note="Says inclusion."),
            LinkSpec(clause=version.clauses.get(label="1"), extent=Extent.FULL),
        ],
    )
    disposition_not_take_up(submission=second, actor=organiser, reason="Out of scope.")
    disposition_exclude(
        submission=second, actor=organiser, ground=ExclusionGround.LEGAL, legal_provision="Data Act, s. 25"
    )
    disposition_not_take_up(submission=third, actor=organiser, reason="Not now.", draft=True)
    decisions_release(process=process, actor=organiser)
    snapshot = snapshot_create(process=process, actor=organiser)
    return SimpleNamespace(process=Process.objects.get(pk=process.pk), organiser=organiser, snapshot=snapshot)


def one_row_of(table: str, process: Process) -> int:
    rows = {
        "consultations_processevent": ProcessEvent.objects.filter(process=process),
        "dispositions_decisionrevision": DecisionRevision.objects.filter(submission__process=process),
        "dispositions_clauselink": ClauseLink.objects.filter(revision__submission__process=process),
        "publications_snapshot": Snapshot.objects.filter(process=process),
    }[table]
    return rows.order_by("pk").values_list("pk", flat=True).first()


def row(table: str, pk: int) -> tuple | None:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} WHERE id = %s", [pk])  # noqa: S608  (table from HISTORY_TABLES)
        return cursor.fetchone()


def refused(sql: str, params: list[object]) -> str:
    """Run ``sql`` and return the database's refusal (the statement's own savepoint is rolled back)."""
    with pytest.raises(IntegrityError) as refusal, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
    return str(refusal.value)


# A column of each table to overwrite, with a value that differs from any the fixture writes.
TAMPER = {
    "consultations_processevent": ("kind", "released"),
    "dispositions_decisionrevision": ("justification", "Rewritten."),
    "dispositions_clauselink": ("note", "Rewritten."),
    "publications_snapshot": ("sha256", "0" * 64),
}


@pytest.mark.parametrize("table", HISTORY_TABLES)
def test_the_database_refuses_to_update_or_delete_a_history_row(history, table):
    pk = one_row_of(table, history.process)
    before = row(table, pk)
    column, value = TAMPER[table]

    assert "append-only" in refused(f"UPDATE {table} SET {column} = %s WHERE id = %s", [value, pk])  # noqa: S608
    assert "append-only" in refused(f"DELETE FROM {table} WHERE id = %s", [pk])  # noqa: S608
    assert row(table, pk) == before


def test_bulk_updates_and_cascades_are_refused_too(history):
    with pytest.raises(IntegrityError), transaction.atomic():
        DecisionRevision.objects.filter(submission__process=history.process).update(justification="Bulk.")
    with pytest.raises(IntegrityError), transaction.atomic():
        history.process.submissions.all().delete()  # cascades to the revisions and their links
    with pytest.raises(IntegrityError), transaction.atomic():
        ProcessEvent.objects.filter(process=history.process).delete()
    assert verify_chain(history.process).ok


def test_every_history_table_has_its_trigger_after_migrating():
    # SQLite drops a table's triggers when a migration rebuilds the table: a later migration of one of these
    # tables must create them again (see consultations.history.triggers_create).
    expected = 1 if connection.vendor == "postgresql" else 2
    assert triggers_present(connection) == dict.fromkeys(HISTORY_TABLES, expected)


def test_the_maintenance_path_deletes_whole_processes_never_updates_and_ends_with_its_block(history):
    revision = one_row_of("dispositions_decisionrevision", history.process)
    with transaction.atomic():  # as load_demo --reset runs it: inside a longer transaction
        with history_maintenance():
            assert "append-only" in refused(
                "UPDATE dispositions_decisionrevision SET justification = %s WHERE id = %s", ["Changed.", revision]
            )
            Snapshot.objects.filter(process=history.process).delete()
            history.process.submissions.all().delete()
            history.process.delete()
        assert not Process.objects.filter(pk=history.process.pk).exists()
        assert not DecisionRevision.objects.filter(pk=revision).exists()
        # Out of the block, in the same transaction, deleting history is refused again.
        other = make_process(phase="closed", code="AFTER", organisers=(history.organiser,))
        import_document(other, by=history.organiser)
        submission = file_submission(other, make_user(email="late@example.org"))
        disposition_not_take_up(submission=submission, actor=history.organiser, reason="No.")
        with pytest.raises(IntegrityError), transaction.atomic():
            DecisionRevision.objects.filter(submission=submission).delete()


# ----------------------------------------------------------------------------- the chain


def test_every_event_and_revision_of_a_process_is_chained_to_the_one_before(history):
    events = list(ProcessEvent.objects.filter(process=history.process).values_list("chain_position", "prev_hash"))
    revisions = list(
        DecisionRevision.objects.filter(submission__process=history.process).values_list("chain_position", "prev_hash")
    )
    entries = sorted(events + revisions)
    # 4 decisions (one changed), the release and the publication.
    assert (len(revisions), len(events)) == (4, 2)
    assert [position for position, _ in entries] == list(range(1, 7))
    assert entries[0][1] == GENESIS
    hashes = {
        position: entry_hash
        for model, lookup in ((ProcessEvent, "process"), (DecisionRevision, "submission__process"))
        for position, entry_hash in model.objects.filter(**{lookup: history.process}).values_list(
            "chain_position", "entry_hash"
        )
    }
    assert all(prev == hashes[position - 1] for position, prev in entries[1:])
    head = HistoryHead.objects.get(process=history.process)
    assert (head.entries, head.entry_hash) == (6, hashes[6])
    report = verify_chain(history.process)
    assert report.ok and (report.entries, report.head) == (6, head.entry_hash)


def test_the_publication_event_pins_the_snapshot_bytes(history):
    event = ProcessEvent.objects.get(process=history.process, kind=ProcessEventKind.REPORT_PUBLISHED)
    assert event.detail == {"snapshot": 1, "sha256": history.snapshot.sha256}


def test_chains_of_two_processes_are_apart(history, organiser, other_process, other_organiser):
    version = import_document(other_process, by=other_organiser)
    round_open(
        process=other_process,
        version=version,
        closes_at=other_process.closes_at + timedelta(days=1),
        actor=other_organiser,
    )
    other = verify_chain(other_process)
    assert other.ok and other.entries == 1
    assert verify_chain(history.process).entries == 6


@contextmanager
def tampering(table: str) -> Iterator[None]:
    """Switch ``table``'s append-only trigger off, as someone holding the database's keys could, to tamper with
    it. PostgreSQL: ``session_replication_role`` (superuser only) skips ordinary triggers until it is set back;
    SQLite: the triggers are dropped, and come back when the test's transaction is rolled back."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        else:
            cursor.execute(f"DROP TRIGGER {table}_no_update")
            cursor.execute(f"DROP TRIGGER {table}_no_delete")
    yield
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = origin")


def verify(*args: str) -> str:
    out = StringIO()
    call_command("verify_history", *args, stdout=out)
    return out.getvalue()


def test_a_rewritten_decision_is_found_with_the_entry_and_both_hashes(history):
    revision = DecisionRevision.objects.get(submission__process=history.process, justification="Out of scope.")
    with tampering("dispositions_decisionrevision"):
        DecisionRevision.objects.filter(pk=revision.pk).update(justification="A kinder reason.")

    report = verify_chain(history.process)

    assert not report.ok
    broken = report.broken
    assert (broken.table, broken.pk, broken.position, broken.check) == (
        "dispositions_decisionrevision",
        revision.pk,
        revision.chain_position,
        "entry hash",
    )
    assert broken.found == revision.entry_hash and broken.expected != revision.entry_hash
    assert report.entries == revision.chain_position - 1
    with pytest.raises(CommandError) as failure:
        verify("--process", history.process.code)
    assert failure.value.returncode == 1


def test_a_changed_clause_link_breaks_its_revision(history):
    link = ClauseLink.objects.get(revision__submission__process=history.process, note="Says inclusion.")
    with tampering("dispositions_clauselink"):
        ClauseLink.objects.filter(pk=link.pk).update(extent=Extent.FULL)

    broken = verify_chain(history.process).broken
    assert (broken.table, broken.pk, broken.check) == ("dispositions_decisionrevision", link.revision_id, "entry hash")


def test_a_deleted_event_is_found_where_the_chain_skips(history):
    release = ProcessEvent.objects.get(process=history.process, kind=ProcessEventKind.DECISIONS_RELEASED)
    with history_maintenance():
        ProcessEvent.objects.filter(pk=release.pk).delete()

    broken = verify_chain(history.process).broken
    assert broken.check == "position" and broken.expected == str(release.chain_position)
    assert broken.found == str(release.chain_position + 1)


def test_a_deleted_last_entry_is_found_at_the_head(history):
    last = ProcessEvent.objects.get(process=history.process, kind=ProcessEventKind.REPORT_PUBLISHED)
    with history_maintenance():
        ProcessEvent.objects.filter(pk=last.pk).delete()

    broken = verify_chain(history.process).broken
    assert (broken.table, broken.check) == ("consultations_historyhead", "head")
    assert broken.found == f"6 {last.entry_hash}" and broken.expected == f"5 {last.prev_hash}"


def test_verify_history_prints_each_chain_and_fails_with_status_1_when_one_is_broken(history, other_process):
    head = HistoryHead.objects.get(process=history.process).entry_hash
    output = verify()
    assert f"{history.process.code}: OK, 6 entries, head {head}" in output
    assert f"{other_process.code}: OK, 0 entries, head {GENESIS}" in output

    with tampering("consultations_processevent"):
        ProcessEvent.objects.filter(process=history.process).update(actor=None)
    out = StringIO()
    with pytest.raises(CommandError, match=r"The history chain of 1 process\(es\) is broken.") as failure:
        call_command("verify_history", stdout=out)
    # manage.py exits with a CommandError's returncode (Django's run_from_argv).
    assert failure.value.returncode == 1
    assert f"{history.process.code}: BROKEN at consultations_processevent id " in out.getvalue()
    assert f"{other_process.code}: OK" in out.getvalue()


def test_verify_history_names_an_unknown_process():
    with pytest.raises(CommandError, match="No process has the code NOPE"):
        verify("--process", "NOPE")


def test_the_demo_verifies_and_keeps_verifying_after_two_resets():
    for args in ((), ("--reset",), ("--reset",)):
        call_command("load_demo", *args, "--force", stdout=StringIO())
        output = verify()
        assert output.count(": OK, ") == 3 and "BROKEN" not in output, output
    assert Process.objects.count() == HistoryHead.objects.count() == 3


# ----------------------------------------------------------------------------- where the head is shown


def test_the_report_shows_the_chain_head_and_report_json_has_it(history, anon_client):
    head = HistoryHead.objects.get(process=history.process)
    page = anon_client.get(reverse("reports:report", args=[history.process.slug])).content.decode()
    assert f'<code title="{head.entry_hash}" data-hash="{head.entry_hash}">{head.entry_hash[:16]}…</code>' in page
    assert "(6 entries)" in page and "manage.py verify_history" in page
    data = anon_client.get(reverse("reports:report-json", args=[history.process.slug])).json()
    assert data["history"] == {"entries": 6, "head": head.entry_hash}


def test_a_process_without_history_shows_no_chain_head(anon_client, process):
    assert (
        'data-testid="history-head"'
        not in anon_client.get(reverse("reports:report", args=[process.slug])).content.decode()
    )
    assert anon_client.get(reverse("reports:report-json", args=[process.slug])).json()["history"] is None


# ----------------------------------------------------------------------------- the legitimate writes


def test_closing_an_account_leaves_the_history_untouched(history):
    account_anonymise(user=history.organiser)
    assert verify_chain(history.process).ok


def test_the_admin_refuses_to_delete_a_process_with_history_without_an_error(history, admin_user, rf):
    admin = client_for(admin_user)
    url = reverse("admin:consultations_process_delete", args=[history.process.pk])
    assert "Cannot delete process" in admin.get(url).content.decode()
    refused = admin.post(url, {"post": "yes"})
    assert refused.status_code == 200 and "Cannot delete process" in refused.content.decode()
    changelist = reverse("admin:consultations_process_changelist")
    bulk = admin.post(
        changelist, {"action": "delete_selected", "_selected_action": [history.process.pk], "post": "yes"}
    )
    assert bulk.status_code == 200 and "Cannot delete" in bulk.content.decode()
    assert Process.objects.filter(pk=history.process.pk).exists()
    # History without an admin of its own (the process's events) is listed as protected, so the admin never
    # gets as far as the trigger.
    request = rf.get(url)
    request.user = admin_user
    _deleted, _counts, _perms, protected = site._registry[Process].get_deleted_objects([history.process], request)
    assert f"The history of {history.process.code} (6 entries) is append-only." in protected


def test_a_process_without_history_can_still_be_deleted_in_the_admin(admin_user, organiser):
    draft = make_process(phase="open", code="EMPTY", organisers=(organiser,))
    response = client_for(admin_user).post(
        reverse("admin:consultations_process_delete", args=[draft.pk]), {"post": "yes"}
    )
    assert response.status_code == 302 and not Process.objects.filter(pk=draft.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_decisions_on_one_process_never_fork_its_chain(closed_process, organiser):
    """Writers of one process queue on its row lock (PostgreSQL) or the write lock (SQLite): every decision
    takes its own position, each chained to the one before."""
    import_document(closed_process, by=organiser)
    submissions = [file_submission(closed_process, make_user(email=f"s{n}@example.org")) for n in range(8)]
    start = threading.Barrier(len(submissions))
    errors: list[BaseException] = []

    def decide(submission) -> None:
        try:
            start.wait()
            disposition_not_take_up(submission=submission, actor=organiser, reason=f"Reason {submission.number}.")
        except BaseException as error:  # noqa: BLE001  (reported by the assertion below)
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=decide, args=(submission,)) for submission in submissions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    report = verify_chain(closed_process)
    assert report.ok and report.entries == len(submissions)
    positions = DecisionRevision.objects.filter(submission__process=closed_process).values_list(
        "chain_position", flat=True
    )
    assert sorted(positions) == list(range(1, len(submissions) + 1))


@pytest.mark.django_db(transaction=True)
def test_the_migration_chains_existing_history_as_the_services_did(history):
    """Taken back to before the chain (the triggers dropped, the chain's fields gone) and forward again, the
    migration seals the same rows into the same chain: each table in the order of its ids, interleaved by time."""
    heads = dict(HistoryHead.objects.values_list("process_id", "entry_hash"))
    executor = MigrationExecutor(connection)
    executor.migrate([("publications", "0001_snapshot"), ("dispositions", "0011_responses_to_decisions")])
    assert triggers_present(connection) == dict.fromkeys(HISTORY_TABLES, 0)
    assert not HistoryHead.objects.exists()

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert dict(HistoryHead.objects.values_list("process_id", "entry_hash")) == heads
    assert verify_chain(history.process).ok
    assert "append-only" in refused("DELETE FROM consultations_processevent", [])
