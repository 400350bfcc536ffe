"""An organiser sees what blocks publication, clears it, publishes; a visitor verifies the snapshot's hash."""

from __future__ import annotations

import hashlib

import pytest

from traceability.accounts.models import StakeholderKind
from traceability.dispositions.models import ExclusionGround
from traceability.dispositions.services import LinkSpec, disposition_exclude, disposition_reflect
from traceability.publications.models import Snapshot

from ..factories import file_submission, import_document, make_process, make_user

pytestmark = pytest.mark.browser


def test_organiser_publishes_through_the_gate_and_a_visitor_verifies_the_snapshot(new_visitor, db):
    organiser = make_user(kind=StakeholderKind.GOVERNMENT, country="BR", display_name="Olu Organiser")
    process = make_process(phase="closed", code="PUB26", organisers=(organiser,))
    version = import_document(process, by=organiser)
    author = make_user(kind=StakeholderKind.CIVIL_SOCIETY, country="KE")
    reflected = file_submission(process, author, title="Name every group")
    pending = file_submission(process, author, title="Open formats only")
    disposition_reflect(submission=reflected, actor=organiser, links=[LinkSpec(clause=version.clauses.get(label="3"))])
    slug = process.slug

    organiser_tab = new_visitor()
    organiser_tab.sign_in(organiser, next_path=f"/en/processes/{slug}/workspace/")
    page = organiser_tab.page
    organiser_tab.follow(organiser_tab.main().get_by_role("link", name="Publish the final report"))
    assert organiser_tab.path == f"/en/processes/{slug}/workspace/publish/"
    blockers = page.get_by_test_id("blockers")
    assert "1 submission has no released decision yet." in blockers.inner_text()
    assert page.get_by_role("button", name="Publish the report").count() == 0

    # The blocker's link leads to the pending submission; it is decided; the gate is clear.
    organiser_tab.follow(blockers.get_by_role("link", name="Decide the pending submissions"))
    assert pending.reference in organiser_tab.main().inner_text()
    disposition_exclude(
        submission=pending, actor=organiser, ground=ExclusionGround.LEGAL, legal_provision="Act 12, art. 5(2)"
    )
    organiser_tab.goto(f"/en/processes/{slug}/workspace/publish/")
    organiser_tab.follow(page.get_by_role("button", name="Publish the report"))
    assert organiser_tab.path == f"/en/processes/{slug}/report/"
    snapshot = Snapshot.objects.get(process=process)
    assert page.get_by_test_id("snapshot-sha256").inner_text() == snapshot.sha256

    # A visitor reads the report, the list of snapshots, downloads snapshot 1 and hashes it.
    visitor = new_visitor()
    visitor.goto(f"/en/processes/{slug}/report/")
    shown = visitor.page.get_by_test_id("snapshot-sha256").inner_text()
    assert "Published: snapshot 1" in visitor.main().inner_text()
    visitor.follow(visitor.main().get_by_test_id("published-snapshot").get_by_role("link", name="All snapshots"))
    assert visitor.page.get_by_test_id("sha256").inner_text() == shown
    link = visitor.main().get_by_role("link", name="Snapshot 1")
    with visitor.page.expect_download() as download:
        link.click()
    path = download.value.path()
    assert download.value.suggested_filename == "PUB26-snapshot-1.json"
    with open(path, "rb") as file:
        assert hashlib.sha256(file.read()).hexdigest() == shown
    visitor.goto(f"/en/processes/{slug}/")
    assert "Report published" in visitor.main().inner_text()
