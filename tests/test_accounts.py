"""Accounts on django-allauth: a confirmed address before anything filed counts, password reset over a
real SMTP server, lockout after failed sign-ins, a second factor for organisers and admins, the
ASVS level 2 password policy, idle sign-out, and the security log of all of it."""

from __future__ import annotations

import json
import logging
import os
import re
import socket
import subprocess  # nosec B404 (the test runs this Python on fixed arguments)
import sys
import time
from email import message_from_bytes

import pytest
from aiosmtpd.controller import Controller
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from traceability.accounts.audit import ip_hash
from traceability.accounts.middleware import LAST_SEEN_SESSION_KEY, MFA_SESSION_KEY, SIGNED_IN_SESSION_KEY
from traceability.accounts.models import SecurityEvent, SecurityEventKind, User
from traceability.consultations.models import Submission

from .conftest import client_for
from .factories import PASSWORD, give_totp, make_user, totp_code

SIGN_UP = {
    "display_name": "Dana Participant",
    "email": "Dana@Example.org",
    "organisation": "Lake Region Networks",
    "stakeholder_kind": "academia",
    "country": "FR",
    "password1": "a long enough passphrase 42",
    "password2": "a long enough passphrase 42",
}


class Inbox:
    """A real SMTP server on the loopback interface, keeping what it receives."""

    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"

    def body(self, index: int = -1) -> str:
        message = self.messages[index]
        part = next(p for p in message.walk() if p.get_content_type() == "text/plain")
        return part.get_payload(decode=True).decode()

    def link(self, pattern: str, index: int = -1) -> str:
        match = re.search(r"https?://[^/\s]+(" + pattern + r")", self.body(index))
        assert match, self.body(index)
        return match.group(1)


@pytest.fixture
def inbox(settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", port, False
    yield handler
    controller.stop()


def events(kind: str, **filters: object) -> list[SecurityEvent]:
    return list(SecurityEvent.objects.filter(kind=kind, **filters))


def post(client: Client, name: str, data: dict, capture, **kwargs: object):
    """POST, running what the view scheduled after its transaction (the mail task) as a real commit would."""
    with capture(execute=True):
        return client.post(reverse(name, **kwargs), data)


# --------------------------------------------------------------------------------------- sign-up


def test_sign_up_needs_a_confirmed_address_before_signing_in_or_filing(
    db, inbox, process, django_capture_on_commit_callbacks
):
    client = Client()
    response = post(client, "account_signup", SIGN_UP, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(email="dana@example.org")
    assert (user.display_name, user.organisation, user.stakeholder_kind, user.country.code) == (
        "Dana Participant",
        "Lake Region Networks",
        "academia",
        "FR",
    )
    assert [m["To"] for m in inbox.messages] == ["dana@example.org"]
    assert events(SecurityEventKind.SIGNED_UP, user=user)

    # Not signed in yet, and signing in elsewhere only resends the link.
    assert client.get(reverse("reports:me")).status_code == 302
    other = Client()
    refused = post(
        other,
        "account_login",
        {"login": "dana@example.org", "password": SIGN_UP["password1"]},
        django_capture_on_commit_callbacks,
    )
    assert refused["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in other.session

    # An unconfirmed account (here signed in directly) cannot file: told why, nothing saved, logged.
    unconfirmed = client_for(user)
    submit = reverse("consultations:submission-create", args=[process.slug])
    assert unconfirmed.get(submit).status_code == 403
    refused_filing = unconfirmed.post(submit, {"title": "t", "text": "x"})
    assert refused_filing.status_code == 403
    assert "Confirm your e-mail address first" in refused_filing.content.decode()
    assert Submission.objects.count() == 0
    assert events(SecurityEventKind.BLOCKED, reason="unverified", process_id=process.pk, user=user)

    # Following the link confirms the address; then the account signs in with the address as typed.
    confirm = inbox.link(r"/en/accounts/confirm-email/[^/\s]+/")
    assert client.get(confirm).status_code == 200
    assert client.post(confirm).status_code == 302
    assert user.emailaddress_set.get().verified
    assert events(SecurityEventKind.EMAIL_VERIFIED, user=user)
    fresh = Client()
    signed_in = fresh.post(reverse("account_login"), {"login": "Dana@Example.org", "password": SIGN_UP["password1"]})
    assert signed_in.status_code == 302 and signed_in["Location"] == reverse("reports:me")
    assert fresh.get(submit).status_code == 200


def test_sign_up_refuses_weak_and_breached_passwords_and_writes_nothing(db):
    for weak in ("short pass1", "Password2024!", "qwertyuiop12", "monkeymonkeymonkey", "dana participant 1"):
        response = Client().post(reverse("account_signup"), {**SIGN_UP, "password1": weak, "password2": weak})
        assert response.status_code == 200, weak
        assert response.context["form"].errors, weak
    assert not User.objects.exists()


@pytest.mark.parametrize(
    ("password", "accepted"),
    [
        ("elevenchars", False),  # under 12
        ("P4ssw0rd!P4ssw0rd!", False),  # a breached password, disguised and repeated
        ("Sunshine2026", False),
        ("iloveyou-1234", False),
        ("123456789012", False),
        ("correct horse battery staple", True),
        ("river tangent 42 orchid", True),
    ],
)
def test_the_password_policy_is_asvs_level_2(password, accepted):
    try:
        validate_password(password)
    except ValidationError:
        assert not accepted
    else:
        assert accepted


def test_a_robot_filling_the_hidden_field_is_refused_with_a_reason_and_logged(db):
    response = Client().post(reverse("account_signup"), {**SIGN_UP, "leave_this_empty": "http://spam.example"})
    assert response.status_code == 200
    assert "meant to stay empty" in response.content.decode()
    assert not User.objects.exists()
    assert events(SecurityEventKind.BLOCKED, reason="honeypot", action="signup")


def test_sign_ups_from_one_address_are_rate_limited_and_each_refusal_is_logged(db):
    client = Client()
    statuses = []
    for n in range(7):
        data = {**SIGN_UP, "email": f"bulk{n}@example.org", "display_name": f"Government {n}"}
        statuses.append(client.post(reverse("account_signup"), data).status_code)
    assert statuses[:5] == [302] * 5
    assert statuses[5:] == [429, 429]
    assert User.objects.count() == 5
    blocked = events(SecurityEventKind.BLOCKED, reason="rate_limit", action="account_signup")
    assert len(blocked) == 2
    assert blocked[0].ip_hash == ip_hash("127.0.0.1") and "127.0.0.1" not in blocked[0].ip_hash


# --------------------------------------------------------------------------------------- sign-in


def test_failed_sign_ins_lock_the_account_out_and_are_logged(db, stakeholder, caplog):
    client = Client()
    for _ in range(5):
        response = client.post(reverse("account_login"), {"login": stakeholder.email, "password": "wrong password!"})
        assert response.status_code == 200
    # The right password straight after five failures is refused too.
    locked = client.post(reverse("account_login"), {"login": stakeholder.email, "password": PASSWORD})
    assert locked.status_code == 200
    assert "Too many failed login attempts" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    assert len(events(SecurityEventKind.SIGN_IN_FAILED, user=stakeholder)) == 5
    assert len(events(SecurityEventKind.LOCKED_OUT, user=stakeholder)) == 1
    # Another address from elsewhere is not locked out by it.
    other = make_user()
    assert Client().post(reverse("account_login"), {"login": other.email, "password": PASSWORD}).status_code == 302
    assert events(SecurityEventKind.SIGN_IN, user=other)


def test_user_input_cannot_forge_a_line_of_the_security_log(db, stakeholder, caplog):
    # The user agent is recorded as sent: here it tries to start a second, forged entry.
    forged = 'Mozilla/5.0\n{"event": "sign_in", "user": 1}'
    with caplog.at_level(logging.INFO, logger="trace.security"):
        Client(HTTP_USER_AGENT=forged).post(
            reverse("account_login"), {"login": stakeholder.email, "password": "nope nope nope"}
        )
    lines = [record.getMessage() for record in caplog.records if record.name == "trace.security"]
    assert lines, "the failure is logged"
    for line in lines:
        assert "\n" not in line
        assert json.loads(line)["event"] == "sign_in_failed"
        assert json.loads(line)["agent"] == forged


def test_the_admin_signs_in_through_the_site_sign_in():
    response = Client().get("/en/admin/login/?next=/en/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_sessions_end_after_idle_time_and_cookies_carry_the_host_prefix(db, stakeholder, settings):
    client = client_for(stakeholder)
    assert client.get(reverse("accounts:profile")).status_code == 200
    session = client.session
    session[LAST_SEEN_SESSION_KEY] = int(time.time()) - settings.SESSION_IDLE_TIMEOUT - 5
    session.save()
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    signed_in = Client().post(reverse("account_login"), {"login": stakeholder.email, "password": PASSWORD})
    cookie = signed_in.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["path"] == "/" and not cookie["domain"] and cookie["httponly"]
    assert settings.SESSION_COOKIE_AGE <= 12 * 60 * 60


def test_production_settings_give_the_cookies_the_host_prefix():
    env = {
        "PATH": os.environ["PATH"],
        "DEBUG": "false",
        "SECRET_KEY": "x" * 60,
        "ALLOWED_HOSTS": "trace.example.org",
        "DJANGO_SETTINGS_MODULE": "traceability.settings",
    }
    script = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE)"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=settings.BASE_DIR, capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["__Host-sessionid", "__Host-csrftoken", "True", "True"]


# --------------------------------------------------------------------------------------- password reset


def test_password_reset_works_end_to_end_over_smtp(db, stakeholder, inbox, django_capture_on_commit_callbacks):
    client = Client()
    response = post(client, "account_reset_password", {"email": stakeholder.email}, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert len(inbox.messages) == 1 and inbox.messages[0]["To"] == stakeholder.email
    link = inbox.link(r"/en/accounts/password/reset/key/[^\s]+/")
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    new = "a brand new passphrase 7"
    done = client.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else link, {"password1": new, "password2": new}
    )
    assert done.status_code == 302
    finished = client.get(done["Location"])
    assert "Password changed" in finished.content.decode() and reverse("account_login") in finished.content.decode()
    assert events(SecurityEventKind.PASSWORD_RESET, user=stakeholder)
    # The old password no longer signs in; the new one does. The link cannot be used twice.
    assert (
        Client().post(reverse("account_login"), {"login": stakeholder.email, "password": PASSWORD}).status_code == 200
    )
    assert Client().post(reverse("account_login"), {"login": stakeholder.email, "password": new}).status_code == 302
    again = Client().get(link, follow=True)
    assert "password1" not in again.content.decode()


def test_a_reset_for_an_unknown_address_reveals_nothing(db, inbox, django_capture_on_commit_callbacks):
    response = post(
        Client(), "account_reset_password", {"email": "nobody@example.org"}, django_capture_on_commit_callbacks
    )
    assert response.status_code == 302 and response["Location"] == reverse("account_reset_password_done")


def test_password_change_needs_the_current_password_and_is_logged(db, stakeholder):
    client = client_for(stakeholder)
    new = "another fine passphrase 9"
    wrong = client.post(reverse("account_change_password"), {"oldpassword": "nope", "password1": new, "password2": new})
    assert wrong.status_code == 200
    right = client.post(
        reverse("account_change_password"), {"oldpassword": PASSWORD, "password1": new, "password2": new}
    )
    assert right.status_code == 302
    stakeholder.refresh_from_db()
    assert stakeholder.check_password(new)
    assert events(SecurityEventKind.PASSWORD_CHANGED, user=stakeholder)


# --------------------------------------------------------------------------------------- two factors


@pytest.mark.django_db(transaction=True)  # allauth announces the new factor on commit, as in production
def test_an_organiser_without_a_second_factor_must_set_one_up_before_the_workspace(process, organiser):
    Authenticator.objects.filter(user=organiser).delete()
    client = Client()
    assert client.post(reverse("account_login"), {"login": organiser.email, "password": PASSWORD}).status_code == 302
    workspace = reverse("dispositions:workspace", args=[process.slug])
    response = client.get(workspace)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp"))
    # Public pages and the account's own pages stay reachable.
    assert client.get(reverse("reports:me")).status_code == 200
    # Setting up a factor asks for the password again first (allauth's "sudo mode").
    again = client.get(reverse("mfa_activate_totp"))
    assert again["Location"].startswith(reverse("account_reauthenticate"))
    assert client.post(again["Location"], {"password": PASSWORD}).status_code == 302
    page = client.get(reverse("mfa_activate_totp"))
    secret = page.context["form"].secret
    activated = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert activated.status_code == 302
    assert events(SecurityEventKind.MFA_ADDED, user=organiser)
    assert client.get(workspace).status_code == 200


def test_an_organiser_signs_in_with_password_and_code(db, process, organiser):
    secret = give_totp(organiser)
    workspace = reverse("dispositions:workspace", args=[process.slug])
    client = Client()
    first = client.post(
        f"{reverse('account_login')}?next={workspace}", {"login": organiser.email, "password": PASSWORD}
    )
    assert first.status_code == 302 and first["Location"].startswith(reverse("mfa_authenticate"))
    assert client.get(workspace).status_code == 302  # not signed in with the password alone
    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000" if totp_code(secret) != "000000" else "111111"})
    assert wrong.status_code == 200
    second = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert second.status_code == 302 and second["Location"] == workspace
    assert client.session[MFA_SESSION_KEY] == organiser.pk
    assert client.get(workspace).status_code == 200


def test_an_organiser_signed_in_without_the_code_is_asked_for_it(db, process, organiser):
    secret = give_totp(organiser)
    client = client_for(organiser, mfa=False)
    workspace = reverse("dispositions:workspace", args=[process.slug])
    response = client.get(workspace)
    assert response["Location"].startswith(reverse("mfa_reauthenticate"))
    client.post(reverse("mfa_reauthenticate"), {"code": totp_code(secret)})
    assert client.get(workspace).status_code == 200


def test_the_admin_needs_a_second_factor_too(db, admin_user):
    client = client_for(admin_user, mfa=False)
    response = client.get("/en/admin/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("mfa_activate_totp"))
    assert client_for(admin_user).get("/en/admin/").status_code == 200


# --------------------------------------------------------------------------------------- roles and the log


def test_role_changes_and_publication_are_in_the_security_log(db, organiser, other_process, admin_user):
    stakeholder = make_user()
    stakeholder.is_staff = True
    stakeholder.save()
    assert events(SecurityEventKind.ROLE_CHANGED, user=stakeholder, detail__role="is_staff")
    other_process.organisers.add(stakeholder)
    assert events(SecurityEventKind.ROLE_CHANGED, user=stakeholder, process_id=other_process.pk)


def test_my_security_page_lists_my_own_events_only(db, stakeholder, other_stakeholder):
    Client().post(reverse("account_login"), {"login": stakeholder.email, "password": "wrong password!"})
    Client().post(reverse("account_login"), {"login": other_stakeholder.email, "password": "wrong password!"})
    page = client_for(stakeholder).get(reverse("accounts:security"))
    assert page.status_code == 200
    shown = page.context["events"]
    assert {event.user_id for event in shown} == {stakeholder.pk}
    assert SecurityEventKind.SIGN_IN_FAILED in {event.kind for event in shown}
    assert settings.AUTH_PASSWORD_VALIDATORS[1]["OPTIONS"]["min_length"] == 12


# --------------------------------------------------------------------------------------- what review found


def test_an_organisers_second_factor_cannot_be_removed_and_its_secret_is_encrypted(db, process, organiser):
    secret = give_totp(organiser)
    stored = Authenticator.objects.get(user=organiser, type=Authenticator.Type.TOTP).data["secret"]
    assert stored != secret and secret not in stored  # encrypted at rest, so a backup does not hold it
    client = client_for(organiser)
    client.post(reverse("mfa_deactivate_totp"))
    assert Authenticator.objects.filter(user=organiser, type=Authenticator.Type.TOTP).exists()
    assert not events(SecurityEventKind.MFA_REMOVED, user=organiser)


def test_account_mails_wait_in_the_queue_encrypted(db, stakeholder, settings, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": settings.TASK_QUEUES}}
    post(Client(), "account_reset_password", {"email": stakeholder.email}, django_capture_on_commit_callbacks)
    queued = DBTaskResult.objects.get()
    stored = json.dumps(queued.args_kwargs)
    assert "password/reset/key" not in stored and stakeholder.email not in stored


def test_a_busy_session_still_ends_after_twelve_hours(db, stakeholder, settings):
    client = Client()
    client.post(reverse("account_login"), {"login": stakeholder.email, "password": PASSWORD})
    session = client.session
    assert isinstance(session[SIGNED_IN_SESSION_KEY], int)
    session[SIGNED_IN_SESSION_KEY] -= settings.SESSION_COOKIE_AGE + 5
    session[LAST_SEEN_SESSION_KEY] = int(time.time())  # active a moment ago
    session.save()
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_the_honeypot_message_is_shown_above_the_form(db, process, stakeholder):
    response = client_for(stakeholder).post(
        reverse("consultations:submission-create", args=[process.slug]),
        {"title": "t", "text": "x", "attribution": "name", "leave_this_empty": "x"},
    )
    assert "meant to stay empty" in " ".join(response.context["form"].non_field_errors())


def test_an_unconfirmed_account_cannot_edit_or_reply_either(db, process, organiser):
    from traceability.dispositions.services import disposition_not_take_up

    from .factories import file_submission

    person = make_user()
    submission = file_submission(process, person)
    disposition_not_take_up(submission=submission, actor=organiser, reason="Out of scope.")
    person.emailaddress_set.update(verified=False)
    client = client_for(person)
    edit = reverse("consultations:submission-edit", args=[process.slug, submission.reference])
    assert client.get(edit).status_code == 403
    respond = reverse("dispositions:respond", args=[process.slug, submission.reference])
    assert client.post(respond, {"revision": "1", "kind": "agree", "reason": ""}).status_code == 403
    from traceability.dispositions.models import Response

    assert not Response.objects.filter(revision__submission=submission).exists()


def test_a_new_superuser_is_a_role_change_in_the_log(db):
    admin = User.objects.create_superuser(email="root@example.org", password="a long enough passphrase 42")
    logged = {event.detail["role"] for event in events(SecurityEventKind.ROLE_CHANGED, user=admin)}
    assert logged == {"is_staff", "is_superuser"}


def test_sign_up_makes_no_choice_for_the_person(db):
    form = Client().get(reverse("account_signup")).context["form"]
    assert form["stakeholder_kind"].value() in (None, "")
    assert form["country"].value() in (None, "")
    response = Client().post(reverse("account_signup"), {**SIGN_UP, "stakeholder_kind": "", "country": ""})
    assert set(response.context["form"].errors) >= {"stakeholder_kind", "country"}
    assert not User.objects.exists()
