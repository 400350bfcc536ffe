"""An organiser signs in, imports the outcome document, and dispositions submissions."""

from __future__ import annotations

import pytest

from traceability.accounts.models import StakeholderKind
from traceability.dispositions.models import ClauseLink, DecisionRevision, Disposition
from traceability.outcomes.models import Clause, DocumentVersion
from traceability.outcomes.parsing import parse_document

from ..factories import DOCUMENT, PASSWORD, file_submission, make_process, make_user

pytestmark = pytest.mark.browser

UPLOADED = """# Preamble {#preamble}
We, the participants, agree on the following.

# 1. Openness
1. Every draft is published. {#drafts-published}
2. Every comment gets an answer.
(a) within thirty days;
"""


@pytest.fixture
def organiser_and_process(db):
    organiser = make_user(kind=StakeholderKind.GOVERNMENT, country="BR", display_name="Olu Organiser")
    process = make_process(phase="open", code="IGF25", organisers=(organiser,))
    return organiser, process


def queue_references(visitor) -> list[str]:
    rows = visitor.main().get_by_role("table").locator("tbody tr td:first-child a")
    return rows.all_inner_texts()


def test_organiser_imports_document_and_dispositions_submissions(visitor, organiser_and_process):
    organiser, process = organiser_and_process
    civil = [make_user(kind=StakeholderKind.CIVIL_SOCIETY) for _ in range(3)]
    private = make_user(kind=StakeholderKind.PRIVATE_SECTOR)
    reflected = file_submission(process, civil[0], title="Name every group", target_clause="3")
    excluded = file_submission(process, private, title="Publish the personal data of all commenters")
    refused = file_submission(process, civil[1], title="A remark on public morals")
    pending = file_submission(process, civil[2], title="Open formats only")
    total = 4
    slug = process.slug
    page = visitor.page

    # The workspace needs signing in; the sign-in form brings the organiser back to it.
    visitor.goto(f"/en/processes/{slug}/workspace/")
    assert visitor.path.startswith("/en/accounts/login/?next=")
    visitor.field("E-mail address").fill(organiser.email)
    visitor.field("Password").fill(PASSWORD)
    visitor.follow(visitor.main().get_by_role("button", name="Sign in"))
    # Organisers have a second factor: the code from their authenticator app.
    assert visitor.path == "/en/accounts/2fa/authenticate/"
    visitor.enter_second_factor(organiser)
    assert visitor.path == f"/en/processes/{slug}/workspace/"
    assert page.get_by_test_id("progress").inner_text() == f"0 of {total} submissions dispositioned"
    assert "Import the outcome document" in visitor.main().inner_text()

    # Import the outcome document by pasting its Markdown.
    visitor.follow(visitor.main().get_by_role("link", name="Import a document version"))
    assert visitor.path == f"/en/processes/{slug}/workspace/document/import/"
    visitor.field("Version label").fill("Zero draft")
    visitor.field("Paste the text").fill(DOCUMENT)
    visitor.follow(visitor.main().get_by_role("button", name="Import"))
    parsed = parse_document(DOCUMENT)
    assert visitor.path == f"/en/processes/{slug}/document/"
    assert f"Imported Zero draft with {len(parsed)} clauses." in visitor.main().inner_text()
    anchors = page.locator("section.clause").evaluate_all("sections => sections.map(s => s.id)")
    assert anchors == [clause.eid for clause in parsed]
    assert "principles" in anchors  # the explicit {#principles} id is kept
    for eid in anchors:
        assert page.locator(f"a[href='#{eid}']").count() == 1

    # Back in the workspace: nothing dispositioned yet.
    visitor.follow(page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="IGF25"))
    visitor.follow(visitor.main().get_by_role("link", name="Organisers' workspace"))
    assert page.get_by_test_id("progress").inner_text() == f"0 of {total} submissions dispositioned"
    assert queue_references(visitor) == [s.reference for s in (reflected, excluded, refused, pending)]  # all pending

    # Reflect the first one in two clauses: one fully, one partly with a note.
    visitor.follow(visitor.main().get_by_role("link", name=reflected.reference))
    assert visitor.path == f"/en/processes/{slug}/workspace/submissions/{reflected.reference}/"
    first = page.get_by_role("group", name="Clause link 1")
    second = page.get_by_role("group", name="Clause link 2")
    visitor.field("Clause", first).select_option(label="3 — Inclusion of all stakeholder groups.")
    visitor.field("Extent", first).select_option(label="Fully")
    visitor.field("Clause", second).select_option(label="3.1 — Equal weight for every group.")
    visitor.field("Extent", second).select_option(label="Partly")
    visitor.field("How it is reflected", second).fill("Equal weight, but only for the listed groups.")
    visitor.follow(visitor.main().get_by_role("button", name="Save as reflected"))
    assert visitor.path == f"/en/processes/{slug}/workspace/"
    assert f"{reflected.reference} is marked as reflected." in visitor.main().inner_text()
    assert page.get_by_test_id("progress").inner_text() == f"1 of {total} submissions dispositioned"
    links = {link.clause.eid: link for link in ClauseLink.objects.filter(revision__current_of__submission=reflected)}
    assert set(links) == {"para_3", "para_3-1"}
    assert links["para_3"].extent == "full"
    assert links["para_3-1"].extent == "partial"
    assert links["para_3-1"].note == "Equal weight, but only for the listed groups."

    # Exclude the second on a legal ground, citing the provision.
    visitor.follow(visitor.main().get_by_role("link", name=excluded.reference))
    visitor.field("Legal ground").check()
    visitor.field("Legal provision cited").fill("Data Protection Act 2019, section 25(2)")
    visitor.follow(visitor.main().get_by_role("button", name="Save as excluded"))
    assert f"{excluded.reference} is marked as excluded." in visitor.main().inner_text()
    assert page.get_by_test_id("progress").inner_text() == f"2 of {total} submissions dispositioned"

    # Public morality without a justification is refused, and nothing is saved.
    visitor.follow(visitor.main().get_by_role("link", name=refused.reference))
    visitor.field("Public morality").check()
    visitor.follow(visitor.main().get_by_role("button", name="Save as excluded"), status=400)
    justification = visitor.field("Justification")
    assert justification.get_attribute("aria-invalid") == "true"
    error = page.locator(".invalid-feedback", has_text="Give the justification on grounds of public morality.")
    assert error.count() == 1 and error.is_visible()
    assert visitor.field("Public morality").is_checked()
    assert not Disposition.objects.filter(submission=refused).exists()
    assert not DecisionRevision.objects.filter(submission=refused).exists()

    visitor.follow(page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Workspace"))
    assert page.get_by_test_id("progress").inner_text() == f"2 of {total} submissions dispositioned"
    progress = page.get_by_role("progressbar", name="Disposition progress")
    assert (progress.get_attribute("value"), progress.get_attribute("max")) == ("2", str(total))

    # The queue opens on what is still pending; filter it by stakeholder group and by status.
    assert visitor.field("Status").input_value() == "pending"
    assert queue_references(visitor) == [refused.reference, pending.reference]
    visitor.field("Stakeholder group").select_option(label="Civil society")
    visitor.field("Status").select_option(label="Any status")
    visitor.follow(visitor.main().get_by_role("button", name="Filter"))
    assert queue_references(visitor) == [reflected.reference, refused.reference, pending.reference]
    visitor.field("Status").select_option(label="Pending")
    visitor.follow(visitor.main().get_by_role("button", name="Filter"))
    assert queue_references(visitor) == [refused.reference, pending.reference]
    # A filtered queue is not counted (the default one is, from the progress figures): it says what it lists.
    assert "Matching submissions, in receipt order" in visitor.main().inner_text()
    visitor.field("Stakeholder group").select_option(label="All groups")
    visitor.field("Status").select_option(label="Excluded")
    visitor.follow(visitor.main().get_by_role("button", name="Filter"))
    assert queue_references(visitor) == [excluded.reference]
    visitor.field("Stakeholder group").select_option(label="Private sector")
    visitor.field("Status").select_option(label="Reflected")
    visitor.follow(visitor.main().get_by_role("button", name="Filter"))
    assert queue_references(visitor) == []
    assert "No submission matches." in visitor.main().inner_text()


def test_organiser_uploads_the_document_as_a_markdown_file(visitor, organiser_and_process):
    organiser, process = organiser_and_process
    slug = process.slug
    page = visitor.page
    visitor.sign_in(organiser, next_path=f"/en/processes/{slug}/workspace/document/import/")
    assert visitor.path == f"/en/processes/{slug}/workspace/document/import/"
    upload = {"name": "outcome.md", "mimeType": "text/markdown", "buffer": UPLOADED.encode("utf-8")}

    # Pasting and uploading at once is refused, with the reason shown.
    visitor.field("Version label").fill("Final text")
    visitor.field("Paste the text").fill("# Something else")
    visitor.field("Or upload a file").set_input_files(upload)
    visitor.follow(visitor.main().get_by_role("button", name="Import"))
    assert visitor.path == f"/en/processes/{slug}/workspace/document/import/"
    assert "Paste the text or upload a file, not both." in visitor.main().inner_text()
    assert not DocumentVersion.objects.filter(process=process).exists()

    # The file alone is imported.
    visitor.field("Paste the text").fill("")
    visitor.field("Status").select_option(label="Final")
    visitor.field("Or upload a file").set_input_files(upload)
    visitor.follow(visitor.main().get_by_role("button", name="Import"))
    assert visitor.path == f"/en/processes/{slug}/document/"
    parsed = parse_document(UPLOADED)
    assert f"Imported Final text with {len(parsed)} clauses." in visitor.main().inner_text()
    version = DocumentVersion.objects.get(process=process)
    assert (version.label, version.status, version.source) == ("Final text", "final", UPLOADED)
    eids = list(Clause.objects.filter(version=version).values_list("eid", flat=True))
    assert eids == [clause.eid for clause in parsed]
    assert {"preamble", "drafts-published"} <= set(eids)
    anchors = page.locator("section.clause").evaluate_all("sections => sections.map(s => s.id)")
    assert anchors == eids
    assert "Every draft is published." in page.locator("section[id='drafts-published']").inner_text()
