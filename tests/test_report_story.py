"""The report tells its story: what a reader sees first, every rate beside its n, rates from few decisions
flagged, the indices behind one click under plain names, and a "by clause" section that reads.

Everything is built through the real services and read from the rendered page, as a reader gets it."""

from __future__ import annotations

import math

import lxml.html
import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from traceability.accounts.models import StakeholderKind
from traceability.consultations.templatetags.trace import snippet
from traceability.dispositions.services import LinkSpec, disposition_exclude, disposition_reflect
from traceability.publications.services import snapshot_create
from traceability.reports.selectors import group_clause_links

from .factories import file_submission, import_document, make_user

LONG = (
    "Every organiser of a public consultation publishes, for each submission it receives, the clauses of the "
    "outcome document that reflect it, or the reason it was left out."
)
SOURCE = f"""# 1. Scope
1. {LONG}
2. Organisers answer every submission.
3. Nothing is hidden.
"""
FEW_DECISIONS = "Few decisions: read this rate with care."


def build(process, organiser, *, private: bool = True) -> dict:
    """Civil society: 10 decisions (8 reflected in clause 1, 2 excluded). Private sector, unless ``private`` is
    false: 2 decisions (one reflected in clause 1 and clause 2, one in clause 2) and one pending."""
    version = import_document(process, organiser, source=SOURCE)
    clause = {c.eid: c for c in version.clauses.all()}
    civil = [file_submission(process, make_user(kind=StakeholderKind.CIVIL_SOCIETY)) for _ in range(10)]
    for submission in civil[:8]:
        disposition_reflect(submission=submission, actor=organiser, links=[LinkSpec(clause=clause["para_1"])])
    for submission in civil[8:]:
        disposition_exclude(submission=submission, actor=organiser, ground="legal", legal_provision="Act 1, s. 2")
    if private:
        business = [file_submission(process, make_user(kind=StakeholderKind.PRIVATE_SECTOR)) for _ in range(3)]
        disposition_reflect(
            submission=business[0],
            actor=organiser,
            links=[LinkSpec(clause=clause["para_1"], extent="partial"), LinkSpec(clause=clause["para_2"])],
        )
        disposition_reflect(submission=business[1], actor=organiser, links=[LinkSpec(clause=clause["para_2"])])
    return {"version": version, "clause": clause}


@pytest.fixture
def story(process, organiser):
    return build(process, organiser)


def read(client, process):
    page = client.get(reverse("reports:report", args=[process.slug])).content.decode()
    return page, lxml.html.fromstring(page)


def text(element) -> str:
    return " ".join(element.text_content().split())


def table(tree, testid: str) -> tuple[list[str], dict[str, list[str]]]:
    """A table's column headers, and its rows as {first cell: [other cells]}."""
    (found,) = tree.xpath(f'//table[@data-testid="{testid}"]')
    header = [text(th) for th in found.xpath("./thead/tr/th")]
    rows = {}
    for row in found.xpath("./tbody/tr | ./tfoot/tr"):
        cells = [text(cell) for cell in row.xpath("./th | ./td")]
        rows[cells[0]] = cells[1:]
    return header, rows


def caption(tree, testid: str) -> str:
    return text(tree.xpath(f'//table[@data-testid="{testid}"]/caption')[0])


def card(tree, key: str):
    (found,) = tree.xpath(f'//*[@data-testid="indicator-{key}"]')
    return found


# ------------------------------------------------------------------------------------------------ the tables


def test_every_rate_of_the_group_table_stands_beside_its_n_and_a_small_n_is_flagged(anon_client, process, story):
    _page, tree = read(anon_client, process)
    header, rows = table(tree, "group-table")
    assert header[-2:] == ["Decided", "Uptake"]
    # Civil society: 8 of 10 decided; a rate of 10 decisions is not flagged.
    assert rows["Civil society"][-2:] == ["10", "80.0%"]
    # Private sector: 2 of 2 decided; the star is seen, its words are heard.
    assert rows["Private sector"][-2:] == ["2", "100.0%* (few decisions)"]
    assert rows["Government"][-2:] == ["0", "n/a"]  # no rate, nothing to flag
    assert rows["All groups"][-2:] == ["12", "83.3%"]
    (private_uptake,) = tree.xpath('//table[@data-testid="group-table"]//tr[th="Private sector"]/td[last()]')
    assert private_uptake.xpath('.//span[@aria-hidden="true"]/text()') == ["*"]
    assert private_uptake.xpath('.//span[@class="visually-hidden"]/text()') == [" (few decisions)"]
    note = "* A rate from fewer than 10 decided submissions: read it with care."
    assert caption(tree, "group-table").endswith(note)


def test_the_interaction_and_country_tables_flag_their_small_rates_too(anon_client, process, story):
    _page, tree = read(anon_client, process)
    header, rows = table(tree, "interaction-table")
    assert header[1] == "Decided"
    assert rows["Civil society"][:3] == ["10", "0 (0.0%)", "0 (0.0%)"]
    assert rows["Private sector"][:3] == ["2", "0 (0.0%* (few decisions))", "0 (0.0%* (few decisions))"]
    assert "* A rate from fewer than 10 decided submissions" in caption(tree, "interaction-table")
    header, rows = table(tree, "country-table")
    assert header[-2:] == ["Decided", "Uptake"]
    # Every author is from Kenya (the factory's default): 12 decided, 10 reflected.
    assert rows["Kenya"][-2:] == ["12", "83.3%"]
    assert "* A rate" not in caption(tree, "country-table")


def test_without_a_small_rate_no_table_explains_a_flag(anon_client, process, organiser):
    build(process, organiser, private=False)
    page, tree = read(anon_client, process)
    assert "* (few decisions)" not in page and 'data-testid="small-n-note"' not in page
    assert table(tree, "group-table")[1]["Civil society"][-2:] == ["10", "80.0%"]


# ------------------------------------------------------------------------------------------------ first screen


def test_coverage_is_the_first_sentence_and_the_chart_follows_in_brief(anon_client, process, story):
    page, tree = read(anon_client, process)
    assert text(tree.xpath('//*[@data-testid="coverage"]')[0]) == "12 of 13 submissions have a disposition."
    assert page.count('data-testid="group-chart"') == 1
    brief, chart = page.index('data-testid="in-brief"'), page.index('data-testid="group-chart"')
    assert brief < chart < page.index('id="indicators"') < page.index('data-testid="group-table"')
    # The chart sits inside "In brief", before the time of its figures.
    assert tree.xpath('//*[@data-testid="in-brief"]//*[@data-testid="group-chart"]')
    assert chart < page.index('data-testid="figures-as-of"')


def test_a_published_report_says_why_every_submission_has_a_decision(anon_client, closed_process, organiser):
    process = closed_process
    version = import_document(process, organiser)
    submission = file_submission(process, make_user())
    disposition_reflect(
        submission=submission, actor=organiser, links=[LinkSpec(clause=version.clauses.get(eid="para_1"))]
    )
    page, _tree = read(anon_client, process)
    assert "1 of 1 submissions have a disposition." in page and "coverage-by-design" not in page
    snapshot_create(process=process, actor=organiser)
    _page, tree = read(anon_client, process)
    assert text(tree.xpath('//*[@data-testid="coverage"]')[0]) == (
        "1 of 1 submissions have a disposition. "
        "That is required: a report is published only once every submission has a decision."
    )
    assert not tree.xpath('//*[@data-testid="indicator-coverage"]')  # 100% by design: not a card


# ------------------------------------------------------------------------------------------------ the cards


def test_the_headline_cards_give_each_rate_with_its_n(anon_client, process, story):
    _page, tree = read(anon_client, process)
    grid = tree.xpath('//section[@id="indicators"]/div[contains(@class, "row")]')[0]
    keys = [
        element.get("data-testid") for element in grid.xpath(".//*[@data-testid]") if "card" in element.get("class", "")
    ]
    assert keys == [
        "indicator-uptake",
        "indicator-justified-exclusion",
        "indicator-reach",
        "indicator-responsiveness",
        "indicator-after-consultation-interaction",
    ]

    def shown(key: str) -> tuple[str, str, list[str]]:
        found = card(tree, key)
        value = text(found.xpath('.//*[contains(@class, "indicator-value")]')[0])
        n = [text(e) for e in found.xpath('.//*[@data-testid="indicator-n"]')]
        flags = [text(e) for e in found.xpath('.//*[@data-testid="small-n"]')]
        return value, (n or [""])[0], flags

    assert shown("uptake") == ("83.3%", "10 of 12 decided submissions reflected", [])
    assert shown("justified-exclusion") == (
        "100.0%",
        "2 of 2 views left out, on a legal or public-morality ground",
        [FEW_DECISIONS],
    )
    value, n, flags = shown("responsiveness")
    assert n.startswith("median of 12 decided submissions") and flags == []
    assert shown("after-consultation-interaction") == (
        "0.0%",
        "0 of 12 decided submissions got a reply from their submitters",
        [],
    )


def test_the_indices_are_behind_one_closed_details_under_plain_names(anon_client, process, story):
    _page, tree = read(anon_client, process)
    (details,) = tree.xpath('//details[@data-testid="evenness"]')
    assert details.get("open") is None  # closed until the reader asks
    assert text(details.xpath("./summary")[0]) == "How evenly the stakeholder groups took part and were heard"
    assert details.xpath("ancestor::section/@id") == ["indicators"]

    parity = card(details, "uptake-parity")
    assert text(parity.xpath(".//h3")[0]) == "Evenness of uptake across groups"
    assert text(parity.xpath('.//*[contains(@class, "indicator-value")]')[0]) == "0.80"  # 80% ÷ 100%
    assert text(parity.xpath('.//*[@data-testid="parity"]')[0]) == (
        "Least heard: Civil society, 80.0% of 10 decided. Most heard: Private sector, 100.0% of 2 decided."
    )
    assert parity.xpath('.//*[@data-testid="parity"]//bdi/text()') == ["Civil society", "Private sector"]
    assert [text(e) for e in parity.xpath('.//*[@data-testid="small-n"]')] == [
        "One of the two groups has few decisions: read this figure with care."
    ]
    assert "1.00 means equal" in text(parity)
    assert parity.xpath(".//a/@href") == ["/en/methodology/#uptake-parity"]

    balance = card(details, "participation-balance")
    shares = [10 / 13, 3 / 13]
    expected = -sum(p * math.log(p) for p in shares) / math.log(6)
    assert text(balance.xpath(".//h3")[0]) == "Evenness of participation across groups"
    assert text(balance.xpath('.//*[contains(@class, "indicator-value")]')[0]) == f"{expected:.2f}"
    assert text(balance.xpath('.//*[@data-testid="indicator-n"]')[0]) == "13 submissions across 6 stakeholder groups"
    assert "1.00 means every group filed as many" in text(balance)
    assert balance.xpath(".//a/@href") == ["/en/methodology/#participation-balance"]

    # Outside the click, no jargon: the technical names live in the details and the methodology.
    details.getparent().remove(details)
    main = text(tree.xpath("//main")[0])
    assert "parity" not in main.lower() and "balance" not in main.lower()


def test_the_methodology_gives_the_plain_names_and_the_small_n_rule(anon_client):
    page = anon_client.get(reverse("reports:methodology")).content.decode()
    assert "On the report, under “Evenness of uptake across groups”:" in page
    assert "On the report, under “Evenness of participation across groups”:" in page
    assert 'id="small-numbers"' in page and "Threshold: 10 decided submissions." in page


# ------------------------------------------------------------------------------------------------ by clause


def clause_rows(tree) -> dict[str, object]:
    (found,) = tree.xpath('//table[@data-testid="clause-table"]')
    return {row.xpath("./th/a/@href")[0].split("#")[1]: row for row in found.xpath("./tbody/tr")}


def test_each_clause_shows_a_snippet_of_its_text_and_its_submissions_by_group(anon_client, process, story):
    _page, tree = read(anon_client, process)
    rows = clause_rows(tree)
    first = rows["para_1"]
    (shown,) = first.xpath('.//*[@data-testid="clause-snippet"]')
    assert shown.get("dir") == "auto"
    assert text(shown) == snippet(LONG)
    assert text(shown).endswith("…") and len(text(shown)) <= 121 and LONG.startswith(text(shown)[:-1])
    assert LONG[len(text(shown)) - 1] == " "  # cut between two words
    # Clause 1 reflects 8 civil-society submissions and 1 of the private sector; clause 2, 2 of the private sector
    # (one of them also in clause 1); clause 3 none.
    assert text(first.xpath("./td")[0]) == "9"
    assert [text(li) for li in first.xpath('.//*[@data-testid="clause-groups"]/li')] == [
        "Private sector: 1",
        "Civil society: 8",
    ]
    assert first.xpath('.//*[@data-testid="clause-groups"]/li/bdi/text()') == ["Private sector", "Civil society"]
    second = rows["para_2"]
    assert text(second.xpath("./td")[0]) == "2"
    assert [text(li) for li in second.xpath('.//*[@data-testid="clause-groups"]/li')] == ["Private sector: 2"]
    assert text(second.xpath('.//*[@data-testid="clause-snippet"]')[0]) == "Organisers answer every submission."
    third = rows["para_3"]
    assert text(third.xpath("./td")[0]) == "0" and text(third.xpath("./td")[1]) == "None"
    # The references stay one click away, each linking to its trace page.
    (details,) = first.xpath(".//details")
    assert details.get("open") is None and text(details.xpath("./summary")[0]) == "Which submissions"
    assert len(details.xpath(".//a[contains(@href, '/submissions/')]")) == 9


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("Short.", "Short."),
        ("  Spaces\n and\tnew lines  ", "Spaces and new lines"),
        ("word " * 40, ("word " * 24).strip() + "…"),
        ("字" * 200, "字" * 120 + "…"),  # no spaces: cut at the length
        ("a" * 100 + " " + "b" * 50, "a" * 100 + "…"),
        ("a" * 30 + " " + "b" * 150, "a" * 30 + " " + "b" * 89 + "…"),  # a word that long is cut inside
    ],
)
def test_a_snippet_is_cut_after_a_whole_word(source, expected):
    assert snippet(source) == expected


def test_the_clause_counts_come_from_one_query_whatever_the_clauses(process, story):
    """The counts by group of a page of clauses are one aggregate (and one for the sample), never one per clause."""
    groups = [(group.pk, group.label) for group in process.groups.order_by("position")]
    clauses = list(story["version"].clauses.order_by("position"))
    cache.clear()
    with CaptureQueriesContext(connection) as one_clause:
        group_clause_links(process, clauses[:1], groups)
    cache.clear()
    with CaptureQueriesContext(connection) as every_clause:
        group_clause_links(process, clauses, groups)

    def reads(queries: CaptureQueriesContext) -> list[str]:
        # Not the cache's own (a table, in the embedded default) nor its savepoints.
        return [
            q["sql"]
            for q in queries.captured_queries
            if q["sql"].startswith("SELECT") and "trace_cache" not in q["sql"]
        ]

    assert len(reads(one_clause)) == len(reads(every_clause)) == 2
    assert any("COUNT(DISTINCT" in sql for sql in reads(every_clause))
