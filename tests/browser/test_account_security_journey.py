"""The account pages in a real browser: an organiser sets up two-factor authentication on the way to
the workspace, a stakeholder finds the security page, and every page passes axe under the strict CSP."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator

from traceability.accounts.models import SecurityEvent, SecurityEventKind

from ..factories import PASSWORD, file_submission, make_process, make_user, totp_code

pytestmark = pytest.mark.browser


def test_an_organiser_sets_up_a_second_factor_on_the_way_to_the_workspace(visitor):
    organiser = make_user(display_name="Nadia Organiser")
    process = make_process(phase="open", code="MFA26", organisers=(organiser,))
    Authenticator.objects.filter(user=organiser).delete()  # appointed, but no factor yet
    workspace = f"/en/processes/{process.slug}/workspace/"

    visitor.sign_in(organiser, next_path=workspace)
    # Not yet at the workspace: first the password again, then the authenticator app.
    assert visitor.path.startswith("/en/accounts/reauthenticate/"), visitor.path
    visitor.field("Password").fill(PASSWORD)
    visitor.follow(visitor.main().get_by_role("button", name="Confirm"))
    assert visitor.path.startswith("/en/accounts/2fa/totp/activate/"), visitor.path
    assert visitor.main().get_by_role("img").count() == 1  # the QR code, a data: image the CSP allows
    secret = visitor.page.locator("#authenticator_secret").input_value()
    visitor.field("Authenticator code").fill(totp_code(secret))
    visitor.follow(visitor.main().get_by_role("button", name="Activate"))
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.MFA_ADDED, user=organiser).exists()

    # The recovery codes come next, with the way back to where the organiser was going.
    visitor.follow(visitor.page.get_by_test_id("mfa-next").get_by_role("link"))
    assert visitor.path == workspace
    assert visitor.page.get_by_role("heading", level=1).inner_text() == "Organisers' workspace"
    visitor.follow(visitor.main().get_by_role("link", name="Blocked attempts to file"))
    assert visitor.page.get_by_role("heading", level=1).inner_text() == "Blocked attempts to file"


def test_a_stakeholder_finds_password_e_mail_and_activity_in_one_place(visitor, process):
    person = make_user(display_name="Tomás Stakeholder")
    file_submission(process, person)
    visitor.sign_in(person)
    visitor.goto("/en/accounts/profile/")
    visitor.follow(visitor.main().get_by_role("link", name="Sign-in and security", exact=False))
    assert "Signed in" in visitor.main().inner_text()
    visitor.follow(visitor.main().get_by_role("link", name="Change your password"))
    visitor.goto("/en/accounts/security/")
    visitor.follow(visitor.main().get_by_role("link", name="Two-factor authentication"))
    # Signed out, the reset page is one link from the sign-in page.
    visitor.goto("/en/accounts/profile/")
    visitor.follow(visitor.page.get_by_role("button", name="Sign out"))
    visitor.goto("/en/accounts/login/")
    visitor.follow(visitor.main().get_by_role("link", name="Forgot your password?"))
    assert visitor.path == "/en/accounts/password/reset/"
