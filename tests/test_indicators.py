"""Each indicator, pinned on a small process computed by hand."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from traceability.accounts.models import StakeholderKind
from traceability.accounts.services import account_anonymise
from traceability.consultations.models import Process
from traceability.consultations.services import submission_withdraw
from traceability.dispositions.services import (
    LinkSpec,
    contest_answer,
    disposition_exclude,
    disposition_reflect,
    response_record,
)
from traceability.reports.builder import build_aggregates
from traceability.reports.indicators import compute, indicators_for
from traceability.reports.tasks import refresh_interaction

from .factories import file_submission, import_document, make_user

DAY = timedelta(days=1)


@pytest.fixture
def fixture(closed_process, organiser):
    """Seven submissions, hand-counted:

    group            country  organisation  outcome (first decision, days after close)
    Civil society    KE       Org A         s1 reflected fully (1), s2 reflected partly (2)
    Private sector   DE       Org B         s3 excluded, legal (4), s4 excluded, public morality (10)
    Government       BR       " org a"      s5 pending, s6 withdrawn
    Academia         KE       Org C         s7 reflected fully (decided a day before the close: 0)
    """
    process = closed_process
    close = process.closes_at
    version = import_document(process, organiser)
    clause = version.clauses.get(eid="para_3")
    civil = make_user(kind=StakeholderKind.CIVIL_SOCIETY, country="KE", organisation="Org A")
    business = make_user(kind=StakeholderKind.PRIVATE_SECTOR, country="DE", organisation="Org B")
    state = make_user(kind=StakeholderKind.GOVERNMENT, country="BR", organisation=" org a")
    scholar = make_user(kind=StakeholderKind.ACADEMIA, country="KE", organisation="Org C")
    s = {
        n: file_submission(process, author)
        for n, author in [(1, civil), (2, civil), (3, business), (4, business), (5, state), (6, state), (7, scholar)]
    }
    submission_withdraw(submission=s[6], author=state, now=process.opens_at + timedelta(hours=1))

    def reflect(n, extent, days):
        disposition_reflect(
            submission=s[n], actor=organiser, links=[LinkSpec(clause=clause, extent=extent)], now=close + days * DAY
        )

    reflect(1, "full", 1)
    reflect(2, "partial", 2)
    disposition_exclude(submission=s[3], actor=organiser, ground="legal", legal_provision="Art. 9", now=close + 4 * DAY)
    disposition_exclude(
        submission=s[4], actor=organiser, ground="public_morality", justification="Slurs", now=close + 10 * DAY
    )
    reflect(7, "full", -1)
    process.refresh_from_db()
    return process, s


def test_coverage_is_dispositioned_over_submitted(fixture):
    process, _ = fixture
    totals = compute(process).totals
    assert (totals.submitted, totals.dispositioned, totals.pending, totals.withdrawn) == (6, 5, 1, 1)
    assert totals.coverage.value == pytest.approx(5 / 6)
    assert totals.coverage.percent == "83.3%"


def test_uptake_counts_full_and_partial_apart(fixture):
    process, _ = fixture
    totals = compute(process).totals
    assert totals.uptake.value == pytest.approx(3 / 5)
    assert totals.uptake_full.value == pytest.approx(2 / 5)
    assert totals.uptake_partial.value == pytest.approx(1 / 5)


def test_justified_exclusion_counts_exclusions_with_ground_and_text(fixture):
    process, _ = fixture
    totals = compute(process).totals
    assert (totals.excluded_legal, totals.excluded_morality, totals.justified) == (1, 1, 2)
    assert totals.justified_exclusion.value == 1.0


def test_per_group_counts_and_uptake(fixture):
    process, _ = fixture
    groups = {g.name: g.counts for g in compute(process).groups}
    assert groups["Civil society"].uptake.value == 1.0
    assert groups["Private sector"].uptake.value == 0.0
    assert groups["Academia"].uptake.value == 1.0
    assert groups["Government"].uptake.value is None  # nothing decided: n/a, not 0%
    assert groups["Government"].uptake.percent == "n/a"
    assert (groups["Government"].pending, groups["Government"].withdrawn) == (1, 1)
    assert groups["Technical community"].submitted == 0


def test_uptake_parity_is_lowest_over_highest_group_uptake(fixture):
    process, _ = fixture
    parity = compute(process).parity
    assert parity.value == 0.0
    assert parity.lowest == "Private sector"
    assert parity.highest in {"Civil society", "Academia"}


def test_participation_balance_is_normalised_entropy_over_all_groups(fixture):
    process, _ = fixture
    shares = [1 / 6, 2 / 6, 2 / 6, 1 / 6]  # government, private, civil, academia; two groups with none
    expected = -sum(p * math.log(p) for p in shares) / math.log(6)
    assert compute(process).balance.value == pytest.approx(expected)
    assert compute(process).balance.value == pytest.approx(0.7421, abs=1e-4)


def test_reach_counts_distinct_countries_and_organisations(fixture):
    process, _ = fixture
    indicators = compute(process)
    assert indicators.countries_reached == 3  # KE, DE, BR
    assert indicators.organisations_reached == 3  # "Org A" and " org a" are one organisation


def test_per_country_counts(fixture):
    process, _ = fixture
    rows = compute(process).countries
    countries = {row.code: row.counts for row in rows}
    assert (countries["KE"].submitted, countries["KE"].reflected) == (3, 3)
    # s4 is withheld (public morality) and s6 withdrawn: neither is counted under its country, but under
    # "not disclosed", like a submission shown by stakeholder group only.
    assert (countries["DE"].submitted, countries["DE"].excluded) == (1, 1)
    assert (countries["BR"].submitted, countries["BR"].pending, countries["BR"].withdrawn) == (1, 1, 0)
    hidden = countries[""]
    assert (hidden.submitted, hidden.excluded_morality, hidden.withdrawn) == (1, 1, 1)
    assert [row.name for row in rows if not row.code] == ["Not disclosed"]
    assert [row.code for row in rows][0] == "KE"  # most submissions first


def test_responsiveness_is_the_median_of_days_to_first_decision(fixture, organiser):
    process, s = fixture
    # Days after close: 0 (decided before the close), 1, 2, 4, 10 -> median 2.
    assert compute(process).responsiveness.median_days == pytest.approx(2.0)
    # Changing a decision later does not make the process look slower: the first decision counts.
    disposition_exclude(
        submission=s[1], actor=organiser, ground="legal", legal_provision="Art. 1", now=process.closes_at + 30 * DAY
    )
    process.refresh_from_db()
    assert compute(process).responsiveness.median_days == pytest.approx(2.0)


def test_days_are_written_as_a_language_writes_a_number_with_a_decimal(fixture, exchanges):
    """ "2.0 days", not a plural chosen by the count: in Arabic the dual form is for exactly two, never for 2.0 or 28.0
    (its form for a decimal number is the singular)."""
    process, _s, _ = exchanges
    indicators = compute(process)
    assert (indicators.responsiveness.display, indicators.interaction.median_display) == ("2.0 days", "2.0 days")
    with translation.override("ar"):
        assert indicators.responsiveness.display == "2.0 يوم" == indicators.interaction.median_display
    with translation.override("ru"):
        assert indicators.responsiveness.display == "2.0 дня"


def test_responsiveness_with_an_even_number_of_decisions_averages_the_middle_two(fixture, organiser):
    process, s = fixture
    disposition_exclude(
        submission=s[5], actor=organiser, ground="legal", legal_provision="Art. 2", now=process.closes_at + 6 * DAY
    )
    process.refresh_from_db()
    # 0, 1, 2, 4, 6, 10 -> (2 + 4) / 2
    assert compute(process).responsiveness.median_days == pytest.approx(3.0)


def test_empty_process_shows_na_with_reasons_not_zero(process):
    indicators = compute(process)
    assert indicators.totals.coverage.percent == "n/a"
    assert indicators.totals.coverage.empty_reason
    assert indicators.totals.uptake.value is None
    assert indicators.totals.justified_exclusion.value is None
    assert indicators.parity.value is None and indicators.parity.empty_reason
    assert indicators.balance.value is None and indicators.balance.empty_reason
    assert indicators.responsiveness.median_days is None and indicators.responsiveness.empty_reason
    assert (indicators.countries_reached, indicators.organisations_reached) == (0, 0)


def test_indicators_are_cached_until_a_write_changes_them(fixture, organiser):
    process, s = fixture
    first = indicators_for(process)
    with CaptureQueriesContext(connection) as queries:
        again = indicators_for(Process.objects.get(pk=process.pk))
    # The process row and the one cache row the figures come from at its version (the shared cache is a database
    # table in the embedded default; with Redis in production that read is not a query): no tally, no submission.
    assert len(queries) == 2
    assert "trace_cache" in queries[1]["sql"]
    assert not any("reports_" in query["sql"] or "consultations_submission" in query["sql"] for query in queries)
    assert again.totals == first.totals

    disposition_exclude(submission=s[5], actor=organiser, ground="legal", legal_provision="Art. 2")
    fresh = indicators_for(Process.objects.get(pk=process.pk))
    assert fresh.totals.pending == 0 and first.totals.pending == 1


@pytest.mark.parametrize("write", ["file", "withdraw", "import", "close account"])
def test_every_kind_of_write_invalidates_the_cache(process, stakeholder, organiser, write):
    submission = file_submission(process, stakeholder)
    process.refresh_from_db()
    before = indicators_for(process)
    if write == "file":
        file_submission(process, stakeholder)
    elif write == "withdraw":
        submission_withdraw(submission=submission, author=stakeholder)
    elif write == "import":
        import_document(process, organiser)
    else:
        # The organisation leaves the submission with its author's identity: one organisation fewer reached.
        assert before.organisations_reached == 1
        account_anonymise(user=stakeholder)
    process.refresh_from_db()
    after = indicators_for(process)
    if write == "file":
        # A filing changes only counts: its receipt number is the version they are kept under (the process row's
        # lock is held for that number anyway), and the decisions' detail, kept under stats_version, stays.
        assert process.stats_version == before.stats_version
        assert (before.totals.submitted, before.totals.pending) == (1, 1)
        assert (after.totals.submitted, after.totals.pending) == (2, 2)
    else:
        assert process.stats_version > before.stats_version
        assert after.stats_version == process.stats_version
    if write == "withdraw":
        assert (after.totals.submitted, after.totals.withdrawn) == (0, 1)
    if write == "close account":
        assert after.organisations_reached == 0


# ----------------------------------------------------------------------------- after-consultation interaction


@pytest.fixture
def exchanges(fixture, organiser):
    """On top of the seven: s1 agrees; s2 contests (answered after 2 days); s3 contests (answered after 1 day),
    is decided again, and contests the new decision (answered after 4 days); s4 contests (not answered);
    s7 says nothing. Hand-counted: 5 decided, 4 replied, 3 contested, 3 of 4 contests answered, median 2 days."""
    process, s = fixture
    close = process.closes_at

    def reply(n, kind, days, revision=1, reason="Please reconsider."):
        return response_record(
            submission=s[n],
            revision_number=revision,
            author=s[n].author,
            kind=kind,
            reason=reason if kind == "contest" else "",
            now=close + days * DAY,
        )

    def answer(response, days):
        contest_answer(response=response, actor=organiser, answer="We looked again.", now=close + days * DAY)

    reply(1, "agree", 2)
    answer(reply(2, "contest", 3), 5)
    answer(reply(3, "contest", 5), 6)
    disposition_exclude(
        submission=s[3], actor=organiser, ground="legal", legal_provision="Art. 9(2)", now=close + 6.5 * DAY
    )
    answer(reply(3, "contest", 7, revision=2), 11)
    s4_contest = reply(4, "contest", 11)
    process.refresh_from_db()
    return process, s, s4_contest


def test_interaction_counts_replies_contests_and_answers(exchanges):
    process, _s, _ = exchanges
    interaction = compute(process).interaction
    assert (interaction.decided, interaction.replied, interaction.contested) == (5, 4, 3)
    assert (interaction.contests, interaction.answered) == (4, 3)
    assert interaction.replied_share.percent == "80.0%"
    assert interaction.contested_share.value == pytest.approx(3 / 5)
    assert interaction.answered_share.value == pytest.approx(3 / 4)
    assert interaction.median_days_to_answer == pytest.approx(2.0)  # waits 1, 2, 4


def test_interaction_per_stakeholder_group(exchanges):
    process, _s, _ = exchanges
    groups = {g.name: g.interaction for g in compute(process).groups}
    civil, private = groups["Civil society"], groups["Private sector"]
    assert (civil.decided, civil.replied, civil.contested, civil.contests, civil.answered) == (2, 2, 1, 1, 1)
    assert (private.decided, private.replied, private.contested, private.contests, private.answered) == (2, 2, 2, 3, 2)
    assert groups["Academia"].replied_share.percent == "0.0%"  # silence: no reply, not agreement
    assert groups["Government"].replied_share.percent == "n/a"  # nothing decided


def test_the_median_wait_averages_the_middle_two_and_the_cache_follows_answers(exchanges, organiser):
    process, _s, s4_contest = exchanges
    before = indicators_for(process)
    contest_answer(response=s4_contest, actor=organiser, answer="Noted.", now=process.closes_at + 14 * DAY)
    process.refresh_from_db()
    after = indicators_for(process)
    assert before.interaction.answered == 3
    assert after.interaction.answered == 4
    assert after.interaction.median_days_to_answer == pytest.approx(2.5)  # waits 1, 2, 3, 4


def test_interaction_without_replies_shows_na_with_reasons(fixture):
    process, _ = fixture
    interaction = compute(process).interaction
    assert interaction.replied_share.percent == "0.0%"
    assert interaction.answered_share.percent == "n/a" and interaction.answered_share.missing
    assert interaction.median_days_to_answer is None and interaction.median_missing


def test_interaction_is_in_report_json_and_on_the_report(exchanges, anon_client):
    process, _s, _ = exchanges
    document = anon_client.get(reverse("reports:report-json", args=[process.slug])).json()
    shares = document["indicators"]["after_consultation_interaction"]
    assert shares["replied"] == {"numerator": 4, "denominator": 5, "value": 0.8, "empty_reason": None}
    assert shares["contests_answered"]["numerator"] == 3 and shares["contests_answered"]["denominator"] == 4
    assert shares["median_days_to_answer"] == pytest.approx(2.0)
    private = next(g for g in document["groups"] if g["name"] == "Private sector")
    assert private["after_consultation_interaction"]["contested"]["numerator"] == 2
    page = anon_client.get(reverse("reports:report", args=[process.slug])).content.decode()
    assert "4 of 5 decided submissions got a reply from their submitters" in page
    assert "3 contested (60.0%); 3 of 4 contests answered" in page
    methodology = anon_client.get(reverse("reports:methodology")).content.decode()
    assert 'id="after-consultation-interaction"' in methodology
    assert "never as agreement" in methodology


def _all_groups_answered(page: str) -> str:
    """The "contests answered" cell of the interaction table's "All groups" row."""
    footer = page.split('data-testid="interaction-table"')[1].split("<tfoot")[1].split("</tfoot>")[0]
    return footer.split('data-label="Contests answered" class="text-end">')[1].split("</td>")[0]


def test_after_a_reply_or_answer_readers_get_the_interaction_as_it_was_until_a_task_reads_it_again(
    exchanges, organiser, anon_client, queued_tasks
):
    """The interaction reads every reply of the process (tens of thousands at a million submissions): after an
    answer, readers get it as it was read, with its age, while the worker reads it again; what is published never."""
    process, _s, s4_contest = exchanges
    address, json_address = (reverse(name, args=[process.slug]) for name in ("reports:report", "reports:report-json"))
    page = anon_client.get(address).content.decode()
    assert _all_groups_answered(page) == "3 of 4" and 'data-testid="interaction-as-of"' not in page
    assert anon_client.get(json_address).json()["interaction_as_of"] is None
    assert queued_tasks.results == []

    contest_answer(response=s4_contest, actor=organiser, answer="Noted.", now=process.closes_at + 14 * DAY)
    for _reader in range(2):  # the second gets the same, and queues nothing more
        page = anon_client.get(address).content.decode()
        assert _all_groups_answered(page) == "3 of 4"
        assert page.count("the changes since are being counted.") == 2  # the card and the table
        assert 'data-testid="interaction-as-of"' in page and 'data-testid="indicator-as-of"' in page
    document = anon_client.get(json_address).json()
    shares = document["indicators"]["after_consultation_interaction"]
    assert shares["contests_answered"]["numerator"] == 3 and shares["median_days_to_answer"] == pytest.approx(2.0)
    assert document["interaction_as_of"] is not None and document["interaction_as_of"] <= document["generated_at"]
    (task,) = (result for result in queued_tasks.results if result.task.func is refresh_interaction.func)

    # The indicators read with the older interaction are kept for the next readers, not read again for each.
    process.refresh_from_db()
    kept = indicators_for(process)
    assert kept.interaction_as_of is not None and indicators_for(process).computed_at == kept.computed_at

    # What is published is read as the data is, whatever the cache holds.
    frozen = build_aggregates(process=process, version=None)
    assert "interaction_as_of" not in frozen
    assert frozen["indicators"]["after_consultation_interaction"]["contests_answered"]["numerator"] == 4

    assert refresh_interaction.call(*task.args, **task.kwargs) is True
    assert indicators_for(process).interaction_as_of is None and indicators_for(process).computed_at > kept.computed_at
    page = anon_client.get(address).content.decode()
    assert _all_groups_answered(page) == "4 of 4" and "the changes since are being counted" not in page
    document = anon_client.get(json_address).json()
    assert document["interaction_as_of"] is None
    assert document["indicators"]["after_consultation_interaction"]["median_days_to_answer"] == pytest.approx(2.5)
    assert sum(result.task.func is refresh_interaction.func for result in queued_tasks.results) == 1


def test_the_interaction_task_of_a_process_or_round_gone_does_nothing(exchanges):
    process, _s, _ = exchanges
    assert refresh_interaction.call(process.pk, 7) is False  # the process has no round 7
    assert refresh_interaction.call(process.pk + 1000, None) is False
    assert refresh_interaction.call(process.pk, None) is True
