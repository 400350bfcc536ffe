"""Closing the loop, end to end: an organiser drafts decisions and releases them together; a stakeholder
follows the link in the decision e-mail and contests; the organiser answers from the contest queue (the
stakeholder is mailed); the organiser clears the publication gate and publishes (every submitter is mailed);
a visitor verifies the snapshot's SHA-256 and a receipt."""

from __future__ import annotations

import hashlib
import re
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core import mail

from ..factories import file_submission, import_document, make_process

pytestmark = pytest.mark.browser

NARROW = 320
TEXT = "Name every stakeholder group in the scope clause.\nList them in the order of the charter."
DECLINED_TEXT = "Add a levy on every platform that hosts a consultation."
LATE_TEXT = "Publish every draft in an open format."
NOTE = "Clause 3 names the groups."
NOT_TAKEN_UP = "A levy is outside the mandate of this framework; the finance track considers levies."
REASON = "Clause 3 names the groups but not in the charter's order, which my suggestion asked for."
ANSWER = "The charter's order is kept in the annex; clause 3 lists the groups alphabetically on purpose."


def assert_fits(visitor, width: int = NARROW) -> None:  # type: ignore[no-untyped-def]
    """At ``width`` px the page scrolls only downwards, and passes the page checks there too."""
    page = visitor.page
    page.set_viewport_size({"width": width, "height": 800})
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    wide = page.evaluate(
        """(width) => [...document.querySelectorAll('body *')]
            .filter(e => e.getClientRects().length && e.getBoundingClientRect().right > width + 0.5)
            .map(e => e.tagName + '.' + e.className)""",
        width,
    )
    assert scroll_width <= width, f"{visitor.path}: {scroll_width}px wide at {width}px: {wide[:8]}"
    visitor.check()
    page.set_viewport_size({"width": 1280, "height": 900})


def mails(to, subject: str) -> list[mail.EmailMessage]:  # type: ignore[no-untyped-def]
    """The mails sent so far to ``to`` whose subject starts with ``subject``."""
    return [m for m in mail.outbox if m.to == [to.email] and m.subject.startswith(subject)]


def linked_path(body: str) -> str:
    """The path of the one trace-page link in a mail's body (an absolute ``SITE_URL`` link)."""
    urls = re.findall(re.escape(settings.SITE_URL) + r"/en/processes/\S+/submissions/\S+/", body)
    assert len(urls) == 1, body
    return urlsplit(urls[0]).path


def test_decision_mail_to_contest_to_answer_to_publication_and_verification(
    new_visitor, organiser, stakeholder, other_stakeholder
):
    process = make_process(phase="closed", code="LOOP", organisers=(organiser,))
    import_document(process, by=organiser)
    reflected = file_submission(process, stakeholder, title="Name every group", text=TEXT)
    declined = file_submission(process, other_stakeholder, title="A levy on platforms", text=DECLINED_TEXT)
    late = file_submission(process, stakeholder, title="Open formats only", text=LATE_TEXT)
    slug, title = process.slug, process.title
    workspace = f"/en/processes/{slug}/workspace/"
    # The receipts were mailed at once (the tasks run when the filing commits).
    assert len(mails(stakeholder, "Receipt LOOP-")) == 2 and len(mails(other_stakeholder, "Receipt LOOP-")) == 1

    # -- The organiser drafts two decisions ------------------------------------------------------------------
    desk = new_visitor()
    desk.sign_in(organiser, next_path=workspace)
    assert desk.path == workspace
    page = desk.page
    assert page.get_by_test_id("progress").inner_text() == "0 of 3 submissions dispositioned"

    desk.follow(desk.main().get_by_role("link", name=reflected.reference))
    assert desk.path == f"{workspace}submissions/{reflected.reference}/"
    reflect = page.get_by_role("region", name="Reflected in the document")
    first = reflect.get_by_role("group", name="Clause link 1")
    desk.field("Clause", first).select_option(label="3 — Inclusion of all stakeholder groups.")
    desk.field("How it is reflected", first).fill(NOTE)
    desk.follow(reflect.get_by_role("button", name="Save as a draft"))
    assert desk.path == workspace
    assert (
        f"{reflected.reference}: decision drafted. The public sees it once you release the drafts."
        in desk.main().inner_text()
    )
    assert "1 drafted decision is not public yet." in page.get_by_test_id("drafts-notice").inner_text()
    # The review page shows the organiser the draft, with the way to release it.
    desk.follow(desk.main().get_by_role("link", name=reflected.reference))
    notice = page.get_by_test_id("draft-notice")
    assert notice.inner_text().startswith("Drafted, not public yet: Reflected.")
    assert notice.get_by_role("link", name="Release the drafts").get_attribute("href") == f"{workspace}release/"
    desk.follow(page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Workspace"))

    desk.follow(desk.main().get_by_role("link", name=declined.reference))
    not_taken_up = page.get_by_role("region", name="Considered, not taken up")
    desk.field("Public reason", not_taken_up).fill(NOT_TAKEN_UP)
    desk.follow(not_taken_up.get_by_role("button", name="Save as a draft"))
    assert f"{declined.reference}: decision drafted." in desk.main().inner_text()
    assert "2 drafted decisions are not public yet." in page.get_by_test_id("drafts-notice").inner_text()
    # A draft is counted nowhere yet, and nobody is told.
    assert page.get_by_test_id("progress").inner_text() == "0 of 3 submissions dispositioned"
    assert mails(stakeholder, "Decision on") == [] and mails(other_stakeholder, "Decision on") == []

    # Drafts are not public: the trace pages still say the organisers have not decided.
    public = new_visitor()
    for submission in (reflected, declined):
        public.goto(submission.get_absolute_url())
        text = public.main().inner_text()
        assert "The organisers have not decided yet." in text
        assert NOTE not in text and NOT_TAKEN_UP not in text

    # -- The organiser releases the drafts together -----------------------------------------------------------
    desk.follow(page.get_by_test_id("drafts-notice").get_by_role("link", name="Review and release the drafts"))
    assert desk.path == f"{workspace}release/"
    drafts = page.get_by_test_id("drafts").inner_text()
    assert reflected.reference in drafts and declined.reference in drafts
    assert "Considered, not taken up" in drafts
    assert_fits(desk)
    desk.follow(desk.main().get_by_role("button", name="Release 2 decisions"))
    assert desk.path == workspace
    assert "Release 1: 2 decisions are now public." in desk.main().inner_text()
    assert page.get_by_test_id("progress").inner_text() == "2 of 3 submissions dispositioned"
    assert page.get_by_test_id("drafts-notice").count() == 0

    public.goto(declined.get_absolute_url())
    assert NOT_TAKEN_UP in public.page.get_by_test_id("not-taken-up").inner_text()
    assert "The organisers have not decided yet." not in public.main().inner_text()

    # -- From the decision e-mail, the stakeholder contests ---------------------------------------------------
    [decision] = mails(stakeholder, f"Decision on {reflected.reference}")
    assert decision.subject == f"Decision on {reflected.reference}: {title}"
    assert "It is reflected in the outcome document." in decision.body
    trace_path = linked_path(decision.body)
    assert trace_path == f"/en/processes/{slug}/submissions/{reflected.reference}/"
    until = re.search(r"You may agree or contest it, with a reason, until (.+)\.", decision.body)
    assert until is not None, decision.body
    [other_decision] = mails(other_stakeholder, "Decision on")
    assert "It was considered and not taken up" in other_decision.body
    assert linked_path(other_decision.body) == declined.get_absolute_url()

    author = new_visitor()
    author.sign_in(stakeholder, next_path=trace_path)
    assert author.path == trace_path
    assert NOTE in author.page.get_by_test_id("links").inner_text()
    reply = author.page.get_by_role("region", name="Your reply to the decision")
    # The page gives the same deadline as the mail.
    assert f"You may agree with this decision or contest it until {until.group(1)}." in reply.inner_text()
    author.field("I contest this decision", within=reply).check()
    author.field("Why you contest it", within=reply).fill(REASON)
    author.follow(reply.get_by_role("button", name="Send my reply"))
    assert author.path == trace_path
    assert "Your reply is recorded" in author.main().inner_text()
    assert REASON in author.page.get_by_test_id("exchange-1").inner_text()

    # -- The organiser answers from the contest queue ---------------------------------------------------------
    desk.goto(workspace)
    contests_link = page.get_by_test_id("contests-link")
    assert "1 waits for an answer" in contests_link.inner_text()
    desk.follow(contests_link.get_by_role("link", name="Contested decisions"))
    assert desk.path == f"{workspace}contests/"
    assert page.get_by_test_id("unanswered").inner_text() == "1 contest waits for an answer."
    contest = page.get_by_role("article", name=f"{reflected.reference}: Name every group")
    assert REASON in contest.inner_text()
    assert_fits(desk)
    desk.field("Public answer", within=contest).fill(ANSWER)
    desk.follow(contest.get_by_role("button", name=f"Publish the answer to {reflected.reference}"))
    assert f"Your answer to {reflected.reference} is published." in desk.main().inner_text()
    assert page.get_by_test_id("unanswered").inner_text() == "0 contests wait for an answer."

    # The stakeholder is mailed, with the trace link; the trace page shows the contest and the answer.
    [reply_mail] = mails(stakeholder, "Reply to your contest")
    assert reply_mail.subject == f"Reply to your contest of {reflected.reference}: {title}"
    assert linked_path(reply_mail.body) == trace_path
    author.goto(linked_path(reply_mail.body))
    exchange = author.page.get_by_test_id("exchange-1").inner_text()
    assert "Contested by the submitter" in exchange and REASON in exchange
    assert "The organisers' answer" in exchange and ANSWER in exchange

    # -- Publication: blocked while a submission is pending, then published -----------------------------------
    desk.goto(workspace)
    desk.follow(desk.main().get_by_role("link", name="Publish the final report"))
    publish_path = f"/en/processes/{slug}/workspace/publish/"
    assert desk.path == publish_path
    blockers = page.get_by_test_id("blockers")
    assert blockers.inner_text().strip().startswith("1 submission has no released decision yet.")
    assert page.get_by_role("button", name="Publish the report").count() == 0
    assert_fits(desk)

    # The blocker's link leads to the pending one; it is drafted; the unreleased draft now blocks too.
    desk.follow(blockers.get_by_role("link", name="Decide the pending submissions"))
    assert desk.path == f"{workspace}?status=pending"
    queue = desk.main().get_by_role("table").locator("tbody tr td:first-child a").all_inner_texts()
    assert queue == [late.reference]
    desk.follow(desk.main().get_by_role("link", name=late.reference))
    reflect = page.get_by_role("region", name="Reflected in the document")
    first = reflect.get_by_role("group", name="Clause link 1")
    desk.field("Clause", first).select_option(label="2 — Organisers publish the outcome document.")
    desk.follow(reflect.get_by_role("button", name="Save as a draft"))
    desk.goto(publish_path)
    blocker_text = page.get_by_test_id("blockers").inner_text()
    assert "1 submission has no released decision yet." in blocker_text
    assert "1 drafted decision is not released: the report would not show it." in blocker_text
    desk.follow(page.get_by_test_id("blockers").get_by_role("link", name="Release the drafted decisions"))
    assert desk.path == f"{workspace}release/"
    desk.follow(desk.main().get_by_role("button", name="Release 1 decision"))
    assert "Release 2: 1 decision is now public." in desk.main().inner_text()
    assert page.get_by_test_id("progress").inner_text() == "3 of 3 submissions dispositioned"
    assert len(mails(stakeholder, f"Decision on {late.reference}")) == 1

    desk.goto(publish_path)
    assert page.get_by_test_id("blockers").count() == 0
    assert "Publishing creates snapshot 1 and marks the process as published." in desk.main().inner_text()
    assert_fits(desk)
    assert mails(stakeholder, "Report published") == []
    desk.follow(desk.main().get_by_role("button", name="Publish the report"))
    assert desk.path == f"/en/processes/{slug}/report/"
    published_sha = page.get_by_test_id("snapshot-sha256").inner_text()
    assert re.fullmatch(r"[0-9a-f]{64}", published_sha)

    # Each submitter gets one publication mail, with the report's link and the snapshot's hash.
    for person in (stakeholder, other_stakeholder):
        [publication] = mails(person, "Report published")
        assert publication.subject == f"Report published: {title}"
        assert f"{settings.SITE_URL}/en/processes/{slug}/report/" in publication.body
        assert f"Snapshot 1, SHA-256 {published_sha}." in publication.body

    # -- A visitor verifies the snapshot and a receipt --------------------------------------------------------
    visitor = new_visitor()
    visitor.goto(f"/en/processes/{slug}/report/")
    shown = visitor.page.get_by_test_id("snapshot-sha256").inner_text()
    assert shown == published_sha
    assert "Published: snapshot 1" in visitor.main().inner_text()
    snapshot_path = f"/en/processes/{slug}/report/snapshots/1.json"
    link = visitor.page.get_by_test_id("published-snapshot").get_by_role("link", name="Download snapshot 1 (JSON)")
    assert link.get_attribute("href") == snapshot_path
    with visitor.page.expect_download() as download:
        link.click()
    with open(download.value.path(), "rb") as file:
        downloaded = file.read()
    assert hashlib.sha256(downloaded).hexdigest() == shown
    # The permanent URL serves the same bytes again.
    again = visitor.context.request.get(visitor.url(snapshot_path))
    assert again.status == 200
    assert again.body() == downloaded

    visitor.goto(trace_path)
    exchange = visitor.page.get_by_test_id("exchange-1").inner_text()
    assert REASON in exchange and ANSWER in exchange
    verify = visitor.page.get_by_role("region", name="Check a text against the receipt")
    visitor.field("Text to check", within=verify).fill(TEXT)
    visitor.follow(verify.get_by_role("button", name="Check the text"))
    result = visitor.page.get_by_test_id("verify-result").inner_text()
    assert "It matches: this is the text the receipt was issued for." in result
    assert hashlib.sha256(TEXT.encode()).hexdigest() in result
    verify = visitor.page.get_by_role("region", name="Check a text against the receipt")
    visitor.field("Text to check", within=verify).fill(TEXT.replace("charter", "chart"))
    visitor.follow(verify.get_by_role("button", name="Check the text"))
    result = visitor.page.get_by_test_id("verify-result").inner_text()
    assert "It does not match: this is not the text the receipt was issued for." in result
