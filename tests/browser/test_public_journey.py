"""An anonymous visitor reads the mapping report of a process and follows one submission's trace."""

from __future__ import annotations

from datetime import timedelta

import pytest

from traceability.accounts.models import StakeholderKind
from traceability.consultations.services import submission_withdraw
from traceability.dispositions.services import LinkSpec, disposition_exclude, disposition_reflect
from traceability.outcomes.models import Clause

from ..factories import file_submission, import_document, make_process, make_user

pytestmark = pytest.mark.browser

PROVISION = "Data Protection Act 2019, section 25(2)"
JUSTIFICATION = "It calls for the public shaming of named individuals."
COLUMNS = ["Submitted", "Reflected fully", "Reflected partly", "Excluded: legal", "Excluded: public morality"]
COLUMNS += ["Not taken up", "Pending", "Withdrawn", "Decided", "Uptake"]
# A rate from fewer than 10 decisions: a star, and its words for a screen reader (a block of its own in innerText).
FEW = "*\n(few decisions)"
# The report's submissions, in receipt order.
IN_ORDER = [
    "civil_full",
    "civil_legal",
    "private_partial",
    "private_morality",
    "academia_pending",
    "government_withdrawn",
]


@pytest.fixture
def report_data(db):
    """A closed process with every kind of outcome, built through the real services."""
    organiser = make_user(kind=StakeholderKind.GOVERNMENT, display_name="Olu Organiser")
    process = make_process(phase="closed", code="WSIS20", organisers=(organiser,))
    version = import_document(process, organiser)
    clause = {c.eid: c for c in Clause.objects.filter(version=version).select_related("version")}

    def author(kind: str):  # type: ignore[no-untyped-def]
        return make_user(kind=kind)

    civil_full = file_submission(process, author(StakeholderKind.CIVIL_SOCIETY), title="Open formats")
    civil_legal = file_submission(process, author(StakeholderKind.CIVIL_SOCIETY), title="Publish commenters' data")
    private_partial = file_submission(process, author(StakeholderKind.PRIVATE_SECTOR), title="Equal weight")
    private_morality = file_submission(process, author(StakeholderKind.PRIVATE_SECTOR), title="Name and shame")
    academia_pending = file_submission(process, author(StakeholderKind.ACADEMIA), title="Cite research")
    government_author = author(StakeholderKind.GOVERNMENT)
    government_withdrawn = file_submission(process, government_author, title="Second thoughts")
    submission_withdraw(
        submission=government_withdrawn, author=government_author, now=process.opens_at + timedelta(hours=1)
    )

    disposition_reflect(
        submission=civil_full,
        actor=organiser,
        links=[
            LinkSpec(clause=clause["para_2"], extent="full"),
            LinkSpec(clause=clause["para_2__subpara_a"], extent="partial", note="Open format, not CSV."),
        ],
    )
    disposition_exclude(submission=civil_legal, actor=organiser, ground="legal", legal_provision=PROVISION)
    disposition_reflect(
        submission=private_partial,
        actor=organiser,
        links=[LinkSpec(clause=clause["para_3-1"], extent="partial", note="For the listed groups.")],
    )
    disposition_exclude(
        submission=private_morality, actor=organiser, ground="public_morality", justification=JUSTIFICATION
    )
    return {
        "process": process,
        "clause": clause,
        "civil_full": civil_full,
        "civil_legal": civil_legal,
        "private_partial": private_partial,
        "private_morality": private_morality,
        "academia_pending": academia_pending,
        "government_withdrawn": government_withdrawn,
    }


def table_rows(visitor, testid: str) -> dict[str, list[str]]:
    """A report table as {first cell: [other cells]}, body and footer rows."""
    rows = visitor.page.get_by_test_id(testid).locator("tbody tr, tfoot tr")
    result = {}
    for cells in rows.evaluate_all("rows => rows.map(r => [...r.cells].map(c => c.innerText.trim()))"):
        result[cells[0]] = cells[1:]
    return result


def test_public_reads_the_report_and_a_trace(visitor, report_data):
    data = report_data
    process = data["process"]
    slug = process.slug
    page = visitor.page
    document_path = f"/en/processes/{slug}/document/"

    visitor.goto(f"/en/processes/{slug}/")
    visitor.follow(visitor.main().get_by_role("link", name="Mapping report"))
    assert visitor.path == f"/en/processes/{slug}/report/"
    assert page.get_by_test_id("coverage").inner_text() == "4 of 5 submissions have a disposition."
    assert page.get_by_test_id("pending-gap").inner_text().startswith("1 submission has no disposition yet.")

    # Per stakeholder group, with the right numbers.
    header = page.get_by_test_id("group-table").locator("thead th").all_inner_texts()
    assert header == ["Stakeholder group", *COLUMNS]
    groups = table_rows(visitor, "group-table")
    expected = {  # counts, decided, then uptake: reflected / decided, flagged on so few decisions
        "Government": ["0", "0", "0", "0", "0", "0", "0", "1", "0", "n/a"],
        "Private sector": ["2", "0", "1", "0", "1", "0", "0", "0", "2", "50.0%" + FEW],
        "Civil society": ["2", "1", "0", "1", "0", "0", "0", "0", "2", "50.0%" + FEW],
        "Academia": ["1", "0", "0", "0", "0", "0", "1", "0", "0", "n/a"],
        "Technical community": ["0", "0", "0", "0", "0", "0", "0", "0", "0", "n/a"],
        "International organisation": ["0", "0", "0", "0", "0", "0", "0", "0", "0", "n/a"],
        "All groups": ["5", "1", "1", "1", "1", "0", "1", "1", "4", "50.0%" + FEW],
    }
    assert groups == expected

    # By submission: status and where each went, with clause labels linking to the document.
    submissions = table_rows(visitor, "submission-table")
    assert list(submissions) == [data[key].reference for key in IN_ORDER]
    assert submissions[data["civil_full"].reference][3:] == ["Reflected", "2 (Fully), 2(a) (Partly)"]
    assert submissions[data["private_partial"].reference][3:] == ["Reflected", "3.1 (Partly)"]
    assert submissions[data["civil_legal"].reference][3:] == ["Excluded", f"Legal ground: {PROVISION}"]
    assert submissions[data["private_morality"].reference][3:] == ["Excluded", f"Public morality: {JUSTIFICATION}"]
    assert submissions[data["academia_pending"].reference][3:] == ["Pending", "Awaiting a decision"]
    # Withdrawn: no longer shown by name, so without its title and without its author's country.
    withdrawn = ["Withdrawn by its author", "Government", "—", "Withdrawn", "—"]
    assert submissions[data["government_withdrawn"].reference] == withdrawn
    assert "Second thoughts" not in visitor.main().inner_text()
    row = page.get_by_test_id("submission-table").get_by_role("row").filter(has_text=data["civil_full"].reference)
    hrefs = row.get_by_role("link").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    # Clause labels link into the version the report is computed against.
    assert hrefs[1:] == [f"{document_path}?version=1#para_2", f"{document_path}?version=1#para_2__subpara_a"]

    # By clause: every clause is listed, including those that reflect nothing, with the start of its text, its
    # submissions reflected and how many of each group; the references are one click away.
    clause_table = page.get_by_test_id("clause-table")
    clause_rows = clause_table.locator("tbody tr")
    assert clause_rows.count() == len(data["clause"])
    by_eid = {}
    for eid, snippet, total, groups in clause_rows.evaluate_all(
        """rows => rows.map(r => [
            r.querySelector('th a').hash.slice(1),
            r.querySelector('[data-testid=clause-snippet]')?.innerText.trim() ?? '',
            r.cells[1].innerText.trim(),
            [...r.querySelectorAll('[data-testid=clause-groups] li')].map(li => li.innerText.trim()),
        ])"""
    ):
        by_eid[eid] = (snippet, total, groups)
    assert by_eid["para_2"] == ("Organisers publish the outcome document.", "1", ["Civil society: 1"])
    assert by_eid["para_2__subpara_a"] == ("in an open format;", "1", ["Civil society: 1"])
    assert by_eid["para_3-1"] == ("Equal weight for every group.", "1", ["Private sector: 1"])
    assert by_eid["para_2__subpara_b"] == ("with every clause addressable.", "0", [])
    assert by_eid["principles"] == ("", "0", [])
    para_2 = clause_rows.filter(has=page.locator("th a[href$='#para_2']"))
    assert para_2.locator("td").nth(1).inner_text().strip() == "Civil society: 1\nWhich submissions"
    para_2.locator("summary").click()
    assert para_2.locator("details p").inner_text() == f"Civil society: {data['civil_full'].reference} (Fully)"

    # Follow a clause label to the document: the address names the clause, which exists there.
    visitor.follow(row.get_by_role("link", name="2(a)", exact=True))
    assert page.url.endswith(f"{document_path}?version=1#para_2__subpara_a")
    target = page.locator("[id='para_2__subpara_a']")
    assert target.count() == 1 and target.is_visible()
    assert "in an open format;" in target.inner_text()
    assert page.evaluate("document.querySelector(':target').id") == "para_2__subpara_a"
    page.go_back()
    page.wait_for_load_state()
    assert visitor.path == f"/en/processes/{slug}/report/"
    visitor.check()

    # Filter by status.
    visitor.field("Status").select_option(label="Excluded")
    visitor.follow(visitor.main().get_by_role("button", name="Filter"))
    assert visitor.path == (
        f"/en/processes/{slug}/report/?q=&group=&country=&status=excluded&ground=&clause=&round=&written_in="
    )
    assert list(table_rows(visitor, "submission-table")) == [
        data["civil_legal"].reference,
        data["private_morality"].reference,
    ]
    assert "2 matching submissions" in page.get_by_test_id("submission-table").locator("caption").inner_text()
    # The group counts do not change with the filter.
    assert table_rows(visitor, "group-table")["All groups"] == expected["All groups"]
    visitor.field("Status").select_option(label="Pending")
    visitor.follow(visitor.main().get_by_role("button", name="Filter"))
    assert list(table_rows(visitor, "submission-table")) == [data["academia_pending"].reference]

    # One submission's trace: how it was treated and its history.
    visitor.field("Status").select_option(label="Excluded")
    visitor.follow(visitor.main().get_by_role("button", name="Filter"))
    excluded = data["civil_legal"]
    visitor.follow(page.get_by_test_id("submission-table").get_by_role("link", name=excluded.reference))
    assert visitor.path == f"/en/processes/{slug}/submissions/{excluded.reference}/"
    main = visitor.main()
    assert main.get_by_role("heading", level=1).inner_text() == f"{excluded.reference}: Publish commenters' data"
    assert "Excluded on this ground: Legal ground" in main.inner_text()
    assert main.locator("blockquote").inner_text() == PROVISION
    history = main.get_by_test_id("history").locator("> li")
    assert history.count() == 1
    assert f"Organiser · Decision: excluded on Legal ground: {PROVISION}" in history.inner_text()
    assert history.locator("time").get_attribute("datetime")

    # A reflected submission's trace links to its clauses.
    visitor.goto(data["private_partial"].get_absolute_url())
    main = visitor.main()
    assert "Clause 3.1 of Zero draft (Partly): For the listed groups." in main.inner_text()
    link = main.get_by_role("link", name="Clause 3.1 of Zero draft")
    assert link.get_attribute("href") == f"{document_path}?version=1#para_3-1"
    assert "Organiser · Decision: reflected in\nclause 3.1 of Zero draft (Partly)" in main.inner_text()
