"""A stakeholder turns off update e-mails, downloads their data and deletes their account; their
submission stays public as a withdrawn participant's."""

from __future__ import annotations

import json

import pytest

from traceability.accounts.models import User

from ..factories import PASSWORD, file_submission, make_process, make_user

pytestmark = pytest.mark.browser

NAME = "Ottoline Brackenridge"


def test_stakeholder_opts_out_downloads_their_data_and_deletes_their_account(visitor, organiser):
    process = make_process(phase="open", code="PRIV", organisers=(organiser,))
    person = make_user(display_name=NAME, organisation="Brackenridge Trust")
    submission = file_submission(process, person, title="Keep the archive open", text="Archive every draft.")
    page = visitor.page
    visitor.sign_in(person)

    # The profile: receipts always go, the rest can be turned off.
    visitor.goto("/en/accounts/profile/")
    assert "Receipts are always sent." in visitor.main().inner_text()
    visitor.field("E-mail me about my submissions").uncheck()
    visitor.follow(visitor.main().get_by_role("button", name="Save"))
    assert User.objects.get(pk=person.pk).notify_updates is False

    # From "My submissions", the download and the account settings.
    visitor.goto("/en/me/")
    with page.expect_download() as download:
        visitor.main().get_by_role("link", name="Download all your data (JSON)").click()
    data = json.loads(open(download.value.path(), encoding="utf-8").read())  # noqa: SIM115
    assert data["profile"]["display_name"] == NAME and data["profile"]["notify_updates"] is False
    assert [s["reference"] for s in data["submissions"]] == [submission.reference]

    visitor.follow(visitor.main().get_by_role("link", name="E-mail settings and account deletion"))
    visitor.follow(visitor.main().get_by_role("link", name="Delete your account"))
    assert visitor.path == "/en/accounts/delete/"

    # A wrong password deletes nothing and says so.
    visitor.field("Your password").fill("not my password")
    visitor.follow(visitor.main().get_by_role("button", name="Delete my account"), status=400)
    assert "That is not your password. Your account was not deleted." in visitor.main().inner_text()
    assert User.objects.get(pk=person.pk).is_active

    visitor.field("Your password").fill(PASSWORD)
    visitor.follow(visitor.main().get_by_role("button", name="Delete my account"))
    assert visitor.path == "/en/"
    assert "Your account was deleted." in visitor.main().inner_text()
    assert page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign in").count() == 1

    # The submission stays in the public record, without the name.
    visitor.goto(submission.get_absolute_url())
    text = visitor.main().inner_text()
    assert "Withdrawn participant" in text and "Archive every draft." in text
    assert "Brackenridge" not in page.content()
