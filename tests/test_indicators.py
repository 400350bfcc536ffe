"""Each indicator, pinned on a small process computed by hand."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from traceability.accounts.models import StakeholderKind
from traceability.consultations.models import Process
from traceability.consultations.services import submission_withdraw
from traceability.dispositions.services import LinkSpec, disposition_exclude, disposition_reflect
from traceability.reports.indicators import compute, indicators_for

from .factories import file_submission, import_document, make_user

DAY = timedelta(days=1)


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


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
    countries = {row.code: row.counts for row in compute(process).countries}
    assert (countries["KE"].submitted, countries["KE"].reflected) == (3, 3)
    assert (countries["DE"].submitted, countries["DE"].excluded) == (2, 2)
    assert (countries["BR"].submitted, countries["BR"].pending, countries["BR"].withdrawn) == (1, 1, 1)
    assert [row.code for row in compute(process).countries][0] == "KE"  # most submissions first


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
    assert len(queries) == 1  # the process row only; the numbers come from the cache
    assert again.totals == first.totals

    disposition_exclude(submission=s[5], actor=organiser, ground="legal", legal_provision="Art. 2")
    fresh = indicators_for(Process.objects.get(pk=process.pk))
    assert fresh.totals.pending == 0 and first.totals.pending == 1


@pytest.mark.parametrize("write", ["file", "withdraw", "import"])
def test_every_kind_of_write_invalidates_the_cache(process, stakeholder, organiser, write):
    submission = file_submission(process, stakeholder)
    process.refresh_from_db()
    before = indicators_for(process)
    if write == "file":
        file_submission(process, stakeholder)
    elif write == "withdraw":
        submission_withdraw(submission=submission, author=stakeholder)
    else:
        import_document(process, organiser)
    process.refresh_from_db()
    assert process.stats_version > before.stats_version
    assert indicators_for(process).stats_version == process.stats_version
