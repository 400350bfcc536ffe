"""The 403 and 404 pages are accessible too, and carry the same Content-Security-Policy."""

from __future__ import annotations

import pytest

from ..factories import file_submission

pytestmark = pytest.mark.browser


def test_organiser_of_another_process_gets_an_accessible_403(visitor, process, other_organiser, stakeholder):
    submission = file_submission(process, stakeholder)
    visitor.sign_in(other_organiser)
    assert visitor.path == "/en/me/"

    for path in (
        f"/en/processes/{process.slug}/workspace/",
        f"/en/processes/{process.slug}/workspace/submissions/{submission.reference}/",
        f"/en/processes/{process.slug}/workspace/document/import/",
        f"/en/processes/{process.slug}/submissions/{submission.reference}/receipt/",
    ):
        visitor.goto(path, status=403)
        assert visitor.page.get_by_role("heading", level=1).inner_text() == "You may not open this page"
        assert submission.text not in visitor.main().inner_text()


def test_unknown_addresses_get_an_accessible_404(visitor, process):
    for path in (
        "/processes/no-such-process/",
        f"/en/processes/{process.slug}/submissions/{process.code}-99999/",
        f"/en/processes/{process.slug}/report/nothing-here/",
    ):
        visitor.goto(path, status=404)
        assert visitor.page.get_by_role("heading", level=1).inner_text() == "Page not found"
    # A missing version of the outcome document is a 404 in the document's own page.
    visitor.goto(f"/en/processes/{process.slug}/document/?version=7", status=404)
    assert "There is no version 7 of this document." in visitor.main().inner_text()


def test_opening_a_form_only_address_says_nothing_was_saved_and_links_back(visitor, process, organiser, stakeholder):
    """A decision sent after the session expired comes back, after the sign-in, as a visit to the form's address;
    so does a bookmarked receipt check. A page says what happened (not the browser's empty-405 error)."""
    submission = file_submission(process, stakeholder)
    visitor.page.set_viewport_size({"width": 390, "height": 800})
    verify = f"/en/processes/{process.slug}/submissions/{submission.reference}/verify/"
    response = visitor.goto(verify, status=405)
    assert response.header_value("allow") == "POST"
    assert visitor.page.get_by_role("heading", level=1).inner_text() == "Nothing was saved"
    visitor.follow(visitor.main().get_by_role("link", name="Back to the process"))
    assert visitor.path == f"/en/processes/{process.slug}/"

    # Signed in again after the session ended, the browser goes to the form's address by GET.
    visitor.sign_in(organiser)
    visitor.goto(f"/en/processes/{process.slug}/workspace/submissions/{submission.reference}/exclude/", status=405)
    assert visitor.page.get_by_role("heading", level=1).inner_text() == "Nothing was saved"
    back = visitor.main().get_by_role("link", name="Back to the process")
    assert back.get_attribute("href") == f"/en/processes/{process.slug}/"
