"""Answering back: a stakeholder contests a decision on the trace page (a missing reason first), the organiser
answers it from the contest queue, the trace page shows both; a visitor checks a text against the receipt."""

from __future__ import annotations

import pytest

from traceability.dispositions.models import Response
from traceability.dispositions.services import disposition_exclude

from ..factories import file_submission, make_process

pytestmark = pytest.mark.browser

TEXT = "Publish every dataset under an open licence.\nName the licence."
REASON = "Act 7 was repealed in 2024; nothing forbids an open licence."
ANSWER = "Act 7 was amended, not repealed: its article 2 still applies to these datasets."


def test_a_stakeholder_contests_the_organiser_answers_and_the_trace_page_shows_both(
    new_visitor, stakeholder, organiser
):
    process = make_process(phase="closed", code="IGF25", organisers=(organiser,))
    submission = file_submission(process, stakeholder, title="Open licences", text=TEXT)
    disposition_exclude(submission=submission, actor=organiser, ground="legal", legal_provision="Act 7, art. 2")
    trace_path = f"/en/processes/{process.slug}/submissions/{submission.reference}/"

    # The stakeholder opens the trace page: the decision, and a form to answer it with its deadline.
    author = new_visitor()
    author.sign_in(stakeholder, next_path=trace_path)
    assert author.path == trace_path
    reply = author.page.get_by_role("region", name="Your reply to the decision")
    assert "You may agree with this decision or contest it until" in reply.inner_text()

    # Contesting without a reason is refused, with the message next to the field.
    author.field("I contest this decision", within=reply).check()
    author.follow(reply.get_by_role("button", name="Send my reply"), status=400)
    assert "Say why you contest the decision." in author.main().inner_text()
    assert not Response.objects.exists()
    form = author.page.get_by_role("region", name="Your reply to the decision")
    author.field("I contest this decision", within=form).check()
    author.field("Why you contest it", within=form).fill(REASON)
    author.follow(form.get_by_role("button", name="Send my reply"))
    assert author.path == trace_path
    assert "Your reply is recorded" in author.main().inner_text()
    assert REASON in author.page.get_by_test_id("exchange-1").inner_text()
    assert author.page.get_by_role("region", name="Your reply to the decision").count() == 0

    # The organiser sees one contest waiting in the workspace, and answers it from the queue.
    desk = new_visitor()
    desk.sign_in(organiser, next_path=f"/en/processes/{process.slug}/workspace/")
    link = desk.page.get_by_test_id("contests-link")
    assert "1 waits for an answer" in link.inner_text()
    desk.follow(link.get_by_role("link", name="Contested decisions"))
    assert desk.path == f"/en/processes/{process.slug}/workspace/contests/"
    contest = desk.page.get_by_role("article", name=f"{submission.reference}: Open licences")
    assert REASON in contest.inner_text()
    desk.field("Public answer", within=contest).fill(ANSWER)
    desk.follow(contest.get_by_role("button", name=f"Publish the answer to {submission.reference}"))
    assert f"Your answer to {submission.reference} is published." in desk.main().inner_text()
    assert "0 contests wait for an answer." in desk.main().inner_text()
    assert desk.page.get_by_role("link", name=f"Revise the decision on {submission.reference}").count() == 1

    # Anyone reads the exchange on the trace page, and checks a text against the receipt.
    public = new_visitor()
    public.goto(trace_path)
    exchange = public.page.get_by_test_id("exchange-1").inner_text()
    assert "Contested by the submitter" in exchange and REASON in exchange
    assert "The organisers' answer" in exchange and ANSWER in exchange
    verify = public.page.get_by_role("region", name="Check a text against the receipt")
    public.field("Text to check", within=verify).fill("  " + TEXT.replace("\n", "\r\n") + "\n")
    public.follow(verify.get_by_role("button", name="Check the text"))
    assert "It matches" in public.page.get_by_role("status").filter(has_text="It matches").inner_text()
    verify = public.page.get_by_role("region", name="Check a text against the receipt")
    public.field("Text to check", within=verify).fill(TEXT + " (edited)")
    public.follow(verify.get_by_role("button", name="Check the text"))
    assert public.page.get_by_role("status").filter(has_text="It does not match").count() == 1
