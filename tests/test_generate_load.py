"""``generate_load``: the rows it writes around the services are the rows the services would have written."""

from __future__ import annotations

import uuid
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, Max, Min
from django.utils import timezone

from traceability.consultations.models import Process, Submission, SubmissionStatus
from traceability.consultations.services import SubmissionContent, submission_file
from traceability.demo import loadgen
from traceability.dispositions.chain import verify_chain
from traceability.dispositions.models import (
    DecisionRevision,
    Disposition,
    DispositionKind,
    DraftDecision,
    ExclusionGround,
    Response,
    ResponseKind,
)
from traceability.dispositions.services import submissions_reassess
from traceability.reports.indicators import compute

from .factories import make_user

pytestmark = pytest.mark.django_db

STATUS_OF = {
    DispositionKind.REFLECTED: {SubmissionStatus.REFLECTED, SubmissionStatus.NEEDS_RECONFIRMATION},
    DispositionKind.EXCLUDED: {SubmissionStatus.EXCLUDED},
    DispositionKind.NOT_TAKEN_UP: {SubmissionStatus.NOT_TAKEN_UP},
}
COPIED = ("kind", "ground", "extent", "legal_provision", "justification", "withheld", "duplicate_of_id")

post_load_calls: list[tuple[str, int]] = []


def record_first(process_id: int) -> None:
    post_load_calls.append(("first", process_id))


def record_second(process_id: int) -> None:
    post_load_calls.append(("second", process_id))


def check_invariants(process: Process, n: int) -> None:
    submissions = Submission.objects.filter(process=process)
    assert submissions.count() == n == process.last_number
    assert submissions.aggregate(low=Min("number"), high=Max("number")) == {"low": 1, "high": n}
    assert verify_chain(process).ok, verify_chain(process).broken
    out = StringIO()
    call_command("verify_history", stdout=out)
    assert f"{process.code}: OK" in out.getvalue()

    dispositions = {d.submission_id: d for d in Disposition.objects.filter(submission__process=process)}
    revisions: dict[int, list[DecisionRevision]] = {}
    for revision in DecisionRevision.objects.filter(submission__process=process).order_by("number"):
        revisions.setdefault(revision.submission_id, []).append(revision)
    assert set(dispositions) == set(revisions)
    for submission in submissions.only("pk", "status", "withheld", "withdrawn_at"):
        disposition = dispositions.get(submission.pk)
        if disposition is None:
            assert submission.status in (SubmissionStatus.PENDING, SubmissionStatus.WITHDRAWN)
            assert (submission.status == SubmissionStatus.WITHDRAWN) == (submission.withdrawn_at is not None)
            assert not submission.withheld
            continue
        current = revisions[submission.pk][-1]
        assert disposition.revision_id == current.pk
        assert [r.number for r in revisions[submission.pk]] == list(range(1, len(revisions[submission.pk]) + 1))
        for name in COPIED:
            assert getattr(disposition, name) == getattr(current, name), name
        assert disposition.decided_at == current.decided_at
        assert disposition.first_decided_at == revisions[submission.pk][0].decided_at
        assert submission.status in STATUS_OF[disposition.kind]
        assert submission.withheld == disposition.withheld
        assert (disposition.ground == ExclusionGround.PUBLIC_MORALITY) <= disposition.withheld
        if disposition.duplicate_of_id:
            original = dispositions[disposition.duplicate_of_id]
            assert original.kind == disposition.kind and original.duplicate_of_id is None

    # Statuses are what the services' own re-assessment says (suspect links wait for re-confirmation).
    before = dict(submissions.values_list("pk", "status"))
    submissions_reassess(process=process)
    assert dict(submissions.values_list("pk", "status")) == before

    for response in Response.objects.filter(revision__submission__process=process).select_related("revision"):
        assert response.responded_at > response.revision.decided_at
        if response.answered_at:
            assert response.kind == ResponseKind.CONTEST and response.answered_at > response.responded_at


def test_a_generated_process_holds_every_invariant_of_the_services():
    result = loadgen.generate(submissions=2000, slug="load-2k", seed=3)
    process = result.process
    check_invariants(process, 2000)

    statuses = dict(Submission.objects.filter(process=process).values_list("status").annotate(n=Count("pk")).order_by())
    decided = sum(statuses.get(s, 0) for s in (*SubmissionStatus.decided(), SubmissionStatus.NEEDS_RECONFIRMATION))
    assert 0.6 < decided / 2000 < 0.8
    assert statuses[SubmissionStatus.WITHDRAWN] > 0 and statuses[SubmissionStatus.PENDING] > 0
    assert statuses[SubmissionStatus.NEEDS_RECONFIRMATION] > 0
    grounds = set(Disposition.objects.filter(submission__process=process).values_list("ground", flat=True))
    assert {ExclusionGround.LEGAL, ExclusionGround.PUBLIC_MORALITY} <= grounds
    assert Disposition.objects.filter(submission__process=process, duplicate_of__isnull=False).exists()
    assert DecisionRevision.objects.filter(submission__process=process, number=2).exists()
    kinds = set(Response.objects.filter(revision__submission__process=process).values_list("kind", flat=True))
    assert kinds == {ResponseKind.AGREE, ResponseKind.CONTEST}
    assert DraftDecision.objects.filter(submission__process=process).exists()
    # Skewed groups, many countries, both attributions, texts of varied length.
    groups = list(
        Submission.objects.filter(process=process).values("stakeholder_group").annotate(n=Count("pk")).order_by("-n")
    )
    assert len(groups) == 6 and groups[0]["n"] > 3 * groups[-1]["n"]
    assert Submission.objects.filter(process=process).values("country").distinct().count() > 100
    assert set(Submission.objects.filter(process=process).values_list("attribution", flat=True)) == {"name", "group"}
    lengths = [len(text) for text in Submission.objects.filter(process=process).values_list("text", flat=True)]
    assert min(lengths) < 150 and max(lengths) > 1500

    # The report computes on it, and the open round takes the next filing with the next number.
    indicators = compute(process)
    assert indicators.totals.submitted == 2000 - statuses[SubmissionStatus.WITHDRAWN]
    author = make_user()
    filed, created = submission_file(
        process=process,
        author=author,
        content=SubmissionContent(title="After the load", text="One more.", stakeholder_group=process.groups.first()),
        form_token=uuid.uuid4(),
    )
    assert created and filed.number == 2001


@pytest.mark.postgresql_only  # foreign keys checked by PostgreSQL
def test_on_postgresql_the_rows_satisfy_every_foreign_key_when_the_triggers_check_them():
    result = loadgen.generate(submissions=600, slug="load-checked", seed=5, skip_triggers=False)
    assert not result.replica_role
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the deferred checks run now, not at the rollback
    check_invariants(result.process, 600)


@pytest.mark.postgresql_only
def test_on_postgresql_a_large_load_turns_triggers_off_and_builds_the_indexes_again(monkeypatch):
    def indexes() -> set[tuple[str, str]]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN "
                "('consultations_submission', 'dispositions_decisionrevision', 'accounts_user')"
            )
            return set(cursor.fetchall())

    before = indexes()
    monkeypatch.setattr(loadgen, "REBUILD_FROM", 1)
    result = loadgen.generate(submissions=800, slug="load-replica", seed=7)
    assert result.replica_role  # the test database's role may set session_replication_role
    assert indexes() == before
    with connection.cursor() as cursor:
        cursor.execute("SHOW session_replication_role")
        assert cursor.fetchone()[0] == "origin"
        # The search trigger, kept firing during the load, is back to firing only as usual ('O': origin).
        cursor.execute("SELECT tgenabled FROM pg_trigger WHERE tgname = 'trace_submission_search'")
        assert cursor.fetchone()[0] == "O"
        cursor.execute(
            "SELECT count(*) FROM consultations_submission s JOIN consultations_process p ON p.id = s.process_id "
            "WHERE p.slug = 'load-replica' AND s.search_vector IS NULL"
        )
        assert cursor.fetchone()[0] == 0
    check_invariants(result.process, 800)


def test_chunks_made_by_worker_processes_give_the_same_data_as_made_in_one(monkeypatch):
    monkeypatch.setattr(loadgen, "BATCH", 150)  # 7 chunks: made by the worker processes
    monkeypatch.setattr(loadgen, "LOAD_PROCESSES", 2)
    now = timezone.now()
    apart = loadgen.generate(submissions=1000, slug="load-apart", seed=11, now=now).process
    monkeypatch.setattr(loadgen, "LOAD_PROCESSES", 0)
    together = loadgen.generate(submissions=1000, slug="load-together", seed=11, now=now).process
    check_invariants(apart, 1000)

    def data(process: Process) -> list[tuple]:
        return list(
            Submission.objects.filter(process=process)
            .order_by("number")
            .values_list("number", "text_sha256", "status", "withheld", "received_at", "disposition__kind")
        )

    assert data(apart) == data(together)
    assert DecisionRevision.objects.filter(submission__process=apart).count() == (
        DecisionRevision.objects.filter(submission__process=together).count()
    )


def test_post_load_steps_run_in_order_with_the_process_id(monkeypatch):
    post_load_calls.clear()
    monkeypatch.setattr(
        loadgen,
        "POST_LOAD_STEPS",
        ["tests.test_generate_load.record_first", "tests.test_generate_load.record_second"],
    )
    lines: list[str] = []
    result = loadgen.generate(submissions=40, slug="load-steps", say=lines.append)
    assert post_load_calls == [("first", result.process.pk), ("second", result.process.pk)]
    assert any(line.strip().startswith("tests.test_generate_load.record_second:") for line in lines)


def test_the_command_reports_what_it_made_and_refuses_a_slug_in_use():
    out = StringIO()
    call_command("generate_load", "--submissions", "30", "--process", "load-cmd", stdout=out)
    assert "30 submissions" in out.getvalue() and "Done in" in out.getvalue()
    with pytest.raises(CommandError, match="exists already"):
        call_command("generate_load", "--submissions", "30", "--process", "load-cmd", stdout=StringIO())
    with pytest.raises(CommandError, match="at least 1"):
        call_command("generate_load", "--submissions", "0", "--process", "load-zero", stdout=StringIO())
    with pytest.raises(CommandError, match="letters, digits"):
        call_command("generate_load", "--submissions", "5", "--process", "not a slug!", stdout=StringIO())
    assert not Process.objects.filter(slug__in=["load-zero", "not a slug!"]).exists()


def test_a_post_load_step_that_cannot_be_imported_stops_the_load_before_anything_is_written(monkeypatch):
    monkeypatch.setattr(loadgen, "POST_LOAD_STEPS", ["tests.test_generate_load.no_such_step"])
    with pytest.raises(loadgen.LoadError, match="cannot import 'tests.test_generate_load.no_such_step'"):
        loadgen.generate(submissions=10, slug="load-bad-step")
    assert not Process.objects.filter(slug="load-bad-step").exists()


def test_after_a_load_the_tallies_equal_a_recount_and_the_search_finds_its_texts():
    """The post-load steps rebuild the tallies (their triggers were off); the search vectors were made as the rows
    went in (that trigger alone stays on), so a word of a loaded text finds it."""
    from traceability.consultations.search import matching
    from traceability.reports.tallies import differences

    result = loadgen.generate(submissions=120, slug="load-derived")
    process = result.process
    assert differences(process.pk) == []
    shown = Submission.objects.filter(process=process).exclude(status=SubmissionStatus.WITHDRAWN).filter(withheld=False)
    sample = shown.order_by("number").first()
    word = max(sample.title.split(), key=len).strip(".,;:!?()\"'")
    found = matching(Submission.objects.filter(process=process), word)
    assert sample in found
    totals = compute(process).totals
    assert totals.submitted + totals.withdrawn == 120
