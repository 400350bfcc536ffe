"""Site admins create processes and appoint organisers; settings are safe by default."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from traceability.consultations.models import Process

from .conftest import client_for

ROOT = Path(__file__).resolve().parent.parent


def test_admin_creates_a_process_with_default_groups_and_an_organiser(admin_user, organiser):
    client = client_for(admin_user)
    response = client.post(
        reverse("admin:consultations_process_add"),
        {
            "slug": "igf-2026",
            "code": "IGF26",
            "title": "IGF 2026 messages",
            "summary": "",
            "description": "",
            "how_to_take_part": "",
            "opens_at_0": "2026-01-01",
            "opens_at_1": "00:00:00",
            "closes_at_0": "2026-02-01",
            "closes_at_1": "00:00:00",
            "published_at_0": "",
            "published_at_1": "",
            "response_window_days": "14",
            "group_only_location": "hidden",
            "organisers": [organiser.pk],
            "groups-TOTAL_FORMS": "0",
            "groups-INITIAL_FORMS": "0",
            "groups-MIN_NUM_FORMS": "0",
            "groups-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    process = Process.objects.get(code="IGF26")
    assert list(process.organisers.all()) == [organiser]
    assert process.response_window_days == 14
    assert [g.name for g in process.groups.all()] == [
        "Government",
        "Private sector",
        "Civil society",
        "Academia",
        "Technical community",
        "International organisation",
    ]
    # The organiser now has the workspace of this process.
    assert client_for(organiser).get(reverse("dispositions:workspace", args=["igf-2026"])).status_code == 200


def test_admin_refuses_a_process_that_closes_before_it_opens(admin_user):
    client = client_for(admin_user)
    response = client.post(
        reverse("admin:consultations_process_add"),
        {
            "slug": "backwards",
            "code": "BACK",
            "title": "Backwards",
            "opens_at_0": "2026-02-01",
            "opens_at_1": "00:00:00",
            "closes_at_0": "2026-01-01",
            "closes_at_1": "00:00:00",
            "groups-TOTAL_FORMS": "0",
            "groups-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert not Process.objects.filter(code="BACK").exists()


def test_pages_send_a_strict_content_security_policy(anon_client, process):
    policy = anon_client.get("/en/")["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy


def test_templates_contain_no_inline_script_or_style():
    for template in (ROOT / "templates").rglob("*.html"):
        text = template.read_text()
        assert "<script>" not in text and "<script " not in text, template
        assert " style=" not in text and "<style" not in text, template
        assert " onclick=" not in text and " onchange=" not in text, template


def run_check(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "ALLOWED_HOSTS", "DEBUG"}}
    return subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = run_check({"DEBUG": "false", "ALLOWED_HOSTS": "trace.example.org"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = run_check({"DEBUG": "false", "SECRET_KEY": "x" * 50})
    assert result.returncode != 0
    assert "ALLOWED_HOSTS must be set" in result.stderr


def test_production_settings_start_when_given():
    result = run_check({"DEBUG": "false", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "trace.example.org"})
    assert result.returncode == 0, result.stderr


def test_saving_a_process_in_the_admin_never_winds_back_its_receipt_counter(admin_user, process, stakeholder):
    from django.contrib import admin as django_admin
    from django.test import RequestFactory

    from traceability.consultations.admin import ProcessAdmin
    from traceability.consultations.models import Submission

    from .factories import file_submission

    stale = Process.objects.get(pk=process.pk)  # the admin form was opened here
    file_submission(process, stakeholder)
    file_submission(process, stakeholder)
    model_admin = ProcessAdmin(Process, django_admin.site)
    request = RequestFactory().post("/")
    request.user = admin_user
    form = model_admin.get_form(request, stale, change=True)(
        data={
            "slug": stale.slug,
            "code": stale.code,
            "title": "Renamed while people were submitting",
            "opens_at_0": stale.opens_at.strftime("%Y-%m-%d"),
            "opens_at_1": stale.opens_at.strftime("%H:%M:%S"),
            "closes_at_0": stale.closes_at.strftime("%Y-%m-%d"),
            "closes_at_1": stale.closes_at.strftime("%H:%M:%S"),
            "response_window_days": "30",
            "group_only_location": "hidden",
        },
        instance=stale,
    )
    assert form.is_valid(), form.errors
    model_admin.save_model(request, form.save(commit=False), form, change=True)

    process.refresh_from_db()
    assert process.title == "Renamed while people were submitting"
    assert process.last_number == 2
    third = file_submission(process, stakeholder)  # filing goes on where it was
    assert third.reference == "IGF25-00003" and Submission.objects.filter(process=process).count() == 3


def test_the_admin_cannot_publish_or_change_submissions(admin_user, process, stakeholder):
    from .factories import file_submission

    submission = file_submission(process, stakeholder, text="As filed")
    client = client_for(admin_user)
    change = reverse("admin:consultations_submission_change", args=[submission.pk])
    assert client.post(change, {"text": "Rewritten by an admin"}).status_code == 403
    submission.refresh_from_db()
    assert submission.text == "As filed"
    page = client.get(reverse("admin:consultations_process_change", args=[process.pk])).content.decode()
    assert 'name="published_at_0"' not in page  # publishing needs the coverage gate, not a date field


def test_an_organiser_with_decisions_on_record_cannot_be_deleted(process, stakeholder, organiser):
    from django.db.models import ProtectedError

    from traceability.dispositions.services import disposition_exclude

    from .factories import file_submission

    submission = file_submission(process, stakeholder)
    disposition_exclude(submission=submission, actor=organiser, ground="legal", legal_provision="Art. 1")
    with pytest.raises(ProtectedError):
        organiser.delete()


def example_environment(tmp_path) -> dict[str, str]:
    """The documented production environment (.env.example), with a generated key and a local database."""
    env = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, value = line.partition("=")
            env[name.strip()] = value.strip()
    env["SECRET_KEY"] = secrets.token_urlsafe(50)
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'deploy.sqlite3'}"
    return env


def test_the_documented_production_settings_pass_check_deploy_with_no_warning(tmp_path):
    # DJANGO_ALLOW_ASYNC_UNSAFE is set for the browser tests of this run, never in a deployment.
    dropped = {"SECRET_KEY", "ALLOWED_HOSTS", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in dropped}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**clean, **example_environment(tmp_path)},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_the_placeholder_secret_key():
    result = run_check({"DEBUG": "false", "SECRET_KEY": "change-me-to-a-long-random-string", "ALLOWED_HOSTS": "x.org"})
    assert result.returncode != 0
    assert "placeholder" in result.stderr


def test_load_demo_refuses_a_production_database_unless_forced(tmp_path):
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "ALLOWED_HOSTS", "DEBUG"}}
    env = {**clean, **example_environment(tmp_path), "TASKS_BACKEND": "database"}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    result = subprocess.run(
        [sys.executable, "manage.py", "load_demo"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0 and "DEBUG is off" in result.stderr
    check = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from traceability.accounts.models import User; print(User.objects.count())",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert check.stdout.strip().splitlines()[-1] == "0"  # no demo admin with the public password


def test_a_persistent_connection_is_health_checked():
    from django.conf import settings

    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True


def test_favicon_ico_leads_to_the_site_icon(client, settings):
    """Browsers ask for /favicon.ico on pages without an icon link (the admin, JSON downloads): not a 404."""
    from django.templatetags.static import static

    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == static("favicon.svg")
    assert response["Location"].startswith(settings.STATIC_URL) and response["Location"].endswith(".svg")
