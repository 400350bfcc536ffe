"""The mapping report in a real browser: hand-computed indicators, tables, chart, filters, downloads and print.

One closed process is built through the real services with every outcome a submission can have,
decisions taken a known number of days after the close. Every expected number below is worked
out by hand from that table (see ``SUBMISSIONS`` and ``EXPECTED_*``), never read back from the
app's own code. Every page state is checked by the ``visitor`` (axe-core, CSP).
"""

from __future__ import annotations

import csv
import json
import math
import re
import statistics
from datetime import date, datetime, timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from openpyxl import load_workbook

from traceability.accounts.models import StakeholderKind as Kind
from traceability.consultations.models import Attribution, Process
from traceability.consultations.services import submission_withdraw
from traceability.dispositions.services import LinkSpec, disposition_exclude, disposition_reflect
from traceability.outcomes.models import Clause

from ..factories import file_submission, import_document, make_process, make_user

pytestmark = pytest.mark.browser

CODE = "MAP26"
PROVISION = "Data Protection Act 2019, section 25(2)"
JUSTIFICATION = "It calls for the public shaming of named critics."
WITHDRAWN_TEXT = "Words its author took back"
PAGE_SIZE = 10  # 12 submissions: the list has two pages, so there is pagination to hide in print

# key: (stakeholder group, country, organisation as typed, title). In receipt order.
SUBMISSIONS = {
    "cs_full": (Kind.CIVIL_SOCIETY, "KE", "Open Rights Lab", "Open formats for every document"),
    "cs_legal": (Kind.CIVIL_SOCIETY, "KE", "open rights lab", "Publish commenters' home addresses"),
    "cs_partial": (Kind.CIVIL_SOCIETY, "BR", "Favela Digital", "Plain-language summaries"),
    "cs_pending": (Kind.CIVIL_SOCIETY, "IN", "  Open Rights Lab ", "Translate into Swahili"),
    "ps_full": (Kind.PRIVATE_SECTOR, "DE", "Acme GmbH", "Equal weight for industry"),
    "ps_morality": (Kind.PRIVATE_SECTOR, "DE", "ACME GmbH", "Name and shame the critics"),
    "gov_changed": (Kind.GOVERNMENT, "BR", "Ministry of Communications", "Number every clause"),
    "gov_withdrawn": (Kind.GOVERNMENT, "JP", "Withdrawn Ministry", "Second thoughts"),
    "aca_pending": (Kind.ACADEMIA, "FR", "Sorbonne", "Cite peer-reviewed research"),
    "tc_full": (Kind.TECHNICAL_COMMUNITY, "KE", "Internet Society", "Stable anchors for clauses"),
    "tc_second": (Kind.TECHNICAL_COMMUNITY, "US", "Internet Society", "Machine-readable exports"),
    "tc_legal": (Kind.TECHNICAL_COMMUNITY, "US", "W3C", "Mandatory real-name registration"),
}
ORDER = list(SUBMISSIONS)
# Days after the close of each submission's FIRST decision (gov_changed is changed again at +20;
# ps_full was decided 2 days before the close, which counts as 0).
FIRST_DECISION_DAYS = {
    "cs_full": 2,
    "cs_legal": 4,
    "cs_partial": 10,
    "ps_full": -2,
    "ps_morality": 6,
    "gov_changed": 1,
    "tc_full": 3,
    "tc_second": 8,
    "tc_legal": 5,
}

# Worked out by hand from the table above. Active submissions: 12 - 1 withdrawn = 11.
# Reflected: cs_full, ps_full, tc_full, tc_second fully (4); cs_partial, gov_changed partly (2).
# Excluded: cs_legal, tc_legal (legal), ps_morality (public morality). Pending: cs_pending, aca_pending.
GROUP_COLUMNS = [
    "Submitted",
    "Reflected fully",
    "Reflected partly",
    "Excluded: legal",
    "Excluded: public morality",
    "Not taken up",
    "Pending",
    "Withdrawn",
    "Decided",
    "Uptake",
]
# A rate from fewer than 10 decisions is flagged: a star, and its words for a screen reader (a block in innerText).
FEW = "*\n(few decisions)"
EXPECTED_GROUPS = {  # decided = reflected + excluded; uptake = reflected / decided, every one of them on few
    "Government": ["1", "0", "1", "0", "0", "0", "0", "1", "1", "100.0%" + FEW],
    "Private sector": ["2", "1", "0", "0", "1", "0", "0", "0", "2", "50.0%" + FEW],
    "Civil society": ["4", "1", "1", "1", "0", "0", "1", "0", "3", "66.7%" + FEW],  # 2 / 3
    "Academia": ["1", "0", "0", "0", "0", "0", "1", "0", "0", "n/a"],
    "Technical community": ["3", "2", "0", "1", "0", "0", "0", "0", "3", "66.7%" + FEW],  # 2 / 3
    "International organisation": ["0", "0", "0", "0", "0", "0", "0", "0", "0", "n/a"],
    "All groups": ["11", "4", "2", "2", "1", "0", "2", "1", "9", "66.7%" + FEW],  # 6 / 9
}
# Per country, most submissions first, then by ISO code, then "Not disclosed": the submissions not shown by
# name are counted there, not under their country: aca_pending (France, group only), ps_morality (Germany,
# withheld) and gov_withdrawn (Japan, withdrawn; not among the submitted).
COUNTRY_COLUMNS = ["Submitted", "Reflected fully", "Reflected partly", "Left out", "Pending", "Decided", "Uptake"]
EXPECTED_COUNTRIES = {
    "Kenya": ["3", "2", "0", "1", "0", "3", "66.7%" + FEW],
    "Brazil": ["2", "0", "2", "0", "0", "2", "100.0%" + FEW],
    "United States of America": ["2", "1", "0", "1", "0", "2", "50.0%" + FEW],
    "Not disclosed": ["2", "0", "0", "1", "1", "1", "0.0%" + FEW],
    "Germany": ["1", "1", "0", "0", "0", "1", "100.0%" + FEW],
    "India": ["1", "0", "0", "0", "1", "0", "n/a"],
}
SUBMITTED_PER_GROUP = [1, 2, 4, 1, 3, 0]  # all six groups of the process, International organisation included
_entropy = -sum(n / 11 * math.log(n / 11) for n in SUBMITTED_PER_GROUP if n)
BALANCE = _entropy / math.log(6)  # 0.8194
MEDIAN_DAYS = statistics.median(max(0, d) for d in FIRST_DECISION_DAYS.values())  # 0,1,2,3,[4],5,6,8,10
FEW_DECISIONS = "Few decisions: read this rate with care."
# The headline cards: what a reader grasps at once, each rate with its n. Coverage is the first sentence instead
# (once published it is 100% by design), and the indices sit behind one click (EXPECTED_EVENNESS).
EXPECTED_CARDS = {  # key: (title, value, n, detail, flag): every rate here comes from fewer than 10 cases
    "uptake": ("Uptake", "66.7%", "6 of 9 decided submissions reflected", "fully 44.4%, partly 22.2%", FEW_DECISIONS),
    "justified-exclusion": (
        "Justified exclusion",
        "100.0%",
        "3 of 3 views left out, on a legal or public-morality ground",
        "",
        FEW_DECISIONS,
    ),
    # KE, BR, IN, DE, FR, US (not JP: withdrawn). Organisations ignoring case and spaces: Open Rights Lab,
    # Favela Digital, Acme GmbH, Ministry of Communications, Sorbonne, Internet Society, W3C.
    "reach": ("Reach", "6", "", "countries; 7 organisations", ""),
    "responsiveness": (
        "Responsiveness",
        "4.0 days",
        "median of 9 decided submissions, from the close of submissions to their first decision",
        "",
        FEW_DECISIONS,
    ),
    # Nobody answered back: no reply is 0%, never agreement; with no contest, the answered share is n/a.
    "after-consultation-interaction": (
        "After-consultation interaction",
        "0.0%",
        "0 of 9 decided submissions got a reply from their submitters",
        "0 contested (0.0%); 0 of 0 contests answered (n/a); median wait for an answer: n/a",
        FEW_DECISIONS,
    ),
}
EVENNESS = "How evenly the stakeholder groups took part and were heard"
EXPECTED_EVENNESS = {  # key: (plain title, value, n, detail, flag)
    # 0.5 / 1.0: Private sector 1 of 2, Government 1 of 1
    "uptake-parity": (
        "Evenness of uptake across groups",
        "0.50",
        "",
        "Least heard: Private sector, 50.0% of 2 decided. Most heard: Government, 100.0% of 1 decided.",
        "One of the two groups has few decisions: read this figure with care.",
    ),
    "participation-balance": (
        "Evenness of participation across groups",
        "0.82",
        "11 submissions across 6 stakeholder groups",
        "",
        "",
    ),
}
CHART_DESC = (
    "Government: 1 submission, 1 reflected partly. "
    "Private sector: 2 submissions, 1 reflected fully, 1 excluded: public morality. "
    "Civil society: 4 submissions, 1 reflected fully, 1 reflected partly, 1 excluded: legal, 1 pending. "
    "Academia: 1 submission, 1 pending. "
    "Technical community: 3 submissions, 2 reflected fully, 1 excluded: legal. "
    "International organisation: 0 submissions."
)
CHART_SEGMENT_COLUMNS = {
    "reflected fully": "Reflected fully",
    "reflected partly": "Reflected partly",
    "excluded: legal": "Excluded: legal",
    "excluded: public morality": "Excluded: public morality",
    "pending": "Pending",
}
XLSX_HEADER = [
    "Reference",
    "Stakeholder group",
    "Clause",
    "Comment",
    "Proposed change",
    "Decision",
    "Reason / how reflected",
    "Language of the comment",
]
# Printable width in CSS px (96 per inch) with the stylesheet's @page margins of 12 mm left and right.
PAPER_WIDTH_MM = {"A4": 210.0, "Letter": 215.9}
PAPER_POINTS = {"A4": (595, 842), "Letter": (612, 792)}


def printable_px(paper: str) -> int:
    return math.floor((PAPER_WIDTH_MM[paper] - 2 * 12) / 25.4 * 96)


@pytest.fixture
def report_case(db, settings):
    """A closed process whose submissions have every outcome, decided at known days after the close."""
    settings.TRACE_PAGE_SIZE = PAGE_SIZE
    organiser = make_user(kind=Kind.GOVERNMENT, display_name="Olu Organiser")
    process = make_process(phase="closed", code=CODE, organisers=(organiser,))
    # Closed long enough ago that every decision below lies in the past.
    now = timezone.now()
    Process.objects.filter(pk=process.pk).update(opens_at=now - timedelta(days=90), closes_at=now - timedelta(days=60))
    process.refresh_from_db()
    close = process.closes_at
    version = import_document(process, organiser)
    clause = {c.eid: c for c in Clause.objects.filter(version=version).select_related("version")}

    subs = {}
    for key, (kind, country, organisation, title) in SUBMISSIONS.items():
        author = make_user(kind=kind, country=country, organisation=organisation)
        extra = {"attribution": Attribution.GROUP} if key == "aca_pending" else {}
        text = WITHDRAWN_TEXT if key == "gov_withdrawn" else f"{title}, please."
        subs[key] = file_submission(process, author, title=title, text=text, **extra)
        if key == "gov_withdrawn":
            submission_withdraw(submission=subs[key], author=author, now=process.opens_at + timedelta(hours=1))

    def at(key: str):  # type: ignore[no-untyped-def]
        return close + timedelta(days=FIRST_DECISION_DAYS[key])

    def reflect(key: str, *links: tuple[str, str], now=None) -> None:  # type: ignore[no-untyped-def]
        specs = [LinkSpec(clause=clause[eid], extent=extent, note=f"Taken up in {eid}.") for eid, extent in links]
        disposition_reflect(submission=subs[key], actor=organiser, links=specs, now=now or at(key))

    def exclude(key: str, ground: str) -> None:
        reason = {"legal_provision": PROVISION} if ground == "legal" else {"justification": JUSTIFICATION}
        disposition_exclude(submission=subs[key], actor=organiser, ground=ground, now=at(key), **reason)

    reflect("cs_full", ("para_2", "full"), ("para_2__subpara_a", "partial"))
    exclude("cs_legal", "legal")
    reflect("cs_partial", ("para_3-1", "partial"))
    reflect("ps_full", ("para_3", "full"))
    exclude("ps_morality", "public_morality")
    exclude("gov_changed", "legal")  # first decision, day 1 ...
    reflect("gov_changed", ("para_2__subpara_b", "partial"), now=close + timedelta(days=20))  # ... changed
    reflect("tc_full", ("para_2", "full"))
    reflect("tc_second", ("para_1", "full"))
    exclude("tc_legal", "legal")
    return {"process": process, "subs": subs, "ref": {key: s.reference for key, s in subs.items()}}


# ------------------------------------------------------------------------------------------------ helpers


def report_path(case: dict) -> str:
    return f"/en/processes/{case['process'].slug}/report/"


def table_rows(visitor, testid: str) -> dict[str, list[str]]:
    """A report table as {first cell: [other cells]}, body and footer rows, in order."""
    rows = visitor.page.get_by_test_id(testid).locator("tbody tr, tfoot tr")
    script = "rows => rows.map(r => [...r.cells].map(c => c.innerText.trim()))"
    return {cells[0]: cells[1:] for cells in rows.evaluate_all(script)}


def listed(visitor) -> list[str]:
    """References in the submission list (an empty list shows one "No submission matches." row)."""
    return [r for r in table_rows(visitor, "submission-table") if r != "No submission matches."]


def card(visitor, key: str) -> dict[str, str]:
    locator = visitor.page.get_by_test_id(f"indicator-{key}")

    def first(selector: str) -> str:
        found = locator.locator(selector)
        return found.first.inner_text() if found.count() else ""

    return {
        "title": locator.get_by_role("heading").inner_text(),
        "value": locator.locator(".indicator-value").inner_text(),
        "n": first("[data-testid=indicator-n]"),
        "detail": first(".card-body > p.small:not([data-testid]), .card-body > [data-testid=parity]"),
        "flag": first("[data-testid=small-n]"),
    }


def expected_card(title: str, value: str, n: str, detail: str, flag: str) -> dict[str, str]:
    return {"title": title, "value": value, "n": n, "detail": detail, "flag": flag}


def open_evenness(visitor) -> None:
    """Open the indices' <details> (one click), if it is not open yet."""
    details = visitor.page.get_by_test_id("evenness")
    if not details.evaluate("d => d.open"):
        details.locator("summary").click()


def filter_submissions(visitor, **values: str) -> None:
    """Fill in the whole filter form (blank where not given) and submit it."""
    main = visitor.main()
    visitor.field("Search", main).fill(values.get("q", ""))
    for name, label in (
        ("group", "Stakeholder group"),
        ("country", "Country"),
        ("status", "Status"),
        ("ground", "Exclusion ground"),
        ("clause", "Reflected in clause"),
    ):
        visitor.field(label, main).select_option(value=values.get(name, ""))
    visitor.follow(main.get_by_role("button", name="Filter"))


def parse_iso(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def percent(numerator: int, denominator: int) -> str:
    return f"{numerator / denominator * 100:.1f}%" if denominator else "n/a"


def overflowing(page) -> list[str]:  # type: ignore[no-untyped-def]
    """Rendered elements whose right edge passes the viewport (print layout), as short descriptions."""
    return page.evaluate(
        """() => {
            const width = window.innerWidth;
            return [...document.querySelectorAll('body *')]
                .filter(e => e.getClientRects().length && e.getBoundingClientRect().right > width + 0.5)
                .map(e => {
                    const where = e.closest('[data-testid]')?.dataset.testid || e.closest('[id]')?.id;
                    const right = Math.round(e.getBoundingClientRect().right);
                    return `${e.tagName.toLowerCase()}.${[...e.classList].join('.')} in ${where}: right=${right}`;
                });
        }"""
    )


def broken_words(page) -> list[str]:  # type: ignore[no-untyped-def]
    """Words (letters and digits) of the main content that the layout split across two lines."""
    return page.evaluate(
        """() => {
            const broken = [];
            const walker = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT);
            while (walker.nextNode()) {
                const node = walker.currentNode;
                if (node.parentElement.closest('svg')) continue;
                for (const match of node.data.matchAll(/[\\p{L}\\p{N}]+/gu)) {
                    const range = document.createRange();
                    range.setStart(node, match.index);
                    range.setEnd(node, match.index + match[0].length);
                    const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
                    if (lines.size > 1) broken.push(match[0]);
                }
            }
            return broken;
        }"""
    )


def pdf_pages(data: bytes) -> int:
    assert data.startswith(b"%PDF-"), data[:20]
    assert data.rstrip().endswith(b"%%EOF")
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", data))


def pdf_media_box(data: bytes) -> tuple[float, float]:
    box = re.search(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", data)
    assert box, "the PDF has no page size"
    return float(box.group(1)), float(box.group(2))


# ------------------------------------------------------------------------------------------------ tests


def test_indicators_tables_chart_and_definitions(visitor, report_case, chromium, live_server):
    case = report_case
    page = visitor.page
    visitor.goto(f"/en/processes/{case['process'].slug}/")
    visitor.follow(visitor.main().get_by_role("link", name="Mapping report"))
    assert visitor.path == report_path(case)
    assert page.get_by_test_id("coverage").inner_text() == "9 of 11 submissions have a disposition."
    assert page.get_by_test_id("pending-gap").inner_text().startswith("2 submissions have no disposition yet.")

    # 1. The headline cards, each with the hand-computed value, its n and its flag; the chart is above them.
    assert f"{BALANCE:.2f}" == "0.82" and f"{MEDIAN_DAYS:.1f}" == "4.0"
    chart_top = page.locator("figure.chart").bounding_box()["y"]
    assert page.get_by_test_id("in-brief").bounding_box()["y"] < chart_top
    assert chart_top < page.locator("#indicators").bounding_box()["y"]
    cards = page.locator("#indicators section.indicator")
    expected_order = [*EXPECTED_CARDS, *EXPECTED_EVENNESS]
    assert cards.evaluate_all("cs => cs.map(c => c.dataset.testid)") == [f"indicator-{k}" for k in expected_order]
    for key, expected in EXPECTED_CARDS.items():
        assert card(visitor, key) == expected_card(*expected), key

    # Each card's definition opens (a plain <details>) and links to its section of the methodology.
    for key in EXPECTED_CARDS:
        details = page.get_by_test_id(f"indicator-{key}").locator("details")
        assert not details.locator("code").is_visible()
        details.locator("summary").click()
        assert details.evaluate("d => d.open") is True
        assert details.locator("code").is_visible()
        link = details.get_by_role("link")
        assert link.get_attribute("href") == f"/en/methodology/#{key}"

    # The indices are behind one click, under plain names, each read in one line and linked to the methodology.
    evenness = page.get_by_test_id("evenness")
    assert evenness.locator("summary").inner_text() == EVENNESS
    assert evenness.evaluate("d => d.open") is False
    assert not page.get_by_test_id("indicator-uptake-parity").is_visible()
    open_evenness(visitor)
    for key, expected in EXPECTED_EVENNESS.items():
        assert page.get_by_test_id(f"indicator-{key}").is_visible(), key
        assert card(visitor, key) == expected_card(*expected), key
        found = page.get_by_test_id(f"indicator-{key}")
        assert "1.00 means" in found.get_by_test_id("indicator-reading").inner_text()
        assert found.get_by_role("link").get_attribute("href") == f"/en/methodology/#{key}"
    visitor.check()  # axe with every definition open

    # 2. Per stakeholder group: the table, the parity sentence and the chart, which agree.
    header = page.get_by_test_id("group-table").locator("thead th").all_inner_texts()
    assert header == ["Stakeholder group", *GROUP_COLUMNS]
    groups = table_rows(visitor, "group-table")
    assert groups == EXPECTED_GROUPS
    note = "* A rate from fewer than 10 decided submissions: read it with care."
    assert page.get_by_test_id("group-table").get_by_test_id("small-n-note").inner_text() == note
    chart = page.locator("figure.chart [role='img']")
    assert chart.count() == 1
    labelled_by = chart.get_attribute("aria-labelledby").split()
    title = page.locator(f"[id='{labelled_by[0]}']")
    desc = page.locator(f"[id='{labelled_by[1]}']")
    assert title.text_content() == "How each stakeholder group's submissions were treated"
    description = " ".join(desc.text_content().split())
    assert description == CHART_DESC
    # Every number in the text alternative is the table's number.
    for sentence in description.rstrip(".").split(". "):
        name, rest = sentence.split(": ", 1)
        total, *segments = rest.split(", ")
        assert total.split()[0] == groups[name][0], sentence
        shown = {CHART_SEGMENT_COLUMNS[s.split(" ", 1)[1]]: s.split(" ", 1)[0] for s in segments}
        for column, value in zip(GROUP_COLUMNS[1:6], groups[name][1:6], strict=True):
            assert shown.get(column, "0") == value, (name, column)
    # One bar segment per non-zero cell, and each non-empty bar spans the full width.
    widths = chart.locator("rect[class^='seg-']").evaluate_all("rs => rs.map(r => +r.getAttribute('width'))")
    assert len(widths) == 10 and all(w > 0 for w in widths)
    assert math.isclose(sum(widths), 560 * 5, abs_tol=0.1)  # five groups have submissions

    # The country table: active submissions only (Japan's one was withdrawn).
    header = page.get_by_test_id("country-table").locator("thead th").all_inner_texts()
    assert header == ["Country", *COUNTRY_COLUMNS]
    countries = table_rows(visitor, "country-table")
    assert list(countries.items()) == list(EXPECTED_COUNTRIES.items())
    caption = page.get_by_test_id("country-table").locator("caption").inner_text()
    assert caption == (
        "Submitters from 6 countries, as each declared it when submitting. Submitters shown by stakeholder group "
        "only are counted under “Not disclosed”, not under their country.\n"
        "* A rate from fewer than 10 decided submissions: read it with care."
    )

    # Follow one definition's link to its anchor on the methodology page.
    balance = page.get_by_test_id("indicator-participation-balance")
    visitor.follow(balance.get_by_role("link", name="Participation balance in the methodology"))
    assert visitor.path == "/en/methodology/" and page.url.endswith("#participation-balance")
    assert page.evaluate("document.querySelector(':target').id") == "participation-balance"
    target = page.locator("section:target")
    assert target.get_by_role("heading", level=2).inner_text() == "Participation balance"
    assert target.locator("code").inner_text() == "−Σ pᵢ ln pᵢ ÷ ln k"
    assert "Evenness of participation across groups" in target.inner_text()
    for key in ("coverage", *EXPECTED_CARDS, *EXPECTED_EVENNESS):  # every card's anchor exists on the methodology page
        assert page.locator(f"section[id='{key}']").count() == 1, key

    # The definitions work without JavaScript: <details> is plain HTML, and the site ships no script.
    context = chromium.new_context(java_script_enabled=False, locale="en-GB")
    try:
        bare = context.new_page()
        assert bare.goto(live_server.url + report_path(case)).status == 200
        assert bare.locator("script").count() == 0
        details = bare.get_by_test_id("indicator-uptake").locator("details")
        details.locator("summary").click()
        assert details.locator("code").is_visible()
        assert details.locator("code").inner_text() == "reflected ÷ dispositioned (fully and partly also apart)"
        parity = bare.get_by_test_id("indicator-uptake-parity")
        assert not parity.is_visible()
        bare.get_by_test_id("evenness").locator("summary").click()
        assert parity.is_visible() and parity.locator(".indicator-value").inner_text() == "0.50"
    finally:
        context.close()


def test_filter_the_submission_list(visitor, report_case):
    case, ref = report_case, report_case["ref"]
    page = visitor.page
    visitor.goto(report_path(case))

    # Unfiltered: every submission, withdrawn one included, over two pages of ten.
    assert listed(visitor) == [ref[k] for k in ORDER[:PAGE_SIZE]]
    caption = page.get_by_test_id("submission-table").locator("caption")
    assert caption.inner_text() == "12 submissions"
    visitor.follow(page.get_by_role("navigation", name="Pages of submissions").get_by_role("link", name="Next"))
    assert listed(visitor) == [ref[k] for k in ORDER[PAGE_SIZE:]]

    # The clause filter offers the clauses of the document by their eIds.
    options = visitor.field("Reflected in clause").locator("option")
    assert options.evaluate_all("os => os.map(o => o.value)") == [
        "",
        "sec_1",
        "para_1",
        "para_2",
        "para_2__subpara_a",
        "para_2__subpara_b",
        "principles",
        "para_3",
        "para_3-1",
    ]

    def rows_for(**values: str) -> list[str]:
        filter_submissions(visitor, **values)
        rows = listed(visitor)
        expected = f"{len(rows)} matching submission" + ("" if len(rows) == 1 else "s")
        if {"country", "clause", "q"} & {name for name, value in values.items() if value}:
            # The indicators do not say how many match these filters, and the list never counts its rows.
            expected = "Matching submissions, in receipt order"
        assert caption.inner_text() == expected
        return rows

    # By country: Kenya. Japan's only submission is withdrawn, so no longer shown with its country: the
    # filter does not find it, and the list shows it without its title or country.
    assert rows_for(country="KE") == [ref["cs_full"], ref["cs_legal"], ref["tc_full"]]
    assert visitor.path.startswith(report_path(case) + "?") and "country=KE" in visitor.path
    assert visitor.field("Country").input_value() == "KE"  # the form keeps the chosen value
    assert rows_for(country="JP") == []
    assert rows_for(country="FR") == []  # aca_pending's author is shown by stakeholder group only
    assert rows_for(status="withdrawn") == [ref["gov_withdrawn"]]
    withdrawn = table_rows(visitor, "submission-table")[ref["gov_withdrawn"]]
    assert withdrawn == ["Withdrawn by its author", "Government", "—", "Withdrawn", "—"]
    assert "Second thoughts" not in visitor.main().inner_text()

    # By exclusion ground: gov_changed was once excluded on a legal ground, but is reflected now.
    assert rows_for(ground="legal") == [ref["cs_legal"], ref["tc_legal"]]
    assert table_rows(visitor, "submission-table")[ref["tc_legal"]][3:] == ["Excluded", f"Legal ground: {PROVISION}"]
    assert rows_for(ground="public_morality") == [ref["ps_morality"]]

    # By clause, by its eId.
    assert rows_for(clause="para_2") == [ref["cs_full"], ref["tc_full"]]
    assert rows_for(clause="para_2__subpara_b") == [ref["gov_changed"]]

    # By status.
    assert rows_for(status="pending") == [ref["cs_pending"], ref["aca_pending"]]
    assert rows_for(status="withdrawn") == [ref["gov_withdrawn"]]

    # By text (title or text, any case) and by reference; filters combine.
    assert rows_for(q="ANCHORS") == [ref["tc_full"]]
    assert rows_for(q=ref["ps_morality"]) == [ref["ps_morality"]]
    assert rows_for(country="KE", status="excluded") == [ref["cs_legal"]]

    # Values that are not choices: an empty list and the form's errors, never a server error.
    visitor.goto(report_path(case) + "?country=XX&clause=nope")
    assert listed(visitor) == []
    assert caption.inner_text() == "0 matching submissions"
    assert table_rows(visitor, "submission-table") == {"No submission matches.": []}
    country = visitor.field("Country")
    clause = visitor.field("Reflected in clause")
    assert "is-invalid" in country.get_attribute("class") and "is-invalid" in clause.get_attribute("class")
    errors = visitor.main().locator(".invalid-feedback").all_inner_texts()
    assert errors == [
        "Select a valid choice. XX is not one of the available choices.",
        "Select a valid choice. That choice is not one of the available choices.",
    ]
    # The rest of the report is intact.
    assert card(visitor, "uptake")["value"] == "66.7%"
    assert table_rows(visitor, "group-table") == EXPECTED_GROUPS
    visitor.follow(visitor.main().get_by_role("link", name="Clear the filters"))
    assert listed(visitor) == [ref[k] for k in ORDER[:PAGE_SIZE]]


def test_downloads_agree_with_the_page(visitor, report_case, tmp_path):
    case, ref = report_case, report_case["ref"]
    page = visitor.page
    visitor.goto(report_path(case))
    open_evenness(visitor)
    cards = {key: card(visitor, key) for key in [*EXPECTED_CARDS, *EXPECTED_EVENNESS]}
    coverage_sentence = page.get_by_test_id("coverage").inner_text()
    groups = table_rows(visitor, "group-table")
    downloads = page.locator("#downloads")

    def download(name: str):  # type: ignore[no-untyped-def]
        with page.expect_download() as info:
            downloads.get_by_role("link", name=name).click()
        path = tmp_path / info.value.suggested_filename
        info.value.save_as(path)
        return path

    # The full mapping as CSV: one row per (submission, clause link), per exclusion, pending and withdrawn.
    csv_path = download("Full mapping, CSV")
    assert csv_path.name == f"{CODE}-mapping.csv"
    with csv_path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames
        rows = list(reader)
    used = {"reference", "stakeholder_group", "country", "organisation", "status", "extent"}
    used |= {"ground", "citation_or_justification", "first_decided_at", "link_extent", "clause_eid", "title", "text"}
    assert header[:2] == ["reference", "number"] and used <= set(header) and "submission_id" not in header
    links = {"cs_full": 2}  # cs_full is reflected in two clauses; every other submission has one row
    assert [r["reference"] for r in rows] == [ref[k] for k in ORDER for _ in range(links.get(k, 1))]
    by_ref = {}
    for row in rows:
        by_ref.setdefault(row["reference"], []).append(row)
    assert [r["clause_eid"] for r in by_ref[ref["cs_full"]]] == ["para_2", "para_2__subpara_a"]
    assert [r["link_extent"] for r in by_ref[ref["cs_full"]]] == ["full", "partial"]
    (withdrawn,) = by_ref[ref["gov_withdrawn"]]
    assert withdrawn["status"] == "withdrawn" and withdrawn["withdrawn_at"]
    assert withdrawn["title"] == "" and withdrawn["text"] == "" and withdrawn["proposed_change"] == ""
    assert WITHDRAWN_TEXT not in csv_path.read_text(encoding="utf-8")
    (excluded,) = by_ref[ref["cs_legal"]]
    assert (excluded["status"], excluded["ground"], excluded["citation_or_justification"]) == (
        "excluded",
        "legal",
        PROVISION,
    )
    assert excluded["clause_eid"] == ""
    (pending,) = by_ref[ref["aca_pending"]]
    assert pending["status"] == "pending" and pending["first_decided_at"] == ""
    assert pending["organisation"] == ""  # its author chose to be shown by stakeholder group only

    # Recompute the per-group table from the CSV's rows: one outcome per submission.
    outcome = {row["reference"]: row for row in rows}
    recomputed: dict[str, list[int]] = {}
    for row in outcome.values():
        counts = recomputed.setdefault(row["stakeholder_group"], [0] * 8)
        status, extent, ground = row["status"], row["extent"], row["ground"]
        column = {
            ("reflected", "full", ""): 1,
            ("reflected", "partial", ""): 2,
            ("excluded", "", "legal"): 3,
            ("excluded", "", "public_morality"): 4,
            ("not_taken_up", "", ""): 5,
            ("pending", "", ""): 6,
            ("withdrawn", "", ""): 7,
        }[(status, extent, ground)]
        counts[column] += 1
        counts[0] += status != "withdrawn"
    for name, counts in recomputed.items():
        reflected, excluded_n = counts[1] + counts[2], counts[3] + counts[4] + counts[5]
        decided_n = reflected + excluded_n
        uptake = percent(reflected, decided_n) + (FEW if 0 < decided_n < 10 else "")
        assert groups[name] == [*map(str, counts), str(decided_n), uptake], name
    active = [row for row in outcome.values() if row["status"] != "withdrawn"]
    decided = [row for row in active if row["status"] in ("reflected", "excluded")]
    assert coverage_sentence == f"{len(decided)} of {len(active)} submissions have a disposition."
    reflected_n = sum(row["status"] == "reflected" for row in decided)
    assert cards["uptake"]["value"] == percent(reflected_n, len(decided))
    # Hidden countries and organisations are not in the download, so it can only show a lower bound of the
    # reach: France is aca_pending's, whose author is shown by stakeholder group only.
    assert len({row["country"] for row in active if row["country"]}) == 5 and cards["reach"]["value"] == "6"
    public_organisations = {row["organisation"].strip().lower() for row in active if row["organisation"]}
    assert len(public_organisations) == 6 and cards["reach"]["detail"] == "countries; 7 organisations"

    # The same rows as JSON; its header gives the close, from which responsiveness is recomputed.
    json_path = download("Full mapping, JSON")
    mapping = json.loads(json_path.read_text(encoding="utf-8"))
    assert mapping["columns"] == header
    assert [r["reference"] for r in mapping["rows"]] == [r["reference"] for r in rows]
    (withdrawn_json,) = [r for r in mapping["rows"] if r["status"] == "withdrawn"]
    assert withdrawn_json["title"] is None and withdrawn_json["text"] is None
    # Dates to the day (UTC): whole calendar days from the day of the close.
    closes_on = parse_iso(mapping["process"]["closes_at"]).date()
    first_decisions = {r["reference"]: r["first_decided_at"] for r in mapping["rows"] if r["first_decided_at"]}
    days = [max(0, (date.fromisoformat(t) - closes_on).days) for t in first_decisions.values()]
    assert len(days) == 9
    assert f"{statistics.median(days):.1f}" + " days" == cards["responsiveness"]["value"] == "4.0 days"

    # report.json holds the same indicators as the cards.
    response = page.request.get(visitor.url(f"/en/processes/{case['process'].slug}/report/report.json"))
    assert response.ok and response.headers["content-type"].startswith("application/json")
    document = response.json()
    indicators = document["indicators"]
    coverage, uptake = indicators["coverage"], indicators["uptake"]
    assert coverage_sentence.startswith(f"{coverage['numerator']} of {coverage['denominator']} submissions")
    assert (coverage["numerator"], coverage["denominator"]) == (9, 11)
    assert cards["uptake"]["value"] == f"{uptake['value'] * 100:.1f}%"
    full, partial = indicators["uptake_full"]["value"], indicators["uptake_partial"]["value"]
    assert cards["uptake"]["detail"] == f"fully {full * 100:.1f}%, partly {partial * 100:.1f}%"
    justified = indicators["justified_exclusion"]
    assert cards["justified-exclusion"]["value"] == f"{justified['value'] * 100:.1f}%"
    assert cards["justified-exclusion"]["n"] == (
        "{numerator} of {denominator} views left out, on a legal or public-morality ground".format(**justified)
    )
    parity = indicators["uptake_parity"]
    assert cards["uptake-parity"]["value"] == f"{parity['value']:.2f}"
    assert (parity["lowest_group"], parity["highest_group"]) == ("Private sector", "Government")
    balance = indicators["participation_balance"]
    assert cards["participation-balance"]["value"] == f"{balance['value']:.2f}"
    assert balance["groups"] == 6 and math.isclose(balance["value"], BALANCE)
    assert cards["participation-balance"]["n"] == f"11 submissions across {balance['groups']} stakeholder groups"
    submitted = [g["submitted"] for g in document["groups"]]
    assert submitted == SUBMITTED_PER_GROUP
    assert indicators["reach"] == {"countries": 6, "organisations": 7}
    assert cards["responsiveness"]["value"] == f"{indicators['responsiveness']['median_days']:.1f} days"
    assert indicators["responsiveness"]["decided"] == 9
    fields = ("submitted", "reflected_full", "reflected_partial", "excluded_legal", "excluded_morality")
    fields += ("not_taken_up", "pending", "withdrawn")
    for group in document["groups"]:
        assert groups[group["name"]][:8] == [str(group[field]) for field in fields], group["name"]
    link_rows = sum(1 for r in rows if r["clause_eid"])
    assert sum(c["reflected"] for c in document["clauses"]) == link_rows == 7

    # The disposition of comments: a header and one row per submission.
    xlsx_path = download("Disposition of comments, spreadsheet")
    assert xlsx_path.name == f"{CODE}-disposition-of-comments.xlsx"
    book = load_workbook(xlsx_path, read_only=True)
    try:
        sheet_rows = list(book.worksheets[0].iter_rows(values_only=True))
    finally:
        book.close()
    assert list(sheet_rows[0]) == XLSX_HEADER
    assert len(sheet_rows) == 1 + len(ORDER)
    assert [r[0] for r in sheet_rows[1:]] == [ref[k] for k in ORDER]
    decisions = {r[0]: r[5] for r in sheet_rows[1:]}
    assert decisions[ref["gov_withdrawn"]] == "Withdrawn" and decisions[ref["aca_pending"]] == "Pending"
    withdrawn_row = sheet_rows[1 + ORDER.index("gov_withdrawn")]
    assert withdrawn_row[3] in (None, "")


def test_report_prints_on_a4_and_letter(visitor, report_case, tmp_path):
    case = report_case
    page = visitor.page
    visitor.goto(report_path(case))
    main = visitor.main()
    print_line = main.locator(".print-only").first
    screen_only = {
        "site header": page.locator("body > header"),
        "breadcrumb": main.get_by_role("navigation", name="Breadcrumb"),
        "section navigation": main.get_by_role("navigation", name="Report sections"),
        "filter form": main.get_by_role("form", name="Filter submissions"),
        "pagination": main.locator(".pagination"),
        "downloads": main.locator("#downloads"),
        "footer": page.locator("body > footer"),
    }
    for name, locator in screen_only.items():
        assert locator.count() == 1 and locator.is_visible(), name
    assert print_line.is_hidden()

    page.emulate_media(media="print")
    for name, locator in screen_only.items():
        assert locator.is_hidden(), f"{name} is shown in print"
    assert print_line.is_visible()
    # The site's own address (SITE_URL), whichever host served the page: a kept page is the same for every reader.
    printed = f"Printed from {settings.SITE_URL}{report_path(case)}; figures as of "
    assert print_line.inner_text().startswith(printed)
    for testid in ("group-table", "country-table", "submission-table", "clause-table", "indicator-uptake"):
        assert page.get_by_test_id(testid).is_visible(), testid
    # The indices, behind one click on screen, are printed: paper has no click.
    for key in EXPECTED_EVENNESS:
        assert page.get_by_test_id(f"indicator-{key}").is_visible(), key
    assert page.locator("figure.chart [role='img']").is_visible()
    visitor.check()  # axe in print media as well

    for paper in ("A4", "Letter"):
        width = printable_px(paper)
        page.set_viewport_size({"width": width, "height": 1000})
        assert page.evaluate("window.innerWidth") == width
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= width, f"{paper}: {scroll_width}px > {width}px: {overflowing(page)[:8]}"
        assert overflowing(page) == [], paper
        # Three indicator cards side by side (two for the indices), none cut: each fits its column.
        too_narrow = page.locator(".indicator").evaluate_all(
            "cs => cs.filter(c => c.scrollWidth > c.clientWidth + 1).map(c => c.dataset.testid)"
        )
        assert too_narrow == [], paper
        assert broken_words(page) == [], paper

        path = tmp_path / f"report-{paper}.pdf"
        data = page.pdf(format=paper, path=path)
        assert path.stat().st_size == len(data)
        pages = pdf_pages(data)
        assert 1 <= pages <= 8, f"{paper}: {pages} pages"
        box = pdf_media_box(data)
        assert all(abs(got - want) < 2 for got, want in zip(box, PAPER_POINTS[paper], strict=True)), (paper, box)

    page.emulate_media(media="screen")
    assert print_line.is_hidden() and screen_only["filter form"].is_visible()


def test_a_download_being_built_says_so_in_an_accessible_page_without_scripts(visitor, report_case, settings):
    # A real queue, with no worker: the spreadsheet stays "being built". No timed refresh (WCAG 2.2.1, which axe
    # checks on every page): the reader tries again with the link.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": settings.TASK_QUEUES}}
    case = report_case
    visitor.goto(report_path(case))
    visitor.follow(
        visitor.page.locator("#downloads").get_by_role("link", name="Disposition of comments, spreadsheet"), status=202
    )
    assert visitor.main().get_by_role("status").inner_text().startswith("Building the spreadsheet: 0%")
    visitor.follow(visitor.main().get_by_role("link", name="Try again"), status=202)
    visitor.follow(visitor.main().get_by_role("link", name="Back to the report"))


def test_after_a_decision_the_figures_read_before_it_say_so_on_a_phone(visitor, report_case, queued_tasks):
    """While the worker counts again after a decision (it has not run: tasks wait in the queue), the figures by
    clause and the after-consultation interaction are those read before it, each with its age and what to do; the
    page passes axe and the Nu checker with those notes (``goto``) and still fits a 320 px screen."""
    page = visitor.page
    page.set_viewport_size({"width": 320, "height": 800})
    path = report_path(report_case)
    visitor.goto(path)  # the first reading: made at once, current
    notes = ("indicator-as-of", "interaction-as-of", "clause-table-as-of")
    assert all(page.get_by_test_id(note).count() == 0 for note in notes)

    process = report_case["process"]
    clause = Clause.objects.filter(version__process=process, eid="para_1").first()
    disposition_reflect(
        submission=report_case["subs"]["aca_pending"], actor=process.organisers.first(), links=[LinkSpec(clause=clause)]
    )
    visitor.goto(path)
    for note in notes:
        text = page.get_by_test_id(note).inner_text()
        assert "being counted. Reload the page in a moment to see them." in text, note
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert queued_tasks.results  # the counting again waits for the worker


@pytest.mark.parametrize("width", [320, 390])
def test_on_a_phone_the_report_and_its_pages_pass_axe_and_page_links_land_on_the_list(
    visitor, report_case, width, settings
):
    """Tables wider than a phone scroll inside their own box, which the keyboard can reach (axe's
    scrollable-region-focusable, seen only at phone widths); the page never scrolls sideways; each page of the list
    opens on the list, not on the filters above it."""
    settings.TRACE_PAGE_SIZE = 5
    page = visitor.page
    page.set_viewport_size({"width": width, "height": 800})
    path = report_path(report_case)
    for query in ("", "?after=5", "?last=1", "?status=reflected", "?after=zzz", "?status=reflected&page=9"):
        visitor.goto(path + query)  # axe, at this width
        assert page.evaluate("document.documentElement.scrollWidth") <= width, query
    visitor.goto(path)
    visitor.follow(page.locator("a[rel=next]").first)
    assert visitor.path.endswith("after=5") and page.url.endswith("#submission-list")
    # The list, not the filter form, comes to the top of the screen (Bootstrap scrolls there smoothly).
    top = None
    for _ in range(40):
        top = page.locator("#submission-list").evaluate("e => e.getBoundingClientRect().top")
        if abs(top) < 5:
            break
        page.wait_for_timeout(50)
    assert abs(top) < 5, top
    # An empty filtered page offers no Previous/Next that only lead to each other.
    visitor.goto(path + "?status=not_taken_up&page=9")
    assert page.locator("a[rel=prev], a[rel=next], a[rel=last]").count() == 0
    for region in page.locator(".table-responsive").all():
        assert region.get_attribute("tabindex") == "0" and region.get_attribute("aria-labelledby")
