"""A new version of the outcome document, in the browser: an organiser imports revision 1 as a Word file,
corrects one proposed match, adopts it and re-confirms the suspect links with the keyboard alone; the public
reads the redline and the trace page of a submission whose clause was renumbered."""

from __future__ import annotations

import io
from pathlib import Path
from urllib.parse import urlsplit

import docx
import pytest

from traceability.accounts.models import StakeholderKind
from traceability.consultations.models import SubmissionStatus
from traceability.dispositions.models import DecisionRevision, RevisionChange
from traceability.dispositions.selectors import reconfirm_queue
from traceability.dispositions.services import LinkSpec, disposition_reflect, link_reconfirm, version_adopt
from traceability.outcomes.docx import docx_to_text
from traceability.outcomes.models import DocumentVersion
from traceability.outcomes.services import match_correct, version_import

from ..factories import file_submission, make_process, make_user
from ..test_versions import BASE, NEW, P1, P2, P3, P5

pytestmark = pytest.mark.browser

NARROW = 320  # px: the narrowest phone the pages must fit without scrolling sideways

# Revision 1: a new paragraph at the top renumbers the others; paragraph 2 is reworded (ninety days become
# sixty, and answers are published); paragraph 4 is rewritten so heavily that the matcher sees a new clause
# and a removed one; paragraph 3 keeps its words and only becomes 4.
P2_REWORDED = P2.replace("within ninety days", "within sixty days").replace(
    "consultation.", "consultation, and publish every answer."
)
P4_REWRITTEN = "Every two years an external auditor, not a panel, reviews what was decided and why."
REVISION_1 = (NEW, P1, P2_REWORDED, P3, P4_REWRITTEN, P5)


def revision_docx(path: Path | None = None) -> bytes:
    """Revision 1 as a real Word document: a "Heading 1" section and typed paragraph numbers."""
    document = docx.Document()
    document.add_heading("1. Principles", level=1)
    for number, text in enumerate(REVISION_1, start=1):
        document.add_paragraph(f"{number}. {text}")
    buffer = io.BytesIO()
    document.save(buffer)
    if path is not None:
        path.write_bytes(buffer.getvalue())
    return buffer.getvalue()


@pytest.fixture
def decided(db):
    """An open process with a zero draft of five paragraphs and three submissions reflected in 2, 3 and 4."""
    organiser = make_user(kind=StakeholderKind.GOVERNMENT, display_name="Olu Organiser")
    process = make_process(phase="open", code="WSIS30", organisers=(organiser,))
    draft = version_import(process=process, source=BASE, label="Zero draft", created_by=organiser)

    def reflected(kind: str, title: str, label: str):  # type: ignore[no-untyped-def]
        submission = file_submission(process, make_user(kind=kind), title=title)
        disposition_reflect(
            submission=submission,
            actor=organiser,
            links=[LinkSpec(clause=draft.clauses.get(label=label), extent="full")],
        )
        return submission

    return {
        "organiser": organiser,
        "process": process,
        "draft": draft,
        "answers": reflected(StakeholderKind.CIVIL_SOCIETY, "Written answers", "2"),  # reworded: suspect
        "weight": reflected(StakeholderKind.ACADEMIA, "Equal weight", "3"),  # renumbered only: stays confirmed
        "review": reflected(StakeholderKind.PRIVATE_SECTOR, "Independent review", "4"),  # rewritten: suspect
    }


def assert_fits(visitor, width: int = NARROW) -> None:  # type: ignore[no-untyped-def]
    """At ``width`` px the page scrolls only downwards, and passes the page checks there too."""
    page = visitor.page
    page.set_viewport_size({"width": width, "height": 800})
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    wide = page.evaluate(
        """(width) => [...document.querySelectorAll('body *')]
            .filter(e => e.getClientRects().length && e.getBoundingClientRect().right > width + 0.5)
            .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + '.' + [...e.classList].join('.'))""",
        width,
    )
    assert scroll_width <= width, f"{visitor.path}: {scroll_width}px wide at {width}px: {wide[:8]}"
    visitor.check()
    page.set_viewport_size({"width": 1280, "height": 900})


def focused_text(page) -> str:  # type: ignore[no-untyped-def]
    return page.evaluate("document.activeElement ? document.activeElement.textContent.trim() : ''")


def test_organiser_imports_a_docx_corrects_a_match_adopts_and_reconfirms_by_keyboard(visitor, decided, tmp_path):
    process = decided["process"]
    slug = process.slug
    page = visitor.page
    upload = tmp_path / "revision-1.docx"
    revision_docx(upload)

    visitor.sign_in(decided["organiser"], next_path=f"/en/processes/{slug}/workspace/")
    assert visitor.path == f"/en/processes/{slug}/workspace/"
    assert "The report and new links use version 1: Zero draft." in visitor.main().inner_text()

    # Import revision 1 as a Word file.
    visitor.follow(visitor.main().get_by_role("link", name="Import a document version"))
    assert visitor.path == f"/en/processes/{slug}/workspace/document/import/"
    visitor.field("Version label").fill("Revision 1")
    visitor.field("Or upload a file").set_input_files(upload)
    visitor.follow(visitor.main().get_by_role("button", name="Import"))
    matching = f"/en/processes/{slug}/workspace/document/versions/2/matching/"
    assert visitor.path == matching
    main = visitor.main()
    assert "Imported Revision 1 with 7 clauses. Review how they match the version before" in main.inner_text()
    revision = DocumentVersion.objects.get(process=process, number=2)
    assert not revision.is_adopted
    assert revision.source == docx_to_text(upload.read_bytes())

    # The proposed matching: three renumbered, paragraph 2 reworded, the rewritten 4 seen as new + removed.
    counts = page.get_by_test_id("match-counts").locator("li").all_inner_texts()
    assert [c.strip() for c in counts] == [
        "Unchanged: 1",  # the section heading "1. Principles"
        "Renumbered: 3",
        "Reworded: 1",
        "Split: 0",
        "Merged: 0",
        "New: 2",
        "Removed: 1",
    ]
    rewritten = main.locator("section").filter(has_text="an external auditor")
    assert rewritten.get_by_test_id("relation").inner_text() == "New"
    assert page.get_by_test_id("removed").inner_text().startswith("4: Decisions are reviewed each year")
    reworded = main.locator("section").filter(has_text="sixty")
    assert reworded.get_by_test_id("relation").inner_text() == "Reworded"
    assert reworded.locator("del", has_text="ninety").count() == 1
    assert reworded.locator("ins", has_text="sixty").count() == 1
    assert visitor.field("Comes from (labels in the version before)", reworded).input_value() == "2"
    assert_fits(visitor)

    # Correct the rewritten clause: it comes from paragraph 4 of the zero draft.
    comes_from = visitor.field("Comes from (labels in the version before)", rewritten)
    assert comes_from.input_value() == ""
    comes_from.fill("4")
    visitor.follow(rewritten.get_by_role("button", name="Correct"))
    auditor = revision.clauses.get(label="5")
    back = urlsplit(page.url)  # back on the same page of the matching, at the corrected clause
    assert (back.path, back.fragment) == (matching, f"clause-{auditor.pk}")
    assert "Clause 5: match corrected." in visitor.main().inner_text()
    rewritten = visitor.main().locator(f"section[id='clause-{auditor.pk}']")
    assert rewritten.get_by_test_id("relation").inner_text() == "Reworded"
    # Now compared with the old paragraph 4, word by word.
    assert rewritten.locator("del", has_text="independent").count() == 1
    assert rewritten.locator("ins", has_text="external auditor").count() == 1
    assert visitor.field("Comes from (labels in the version before)", rewritten).input_value() == "4"
    counts = [c.strip() for c in page.get_by_test_id("match-counts").locator("li").all_inner_texts()]
    assert {"Reworded: 2", "New: 1", "Removed: 0"} <= set(counts)
    assert page.get_by_test_id("removed").count() == 0

    # Adopt: two links are suspect now, so the re-confirmation queue comes next.
    visitor.follow(visitor.main().get_by_role("button", name="Adopt this matching"))
    assert visitor.path == f"/en/processes/{slug}/workspace/reconfirm/"
    assert "Adopted Revision 1. 2 submissions wait for their links to be re-confirmed." in visitor.main().inner_text()
    revision.refresh_from_db()
    assert revision.is_adopted
    answers, weight, review = decided["answers"], decided["weight"], decided["review"]
    for submission, status in (
        (answers, SubmissionStatus.NEEDS_RECONFIRMATION),
        (weight, SubmissionStatus.REFLECTED),
        (review, SubmissionStatus.NEEDS_RECONFIRMATION),
    ):
        submission.refresh_from_db()
        assert submission.status == status, submission.title
    articles = visitor.main().locator("article")
    assert articles.count() == 2
    assert articles.nth(0).get_by_role("heading").inner_text() == f"{answers.reference}: Written answers"
    assert articles.nth(1).get_by_role("heading").inner_text() == f"{review.reference}: Independent review"
    assert articles.nth(0).locator("ins", has_text="sixty").count() == 1
    assert_fits(visitor)

    # Re-confirm with the keyboard alone: the first Re-confirm button has the focus, Enter presses it, and
    # on the page that comes back the next one has the focus.
    for reference, label in ((answers.reference, "3"), (review.reference, "5")):
        assert focused_text(page) == f"Re-confirm clause {label}"
        with page.expect_navigation() as navigation:
            page.keyboard.press("Enter")
        response = navigation.value
        assert response is not None and response.status == 200
        visitor.check()
        assert visitor.path == f"/en/processes/{slug}/workspace/reconfirm/"
        assert f"The link of {reference} is re-confirmed." in visitor.main().inner_text()
    assert "Every link is confirmed against the current version." in visitor.main().inner_text()
    assert visitor.main().locator("article").count() == 0

    for submission in (answers, weight, review):
        submission.refresh_from_db()
        assert submission.status == SubmissionStatus.REFLECTED, submission.title
    for submission, label in ((answers, "3"), (review, "5")):
        latest = DecisionRevision.objects.filter(submission=submission).latest("number")
        assert (latest.number, latest.change, latest.version) == (2, RevisionChange.RECONFIRMED, revision)
        assert latest.links.get().clause == revision.clauses.get(label=label)
    # The renumbered clause's link followed it without a new revision.
    assert DecisionRevision.objects.filter(submission=weight).count() == 1

    visitor.follow(page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Workspace"))
    assert page.get_by_test_id("reconfirm-notice").count() == 0
    assert "The report and new links use version 2: Revision 1." in visitor.main().inner_text()


@pytest.fixture
def revised(decided):
    """Revision 1, imported from the same Word file, corrected and adopted; its suspect links re-confirmed."""
    organiser = decided["organiser"]
    process = decided["process"]
    revision = version_import(
        process=process, source=docx_to_text(revision_docx()), label="Revision 1", created_by=organiser
    )
    match_correct(
        version=revision,
        clause=revision.clauses.get(label="5"),
        previous_labels=["4"],
        editorial=False,
        actor=organiser,
    )
    version_adopt(version=revision, actor=organiser)
    for link in reconfirm_queue(process, revision):
        link_reconfirm(submission=link.revision.submission, actor=organiser, link=link)
    return {**decided, "revision": revision}


def test_public_reads_the_redline_and_the_trace_of_a_renumbered_clause(visitor, revised):
    process = revised["process"]
    slug = process.slug
    page = visitor.page
    weight = revised["weight"]
    document_path = f"/en/processes/{slug}/document/"

    visitor.goto(f"/en/processes/{slug}/")
    visitor.follow(visitor.main().get_by_role("link", name="Outcome document"))
    assert visitor.path == document_path
    visitor.follow(visitor.main().get_by_role("link", name="Compare versions (redline)"))
    assert visitor.path == f"/en/processes/{slug}/document/compare/"
    main = visitor.main()
    assert "From Zero draft to Revision 1" in main.inner_text()
    redline = page.get_by_test_id("redline")
    assert redline.locator("ins").count() > 0 and redline.locator("del").count() > 0
    rows = redline.locator("section.redline-row")

    # Paragraph 3 kept its words and became 4; the submission linked to it is named beside it.
    moved = rows.filter(has=page.get_by_role("heading", name="4 Renumbered"))
    assert moved.count() == 1
    assert "was 3 in Zero draft" in moved.get_by_role("heading").inner_text()
    assert moved.locator("ins, del").count() == 0
    assert f"Linked by 1 submission: {weight.reference}" in moved.inner_text()
    assert moved.get_by_role("link", name="4", exact=True).get_attribute("href") == f"{document_path}?version=2#para_4"
    # The reworded paragraphs show their words inserted and deleted, and their submissions.
    answers_row = rows.filter(has=page.get_by_role("heading", name="3 Reworded"))
    assert "was 2 in Zero draft" in answers_row.inner_text()
    assert answers_row.locator("del", has_text="ninety").count() == 1
    assert answers_row.locator("ins", has_text="sixty").count() == 1
    assert f"Linked by 1 submission: {revised['answers'].reference}" in answers_row.inner_text()
    review_row = rows.filter(has=page.get_by_role("heading", name="5 Reworded"))
    assert "was 4 in Zero draft" in review_row.inner_text()
    assert f"Linked by 1 submission: {revised['review'].reference}" in review_row.inner_text()
    new_row = rows.filter(has=page.get_by_role("heading", name="1 New"))
    assert new_row.locator("ins", has_text="Remote participation").count() == 1
    assert_fits(visitor)

    # Follow the submission to its trace: the clause is named as it is now, and as it was.
    visitor.follow(moved.get_by_role("link", name=weight.reference))
    assert visitor.path == f"/en/processes/{slug}/submissions/{weight.reference}/"
    main = visitor.main()
    links = main.get_by_test_id("links")
    assert "Clause 4 of Revision 1 (Fully)" in links.inner_text()
    assert "(was 3 in Zero draft)" in links.inner_text()
    assert links.get_by_text("to be re-confirmed").count() == 0
    clause_link = links.get_by_role("link", name="Clause 4 of Revision 1")
    assert clause_link.get_attribute("href") == f"{document_path}?version=2#para_4"
    assert_fits(visitor)

    # The link lands on that clause of that version.
    visitor.follow(clause_link)
    assert page.url.endswith(f"{document_path}?version=2#para_4")
    assert page.evaluate("document.querySelector(':target') && document.querySelector(':target').id") == "para_4"
    target = page.locator("[id='para_4']")
    assert target.is_visible() and P3 in target.inner_text()
    assert "Revision 1" in visitor.main().get_by_role("heading", level=2).first.inner_text()
