"""The tallies equal a full recount after any sequence of writes, whoever writes; the indicators, the workspace
progress and the pages' counts read from them give what a full scan gives; the triggers survive migrations.

Hypothesis plays random sequences through the real services (file, edit, withdraw, reflect, exclude on either
ground, not take up, same as, drafts and their release, decisions revised, new versions and re-confirmed
links, accounts closed) and through raw ``QuerySet.update()`` and ``delete()``, and after every step compares
every tally with a recount from the rows.
"""

from __future__ import annotations

import dataclasses
import os
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from traceability.accounts.models import StakeholderKind
from traceability.accounts.services import account_anonymise
from traceability.consultations.models import Attribution, Process, Submission, SubmissionStatus
from traceability.consultations.services import (
    SubmissionContent,
    round_open,
    submission_update,
    submission_withdraw,
)
from traceability.dispositions.models import Disposition, DraftDecision, ExclusionGround, Extent
from traceability.dispositions.selectors import progress, progress_from_scan, reconfirm_queue
from traceability.dispositions.services import (
    LinkSpec,
    decisions_release,
    disposition_exclude,
    disposition_not_take_up,
    disposition_reflect,
    disposition_same_as,
    link_reconfirm,
    version_adopt,
)
from traceability.outcomes.models import DocumentVersion
from traceability.outcomes.services import NothingToImport, version_import
from traceability.reports.indicators import compute, compute_from_scan, indicators_for
from traceability.reports.models import Tally
from traceability.reports.tallies import (
    TRIGGER_NAMES,
    differences,
    rebuild_tallies,
    recount,
    stored,
    tallies_suspended,
    triggers_present,
)

from .conftest import client_for
from .factories import file_submission, make_process, make_user
from .test_agreement import Text

AUTHORS = [
    (StakeholderKind.CIVIL_SOCIETY, "KE", "Open Data Kenya"),
    (StakeholderKind.GOVERNMENT, "DE", "  open data kenya "),  # the same organisation, written differently
    (StakeholderKind.PRIVATE_SECTOR, "BR", "Acme"),
    (StakeholderKind.ACADEMIA, "", ""),
    (StakeholderKind.TECHNICAL_COMMUNITY, "JP", "Tokyo Lab"),
]

i = st.integers(0, 50)
step = st.one_of(
    st.tuples(st.just("file"), i, st.sampled_from(Attribution.values)),
    st.tuples(st.just("update"), i, st.sampled_from(Attribution.values)),
    st.tuples(st.just("withdraw"), i),
    st.tuples(st.just("reflect"), i, st.lists(i, min_size=1, max_size=3), st.booleans()),
    st.tuples(st.just("exclude"), i, st.sampled_from(ExclusionGround.values), st.booleans()),
    st.tuples(st.just("not_take_up"), i, st.booleans()),
    st.tuples(st.just("same_as"), i, i, st.booleans()),
    st.tuples(st.just("release")),
    st.tuples(st.just("new_version"), st.sampled_from(["insert", "delete", "reword", "split", "merge"]), i),
    st.tuples(st.just("reconfirm"), st.sampled_from(["confirm", "move", "remove"]), i),
    st.tuples(st.just("round")),
    st.tuples(st.just("anonymise"), i),
    st.tuples(
        st.just("orm_update"),
        i,
        st.sampled_from(["status", "country", "organisation", "attribution", "withheld", "author_name", "group"]),
    ),
    st.tuples(st.just("orm_disposition"), i, st.sampled_from(["extent", "first_decided_at", "delete"])),
    st.tuples(st.just("orm_delete"), i),
)


@contextmanager
def rolled_back():
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def pick(items: list, n: int):  # type: ignore[no-untyped-def]
    return items[n % len(items)] if items else None


def same(a, b) -> None:  # type: ignore[no-untyped-def]
    """Two Indicators agree on everything but when they were computed."""
    assert dataclasses.replace(a, computed_at=None) == dataclasses.replace(b, computed_at=None)


def check(process: Process) -> None:
    assert differences(process.pk) == []
    process.refresh_from_db()
    same(compute(process), compute_from_scan(process))
    for comment_round in process.rounds.all():
        same(compute(process, comment_round), compute_from_scan(process, comment_round))
    assert progress(process) == progress_from_scan(process)
    assert process.active_submission_count() == Submission.objects.for_process(process).active().count()


class Play:
    def __init__(self, process: Process, organiser) -> None:  # type: ignore[no-untyped-def]
        self.process, self.organiser = process, organiser
        self.text = Text()
        version_import(process=process, source=self.text.source(), label="v1", created_by=organiser)
        self.authors = [
            make_user(kind=kind, country=country, organisation=organisation) for kind, country, organisation in AUTHORS
        ]

    @property
    def current_version(self) -> DocumentVersion:
        return DocumentVersion.objects.report_version_for(self.process)

    def submissions(self, *exclude: str) -> list[Submission]:
        return list(Submission.objects.for_process(self.process).exclude(status__in=exclude).order_by("pk"))

    def linkable(self) -> list:
        return list(self.current_version.clauses.linkable().order_by("position"))

    def run(self, action: str, *args: object) -> None:
        getattr(self, action)(*args)

    def file(self, n: int, attribution: str) -> None:
        author = pick([a for a in self.authors if a.is_active], n)
        if author is not None:
            try:
                file_submission(self.process, author, attribution=attribution)
            except ValidationError:
                # An ``orm_update`` moved the author's first submission to another group: the filing in the
                # group of their kind is refused (one group per account and process), and writes nothing.
                pass

    def update(self, n: int, attribution: str) -> None:
        submission = pick(self.submissions(SubmissionStatus.WITHDRAWN), n)
        if submission is None or not submission.author.is_active:
            return
        content = SubmissionContent(
            title="Edited", text="Edited text.", stakeholder_group=submission.stakeholder_group, attribution=attribution
        )
        try:
            submission_update(submission=submission, author=submission.author, content=content)
        except ValidationError:
            pass  # decided ones cannot be edited

    def withdraw(self, n: int) -> None:
        submission = pick(self.submissions(SubmissionStatus.WITHDRAWN), n)
        if submission is not None:
            submission_withdraw(submission=submission, author=submission.author)

    def _decide(self, service, n: int, **kwargs: object) -> None:  # type: ignore[no-untyped-def]
        submission = pick(self.submissions(SubmissionStatus.WITHDRAWN), n)
        if submission is None:
            return
        try:
            service(submission=submission, actor=self.organiser, **kwargs)
        except ValidationError:
            pass  # a refusal is fine (no released decision to copy, say); a 500 is not

    def reflect(self, n: int, at: list[int], draft: bool) -> None:
        clauses = {c.pk: c for c in (pick(self.linkable(), k) for k in at)}
        links = [
            LinkSpec(clause=c, extent=Extent.FULL if k == 0 else Extent.PARTIAL) for k, c in enumerate(clauses.values())
        ]
        self._decide(disposition_reflect, n, links=links, draft=draft)

    def exclude(self, n: int, ground: str, draft: bool) -> None:
        reason = {"legal_provision": "Act 1, art. 2"} if ground == ExclusionGround.LEGAL else {"justification": "Slur."}
        self._decide(disposition_exclude, n, ground=ground, draft=draft, **reason)

    def not_take_up(self, n: int, draft: bool) -> None:
        self._decide(disposition_not_take_up, n, reason="Out of scope.", draft=draft)

    def same_as(self, n: int, m: int, draft: bool) -> None:
        original = pick(self.submissions(), m)
        if original is not None:
            self._decide(disposition_same_as, n, original=original.reference, draft=draft)

    def release(self) -> None:
        try:
            decisions_release(process=self.process, actor=self.organiser)
        except ValidationError:
            pass

    def new_version(self, kind: str, at: int) -> None:
        self.text.apply(kind, at)
        try:
            new = version_import(
                process=self.process, source=self.text.source(), label="next", created_by=self.organiser
            )
        except NothingToImport:
            return
        version_adopt(version=new, actor=self.organiser)

    def reconfirm(self, how: str, at: int) -> None:
        link = reconfirm_queue(self.process, self.current_version).first()
        if link is None:
            return
        try:
            link_reconfirm(
                submission=link.revision.submission,
                actor=self.organiser,
                link=link,
                move_to=pick(self.linkable(), at) if how == "move" or link.now_pk is None else None,
                remove=how == "remove",
            )
        except ValidationError:
            pass

    def round(self) -> None:
        try:
            round_open(
                process=self.process,
                version=self.current_version,
                closes_at=timezone.now() + timedelta(days=3),
                actor=self.organiser,
            )
        except ValidationError:
            pass
        self.process.refresh_from_db()

    def anonymise(self, n: int) -> None:
        author = pick([a for a in self.authors if a.is_active], n)
        if author is not None:
            account_anonymise(user=author)
            author.refresh_from_db()

    def orm_update(self, n: int, field: str) -> None:
        submission = pick(self.submissions(), n)
        if submission is None:
            return
        rows = Submission.objects.filter(pk=submission.pk)
        if field == "status":
            # Any status a submission can have with (or, when it has none, without) a disposition.
            decided = Disposition.objects.filter(submission=submission).exists()
            statuses = SubmissionStatus.values if decided else [SubmissionStatus.PENDING, SubmissionStatus.WITHDRAWN]
            rows.update(status=pick(statuses, n))
        elif field == "country":
            rows.update(country=pick(["", "FR", "KE", "AQ"], n))
        elif field == "organisation":
            rows.update(organisation=pick(["", "ACME ", "Other"], n))
        elif field == "attribution":
            rows.update(attribution=pick(Attribution.values, n))
        elif field == "withheld":
            rows.update(withheld=~F("withheld"))
        elif field == "author_name":
            rows.update(author_name=pick(["", "Someone"], n))
        else:
            rows.update(stakeholder_group=pick(list(self.process.groups.all()), n))

    def orm_disposition(self, n: int, how: str) -> None:
        disposition = pick(list(Disposition.objects.filter(submission__process=self.process).order_by("pk")), n)
        if disposition is None:
            return
        rows = Disposition.objects.filter(pk=disposition.pk)
        if how == "delete":
            # The decision taken back by hand: the disposition row first, then the status (a submission "decided"
            # without a disposition is no state the report defines).
            rows.delete()
            Submission.objects.filter(pk=disposition.submission_id).update(status=SubmissionStatus.PENDING)
        elif how == "first_decided_at":
            rows.update(first_decided_at=F("first_decided_at") + timedelta(days=1 + n % 3))
        elif disposition.extent:
            rows.update(extent=Extent.PARTIAL if disposition.extent == Extent.FULL else Extent.FULL)

    def orm_delete(self, n: int) -> None:
        """Delete a submission that has no decision history (history is append-only): its draft goes with it."""
        submission = pick(list(Submission.objects.for_process(self.process).filter(revisions=None).order_by("pk")), n)
        if submission is not None:
            DraftDecision.objects.filter(duplicate_of=submission).delete()
            submission.delete()


@settings(
    max_examples=int(os.environ.get("TALLY_EXAMPLES", "20")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(step, min_size=1, max_size=14))
def test_tallies_equal_a_recount_after_any_sequence_of_writes(process, organiser, steps):
    with rolled_back():
        play = Play(process, organiser)
        for n in range(3):
            play.file(n, Attribution.NAME)
        check(process)
        for action, *args in steps:
            play.run(action, *args)
            assert differences(process.pk) == [], (action, args)
        check(process)


@pytest.mark.parametrize("disposition_first", [True, False])
def test_either_order_of_writes_in_one_transaction_nets_out(process, organiser, stakeholder, disposition_first):
    """A decision taken back and written again, its disposition row and its submission's status written in
    either order within one transaction: the tallies are right after every statement."""
    submission = file_submission(process, stakeholder)
    disposition_exclude(
        submission=submission, actor=organiser, ground=ExclusionGround.PUBLIC_MORALITY, justification="Slur."
    )
    kept = Disposition.objects.filter(submission=submission).values().get()
    disposition = Disposition.objects.filter(submission=submission)
    status = Submission.objects.filter(pk=submission.pk)
    undo = [lambda: disposition.delete(), lambda: status.update(status=SubmissionStatus.PENDING, withheld=False)]
    redo = [
        lambda: Disposition.objects.create(**kept),
        lambda: status.update(status=SubmissionStatus.EXCLUDED, withheld=True),
    ]
    if not disposition_first:
        undo.reverse(), redo.reverse()
    with transaction.atomic():
        for write in undo + redo:
            write()
            assert differences(process.pk) == []
    check(process)


def test_the_indicators_need_no_bump_of_the_stats_version_for_a_filing(process, stakeholder):
    """A filing shows at once without moving ``stats_version`` (which would make every kept figure and table be
    made again): its receipt number is part of the version the counts are kept under."""
    file_submission(process, stakeholder)
    process.refresh_from_db()
    before = indicators_for(process)
    file_submission(process, make_user(organisation="Brand new"))
    process.refresh_from_db()
    after = indicators_for(process)
    assert after.stats_version == before.stats_version
    assert (after.totals.submitted, after.totals.pending) == (2, 2)
    assert after.organisations_reached == before.organisations_reached + 1


def test_rebuild_recounts_what_a_suspended_bulk_load_wrote(process, stakeholder):
    file_submission(process, stakeholder)
    with tallies_suspended():
        file_submission(process, make_user())
        assert differences(process.pk) != []
        rebuild_tallies(process.pk)
        assert differences(process.pk) == []
    file_submission(process, make_user())
    assert differences(process.pk) == [] and stored(process.pk) == recount(process.pk)


def test_a_recount_that_changes_nothing_leaves_the_version_of_the_data_alone(process, stakeholder):
    """A published report would otherwise read as changed since its snapshot (``stats_version`` moved)."""
    file_submission(process, stakeholder)
    other = make_process()
    file_submission(other, make_user())
    process.refresh_from_db()
    before = process.stats_version
    assert rebuild_tallies() == set()
    process.refresh_from_db()
    assert process.stats_version == before
    Tally.objects.filter(process=other, n__gt=0).update(n=F("n") + 1)
    assert rebuild_tallies() == {other.pk}
    process.refresh_from_db()
    assert process.stats_version == before


def test_a_rebuild_makes_the_kept_indicators_be_read_again(process, stakeholder):
    """Figures kept while the tallies were wrong (a load that went around the triggers) go with the recount."""
    file_submission(process, stakeholder)
    Tally.objects.filter(process=process, n__gt=0).update(n=F("n") + 2)
    process.refresh_from_db()
    assert indicators_for(process).totals.submitted == 3
    rebuild_tallies(process.pk)
    process.refresh_from_db()
    assert indicators_for(process).totals.submitted == 1


def test_verify_tallies_names_the_keys_that_differ(process, stakeholder):
    file_submission(process, stakeholder)
    call_command("verify_tallies")  # all equal: no error
    Tally.objects.filter(process=process, n__gt=0).update(n=F("n") + 2)
    with pytest.raises(CommandError) as error:
        call_command("verify_tallies", process=process.slug)
    message = str(error.value)
    assert "reports_tally" in message and "stored 3, expected 1" in message and "status=pending" in message


def test_triggers_come_back_after_migrate_with_the_counts(process, stakeholder):
    """A migration that rebuilds consultations_submission on SQLite drops its triggers (here: dropped by hand);
    the post_migrate hook puts them back and recounts what was written without them."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP TRIGGER trace_tally_submission_insert ON consultations_submission")
        else:
            cursor.execute("DROP TRIGGER trace_tally_submission_insert")
    assert "trace_tally_submission_insert" not in triggers_present(connection)
    file_submission(process, stakeholder)
    assert differences(process.pk) != []
    call_command("migrate", verbosity=0)
    assert triggers_present(connection) == set(TRIGGER_NAMES)
    assert differences(process.pk) == []


def test_the_pages_count_from_the_tallies_not_the_submissions(process, stakeholder, organiser):
    """The home and process pages read no submission row; the report's and the workspace's counts come from the
    tallies (their paginated lists are another matter)."""
    for _ in range(3):
        file_submission(process, stakeholder)
    pages = [
        (None, reverse("consultations:process-list"), False),
        (None, process.get_absolute_url(), False),
        (None, reverse("reports:report", args=[process.slug]), True),
        (organiser, reverse("dispositions:workspace", args=[process.slug]), True),
    ]
    for user, url, lists in pages:
        with CaptureQueriesContext(connection) as queries:
            response = client_for(user).get(url)
        assert response.status_code == 200
        assert "3 submissions" in response.content.decode()
        sql = [query["sql"] for query in queries]
        assert any("reports_tally" in statement for statement in sql), url
        if not lists:
            assert not any("consultations_submission" in statement for statement in sql), url
