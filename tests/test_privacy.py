"""A stakeholder can download their data and delete their account. Deletion anonymises them everywhere
(pages, downloads, the database) while their submissions' text, group and decisions stay public (shown by
group only from then on, so their country is no longer public either)."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.files.storage import storages
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from traceability.accounts.models import Notification, User
from traceability.accounts.services import account_anonymise
from traceability.consultations.models import Attribution, Submission
from traceability.dispositions.services import LinkSpec, disposition_exclude, disposition_reflect

from .conftest import client_for
from .factories import PASSWORD, file_submission, import_document, make_process, make_user
from .test_notifications import DATABASE_TASKS, run_worker

NAME = "Zebulon Quixotic-Marchetti"
EMAIL = "zebulon.qm@marchetti-distinct.example"
ORGANISATION = "Quixbridge Lantern Cooperative"
# Lower case: every search below is case-insensitive.
NEEDLES = ("zebulon", "quixotic", "marchetti", "quixbridge", "lantern cooperative")


def hits(text: str) -> list[str]:
    lowered = text.lower()
    return [needle for needle in NEEDLES if needle in lowered]


def content(response) -> str:
    assert response.status_code == 200, response.status_code
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    if raw[:2] == b"PK":  # the .xlsx: every XML part of the archive
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            return "\n".join(archive.read(name).decode("utf-8") for name in archive.namelist())
    return raw.decode("utf-8")


def sign_in(email: str) -> Client:
    client = Client()
    response = client.post(reverse("account_login"), {"login": email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def public_pages(process, submissions) -> dict[str, str]:
    slug = process.slug
    urls = {name: reverse(f"reports:{name}", args=[slug]) for name in ("mapping-csv", "mapping-json", "report-json")}
    urls["xlsx"] = reverse("reports:doc-xlsx", args=[slug])
    urls["report"] = reverse("reports:report", args=[slug])
    urls["process"] = process.get_absolute_url()
    for submission in submissions:
        urls[submission.reference] = submission.get_absolute_url()
    anonymous = Client()
    pages = {}
    for name, url in urls.items():
        response = anonymous.get(url)
        if response.status_code == 202:  # a download built by a background task: the worker builds it
            run_worker()
            response = anonymous.get(url)
        pages[name] = content(response)
    return pages


def stored_files() -> str:
    """Every file kept in the exports storage (the built downloads), the .xlsx unzipped."""
    root = Path(storages["exports"].location)
    texts = []
    for path in root.rglob("*") if root.exists() else []:
        if path.is_file():
            raw = path.read_bytes()
            if raw[:2] == b"PK":
                with zipfile.ZipFile(io.BytesIO(raw)) as archive:
                    texts.extend(archive.read(name).decode("utf-8") for name in archive.namelist())
            else:
                texts.append(raw.decode("utf-8"))
    return "\n".join(texts)


def database_dump() -> str:
    out = io.StringIO()
    call_command("dumpdata", stdout=out)
    tables = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            tables.append(f"{table}: {cursor.fetchall()!r}")
    return out.getvalue() + "\n".join(tables)


@pytest.mark.django_db(transaction=True)
def test_a_deleted_account_leaves_no_trace_in_the_database_or_any_page_or_download(organiser, admin_user, settings):
    settings.TASKS = DATABASE_TASKS
    process = make_process(phase="closed", code="PRIV", organisers=(organiser,))
    clause = {c.eid: c for c in import_document(process, organiser).clauses.all()}
    person = make_user(email=EMAIL, display_name=NAME, organisation=ORGANISATION, country="KE")
    reflected = file_submission(process, person, title="Open formats", text="Publish the text in open formats.")
    excluded = file_submission(
        process, person, title="An unlawful idea", text="Something no law allows.", attribution=Attribution.GROUP
    )
    pending = file_submission(process, person, title="Still pending", text="Consider this later.")
    disposition_reflect(
        submission=reflected,
        actor=organiser,
        links=[LinkSpec(clause=clause["para_2"], extent="full", note="Taken in full.")],
    )
    disposition_exclude(submission=excluded, actor=organiser, ground="legal", legal_provision="Art. 9")
    run_worker()  # the three receipts and the two decision mails go out through the real worker
    assert sorted(m.to[0] for m in mail.outbox) == [EMAIL] * 5
    # A site admin once edited the person's account: the admin log names them.
    LogEntry.objects.create(
        user=admin_user,
        content_type=ContentType.objects.get_for_model(User),
        object_id=str(person.pk),
        object_repr=str(person),
        action_flag=CHANGE,
        change_message=json.dumps([{"changed": {"fields": ["Organisation"]}}]),
    )
    their_client, other_device = sign_in(EMAIL), sign_in(EMAIL)
    submissions = [reflected, excluded, pending]

    # Before: the name and organisation are public and in the database (so the searches below can find them).
    before = public_pages(process, submissions)
    assert hits(before[reflected.reference]) and hits(before["mapping-csv"]) and hits(before["mapping-json"])
    assert "Publish the text in open formats." in before["xlsx"]  # the archive's XML is read
    assert hits(database_dump())
    assert hits(stored_files())  # the built downloads are kept as files

    page = their_client.get(reverse("accounts:delete"))
    assert page.status_code == 200 and "cannot be undone" in page.content.decode()
    response = their_client.post(reverse("accounts:delete"), {"password": PASSWORD}, follow=True)
    assert "Your account was deleted." in response.content.decode()

    # Nowhere in the database: every app's dump, and every row of every table read with raw SQL.
    assert hits(database_dump()) == []
    # Nor in a file kept on disk: the built downloads that held the name are gone at once.
    assert hits(stored_files()) == []
    # Nowhere on a public page or in a download.
    after = public_pages(process, submissions)
    for name, text in after.items():
        assert hits(text) == [], name
    # Nor on the organisers' pages or in the admin.
    organiser_client, admin_client = client_for(organiser), client_for(admin_user)
    private = [
        organiser_client.get(reverse("dispositions:workspace", args=[process.slug])),
        admin_client.get(reverse("admin:index")),
        admin_client.get(reverse("admin:accounts_user_changelist")),
        admin_client.get(reverse("admin:consultations_submission_changelist")),
        admin_client.get(reverse("admin:accounts_user_change", args=[person.pk])),
    ] + [organiser_client.get(reverse("dispositions:review", args=[process.slug, s.reference])) for s in submissions]
    for response in private:
        assert hits(content(response)) == [], response.wsgi_request.path

    # The public record stands, attributed to a withdrawn participant of their group, without their country.
    trace = after[reflected.reference]
    assert "Withdrawn participant" in trace
    assert "Publish the text in open formats." in trace and "Civil society" in trace and "Kenya" not in trace
    assert "Taken in full." in trace
    assert "Art. 9" in after[excluded.reference]
    rows = {row["reference"]: row for row in json.loads(after["mapping-json"])["rows"]}
    assert rows[reflected.reference]["text"] == "Publish the text in open formats."
    assert rows[reflected.reference]["status"] == "reflected" and rows[reflected.reference]["country"] is None
    assert rows[excluded.reference]["ground"] == "legal"

    # The account is closed: both sessions ended, the password no longer works, nothing more is sent.
    person.refresh_from_db()
    assert person.email == f"deleted-{person.pk}@invalid" and not person.is_active
    assert not person.has_usable_password()
    assert str(person) == "withdrawn participant"
    assert not Notification.objects.filter(recipient=person).exists()
    for client in (their_client, other_device):
        assert client.get(reverse("reports:me")).status_code == 302
    assert not any(s.get_decoded().get("_auth_user_id") == str(person.pk) for s in Session.objects.all())
    assert not Client().login(username=EMAIL, password=PASSWORD)


def test_deleting_needs_the_password_and_a_post(stakeholder, stakeholder_client, process):
    file_submission(process, stakeholder)

    wrong = stakeholder_client.post(reverse("accounts:delete"), {"password": "not it"})
    assert wrong.status_code == 400
    assert "That is not your password. Your account was not deleted." in wrong.content.decode()
    stakeholder.refresh_from_db()
    assert stakeholder.is_active and stakeholder.display_name == "Amina Stakeholder"
    assert Submission.objects.get().author_name == "Amina Stakeholder"

    assert stakeholder_client.get(reverse("accounts:delete")).status_code == 200
    stakeholder.refresh_from_db()
    assert stakeholder.is_active  # showing the confirmation page changes nothing

    assert Client().get(reverse("accounts:delete")).status_code == 302  # to sign in


def test_the_anonymised_submission_is_group_only_and_its_organisation_leaves_the_reach(stakeholder, process):
    submission = file_submission(process, stakeholder)
    account_anonymise(user=stakeholder)

    submission.refresh_from_db()
    assert (submission.author_name, submission.organisation) == ("", "")
    assert submission.attribution == Attribution.GROUP
    assert submission.public_author == "Withdrawn participant"
    assert submission.country == "KE" and submission.text == "Please add a clause."


def test_an_organiser_who_leaves_loses_their_processes(organiser, process):
    account_anonymise(user=organiser)
    assert not process.is_organiser(organiser)


# ----------------------------------------------------------------------------- downloading one's data


def test_my_data_holds_the_profile_the_submissions_with_decisions_and_the_mail(
    stakeholder, other_stakeholder, organiser, closed_process, django_capture_on_commit_callbacks
):
    clause = {c.eid: c for c in import_document(closed_process, organiser).clauses.all()}
    with django_capture_on_commit_callbacks(execute=True):
        mine = file_submission(closed_process, stakeholder, title="Mine", text="My words.")
        pending = file_submission(closed_process, stakeholder, title="Waiting")
        file_submission(closed_process, other_stakeholder, title="Not mine", text="Their words.")
    disposition_reflect(
        submission=mine, actor=organiser, links=[LinkSpec(clause=clause["para_3"], extent="partial", note="Partly.")]
    )

    response = client_for(stakeholder).get(reverse("reports:me-data"))

    assert response["Content-Type"] == "application/json"
    assert 'attachment; filename="trace-my-data.json"' == response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["profile"]["email"] == stakeholder.email
    assert data["profile"]["display_name"] == "Amina Stakeholder" and data["profile"]["notify_updates"] is True
    by_reference = {s["reference"]: s for s in data["submissions"]}
    assert set(by_reference) == {mine.reference, pending.reference}
    exported = by_reference[mine.reference]
    assert exported["text"] == "My words." and exported["text_sha256"] == mine.text_sha256
    assert exported["status"] == "reflected"
    assert exported["decision"]["kind"] == "reflected"
    assert exported["decision"]["links"] == [
        {"clause_label": "3", "clause_eid": "para_3", "document_version": 1, "extent": "partial", "note": "Partly."}
    ]
    assert exported["trace_url"].endswith(mine.get_absolute_url())
    assert by_reference[pending.reference]["decision"] is None
    assert sorted(n["kind"] for n in data["notifications"]) == ["decision", "receipt", "receipt"]
    assert all(n["status"] == "sent" for n in data["notifications"] if n["kind"] == "receipt")
    assert "Their words." not in response.content.decode()


def test_my_data_is_only_for_the_signed_in(anon_client):
    response = anon_client.get(reverse("reports:me-data"))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_me_and_the_profile_link_to_the_download_and_the_deletion(stakeholder_client):
    for page in (reverse("reports:me"), reverse("accounts:profile")):
        html = stakeholder_client.get(page).content.decode()
        assert reverse("reports:me-data") in html
        assert reverse("accounts:profile") in html or reverse("accounts:delete") in html
    assert reverse("accounts:delete") in stakeholder_client.get(reverse("accounts:profile")).content.decode()
