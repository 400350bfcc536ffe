"""A stakeholder finds an open process, signs up, files a submission, keeps the receipt,
edits the submission, and sees it on the public trace page attributed only by group."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail

from traceability.consultations.models import Submission

from ..factories import PASSWORD, make_process

pytestmark = pytest.mark.browser

NAME = "Wanjiru Kamau"
ORGANISATION = "Open Data Kenya"
EMAIL = "wanjiru@example.org"
# Several lines and non-ASCII text: the fingerprint must match the text as the person typed it.
TEXT = "Clause 2(a) should name an open format, e.g. CSV or ODF.\nThe format must be free to implement — no royalties."
EDITED = TEXT + "\nAlso publish a changelog."


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_stakeholder_signs_up_files_edits_and_is_shown_by_group_only(visitor, new_visitor, organiser):
    process = make_process(phase="open", code="IGF25", organisers=(organiser,))
    page = visitor.page

    # Home page, then the open process.
    visitor.goto("/en/")
    visitor.follow(visitor.main().get_by_role("link", name=process.title, exact=True))
    assert visitor.path == f"/en/processes/{process.slug}/"

    # Filing needs an account: the sign-in page offers sign-up.
    visitor.follow(visitor.main().get_by_role("link", name="File a submission"))
    assert visitor.path.startswith("/en/accounts/login/")
    visitor.follow(visitor.main().get_by_role("link", name="Sign up"))
    # The sign-up page remembers where the visitor was going.
    assert urlsplit(visitor.path).path == "/en/accounts/signup/"
    assert parse_qs(urlsplit(visitor.path).query)["next"] == [f"/en/processes/{process.slug}/submit/"]

    visitor.field("Display name").fill(NAME)
    visitor.field("E-mail address").fill(EMAIL)
    visitor.field("Password").fill(PASSWORD)
    visitor.field("Password confirmation").fill(PASSWORD)
    visitor.field("Organisation").fill(ORGANISATION)
    visitor.field("Stakeholder group").select_option(label="Civil society")
    visitor.field("Country").select_option(label="Kenya")
    visitor.follow(visitor.main().get_by_role("button", name="Create account"))
    # Signed up, the visitor is asked to confirm the address with the link just mailed.
    assert visitor.path == "/en/accounts/confirm-email/"
    assert [message.to for message in mail.outbox] == [[EMAIL.lower()]]
    link = re.search(r"https?://[^/\s]+(/en/accounts/confirm-email/\S+/)", mail.outbox[0].body).group(1)
    visitor.goto(link)
    visitor.follow(visitor.main().get_by_role("button", name="Confirm"))
    # Confirmed and signed in, the visitor goes on to the form they were heading for.
    assert visitor.path == f"/en/processes/{process.slug}/submit/", visitor.path

    # File the submission, attributed by stakeholder group only.
    assert visitor.field("Stakeholder group").input_value() == str(process.groups.get(name="Civil society").pk)
    visitor.field("Title").fill("Name an open format")
    visitor.field("Your suggestion").fill(TEXT)
    visitor.field("Clause it refers to (optional)").fill("2(a)")
    visitor.field("Show only my stakeholder group").check()
    visitor.follow(visitor.main().get_by_role("button", name="Submit"))

    # The receipt: reference, time received, fingerprint of the text.
    assert visitor.path == f"/en/processes/{process.slug}/submissions/IGF25-00001/receipt/"
    assert page.get_by_role("heading", level=1).inner_text() == "Receipt IGF25-00001"
    assert page.get_by_test_id("reference").inner_text() == "IGF25-00001"
    assert page.get_by_test_id("sha256").inner_text() == sha256(TEXT)
    submission = Submission.objects.get(process=process)
    received = page.locator("dd time")
    # a valid HTML time (whole seconds: the HTML standard allows at most three digits of a fraction), in UTC
    assert received.get_attribute("datetime") == submission.received_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert re.fullmatch(r"\d{1,2} \w+ \d{4}, \d{2}:\d{2}:\d{2} UTC", received.inner_text())
    assert "A member of Civil society" in visitor.main().inner_text()

    # "My submissions" lists it as pending.
    visitor.follow(page.get_by_role("navigation", name="Main").get_by_role("link", name="My submissions"))
    assert visitor.path == "/en/me/"
    row = visitor.main().get_by_role("row").filter(has_text="IGF25-00001")
    assert row.count() == 1
    assert "Name an open format" in row.inner_text()
    assert "Pending" in row.inner_text()

    # Edit it: the receipt's fingerprint follows the new text.
    visitor.follow(row.get_by_role("link", name="IGF25-00001"))
    visitor.follow(visitor.main().get_by_role("link", name="Edit"))
    assert visitor.path == f"/en/processes/{process.slug}/submissions/IGF25-00001/edit/"
    assert visitor.field("Your suggestion").input_value() == TEXT
    assert visitor.field("Show only my stakeholder group").is_checked()
    visitor.field("Your suggestion").fill(EDITED)
    visitor.follow(visitor.main().get_by_role("button", name="Save changes"))
    assert visitor.path == f"/en/processes/{process.slug}/submissions/IGF25-00001/receipt/"
    assert "Your submission was updated" in visitor.main().inner_text()
    assert page.get_by_test_id("reference").inner_text() == "IGF25-00001"
    assert page.get_by_test_id("sha256").inner_text() == sha256(EDITED)
    assert Submission.objects.get(process=process).text == EDITED

    # The public trace page, as anyone sees it: the group, never the person.
    trace_path = f"/en/processes/{process.slug}/submissions/IGF25-00001/"
    visitor.follow(visitor.main().get_by_role("link", name="Public trace page"))
    assert visitor.path == trace_path
    public = new_visitor()
    public.goto(trace_path)
    for seen in (visitor, public):
        text = seen.main().inner_text()
        assert "A member of Civil society" in text
        assert "Name an open format" in text
        assert "Also publish a changelog." in text
        assert sha256(EDITED) in text
        for private in (NAME, ORGANISATION, EMAIL):
            assert private not in text
    assert NAME not in public.page.content()
