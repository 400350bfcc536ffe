"""Privacy of attribution: a submitter shown by stakeholder group only is not a named person in disguise.

"A member of Government from Tuvalu" names someone. So a submission not shown by name (the author chose the
group only, withdrew it, deleted their account, or it is withheld) is public with neither the author's name
and organisation nor their country (or only the region of the world, when the process chooses it); public
pages and downloads give dates to the day, not the time; and no download or public page gives a database id
of a submission, a person, a decision or a reply.

Every public page and download is fetched and searched, so a new surface that leaks fails here.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from traceability.accounts.models import StakeholderKind, User
from traceability.consultations.models import Attribution, GroupOnlyLocation, Process, Submission
from traceability.consultations.regions import REGION_BY_COUNTRY, Region, region_of
from traceability.consultations.services import submission_withdraw
from traceability.dispositions.models import DecisionRevision, Disposition, Response, ResponseKind
from traceability.dispositions.services import (
    LinkSpec,
    contest_answer,
    disposition_exclude,
    disposition_reflect,
    response_record,
)
from traceability.publications.services import snapshot_create
from traceability.reports.exports.mapping import COLUMNS

from .factories import file_submission, import_document, make_process, make_user

# The group-only stakeholder: from Tuvalu, with a name and an organisation found nowhere else.
HIDDEN_NAME = "Tavita Lopaoa-Fonoti"
HIDDEN_ORGANISATION = "Funafuti Kaupule Seaweed Trust"
# A stakeholder shown by name who later withdraws: from Liechtenstein.
WITHDRAWING_NAME = "Wilhelmina Xanthoudakis"
WITHDRAWING_ORGANISATION = "Xanthoudakis Kelp Syndicate"
# A stakeholder shown by name, who stays: the control that proves the searches can find something.
NAMED = "Ottoline Brackenbury"
NAMED_ORGANISATION = "Brackenbury Lantern Guild"

SECRET_WORDS = ("tavita", "lopaoa", "fonoti", "funafuti", "kaupule", "wilhelmina", "xanthoudakis", "kelp syndicate")
SECRET_COUNTRIES = ("tuvalu", "liechtenstein")
# Distinctive first database ids, so that an id in a page cannot be mistaken for another number.
FIRST_IDS = {Submission: 7_345_001, User: 8_345_001, DecisionRevision: 9_345_001, Disposition: 6_345_001}
FIRST_IDS |= {Response: 5_345_001}
DAY_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
TIME_COLUMNS = ("received_at", "withdrawn_at", "decided_at", "first_decided_at")


def start_ids_at(model: type, value: int) -> None:
    """Make the next row of ``model`` get id ``value`` (PostgreSQL sequence, SQLite AUTOINCREMENT counter)."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s, false)", [table, value])
        else:
            cursor.execute("DELETE FROM sqlite_sequence WHERE name = %s", [table])
            cursor.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, value - 1])


def read(response) -> str:
    assert response.status_code == 200, (response.status_code, response.wsgi_request.path)
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    if raw[:2] == b"PK":  # the .xlsx: every XML part of the archive
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            return "\n".join(archive.read(name).decode("utf-8") for name in archive.namelist())
    return raw.decode("utf-8")


def without_country_choices(page: str) -> str:
    """The page without the report's country filter, which lists every country whoever submitted."""
    return re.sub(r'<select name="country".*?</select>', "", page, flags=re.DOTALL)


def at(day: datetime, hour: int, minute: int) -> datetime:
    return day.astimezone(UTC).replace(hour=hour, minute=minute, second=29, microsecond=0)


def secret_hours() -> tuple[int, int]:
    """The hours of the filing and of the decisions (which run into the next hour): never one a public time of the
    test is in, that is the clock's while the test runs (the report's "figures as of", a version's import) and
    09:00 (the process's window). Two choices for each, so one is always free."""
    now = timezone.now()
    busy = {now.hour, (now + timedelta(hours=1)).hour, 9}
    filed = next(hour for hour in (13, 3) if hour not in busy)
    decided = next(hour for hour in (16, 5) if not {hour, hour + 1} & busy)
    return filed, decided


@pytest.fixture
def world(organiser):
    """A closed process: one group-only submitter from Tuvalu (two submissions, one reflected and contested,
    one excluded on a legal ground), one named submitter from Liechtenstein who withdrew after a decision, and
    one named submitter from Kenya (the control). Filed at 13:47, decided at 16:52 (or 03:47 and 05:52, when the
    clock is at those hours), contested and answered later, all at times that must not be public."""
    for model, value in FIRST_IDS.items():
        start_ids_at(model, value)
    process = make_process(phase="closed", code="TVP25", organisers=(organiser,))
    # The public times must never share an hour with the secret ones: the checks below look for "T13:" too (they
    # failed when the suite ran at 13:00-13:59 or 16:00-16:59 UTC). The process's window is public: at 09:00.
    filed_hour, decided_hour = secret_hours()
    Process.objects.filter(pk=process.pk).update(
        opens_at=at(process.opens_at, 9, 0), closes_at=at(process.closes_at, 9, 0)
    )
    process.refresh_from_db()
    version = import_document(process, by=organiser)
    clause = {c.label: c for c in version.clauses.all()}
    hidden = make_user(
        kind=StakeholderKind.GOVERNMENT, country="TV", display_name=HIDDEN_NAME, organisation=HIDDEN_ORGANISATION
    )
    withdrawing = make_user(
        kind=StakeholderKind.PRIVATE_SECTOR,
        country="LI",
        display_name=WITHDRAWING_NAME,
        organisation=WITHDRAWING_ORGANISATION,
    )
    named = make_user(kind=StakeholderKind.ACADEMIA, country="KE", display_name=NAMED, organisation=NAMED_ORGANISATION)
    filed = at(process.opens_at + timedelta(days=2), filed_hour, 47)
    s = {
        "reflected": file_submission(
            process, hidden, title="Island connectivity", attribution=Attribution.GROUP, now=filed
        ),
        "excluded": file_submission(
            process, hidden, title="Maritime boundaries", attribution=Attribution.GROUP, now=filed
        ),
        "withdrawn": file_submission(process, withdrawing, title="Second thoughts", now=filed),
        "named": file_submission(process, named, title="Open formats", now=filed),
    }
    # Two days back: before the close (a day ago) whatever the time of day the test runs at.
    decided = at(timezone.now() - timedelta(days=2), decided_hour, 52)
    for key in ("reflected", "withdrawn", "named"):
        disposition_reflect(
            submission=s[key],
            actor=organiser,
            links=[LinkSpec(clause=clause["3"], extent="full", note="Taken in.")],
            now=decided,
        )
    disposition_exclude(
        submission=s["excluded"], actor=organiser, ground="legal", legal_provision="Art. 9", now=decided
    )
    submission_withdraw(submission=s["withdrawn"], author=withdrawing, now=decided + timedelta(minutes=3))
    reply = response_record(
        submission=s["reflected"],
        revision_number=1,
        author=hidden,
        kind=ResponseKind.CONTEST,
        reason="Not enough.",
        now=decided + timedelta(minutes=11),
    )
    contest_answer(response=reply, actor=organiser, answer="It is.", now=decided + timedelta(minutes=19))
    for submission in s.values():
        submission.refresh_from_db()
    times = [filed, decided, decided + timedelta(minutes=3), decided + timedelta(minutes=11)]
    times.append(decided + timedelta(minutes=19))
    return Process.objects.get(pk=process.pk), s, (hidden, withdrawing, named), times


def public_surfaces(process: Process, submissions: dict[str, Submission], *, snapshot: int | None) -> dict[str, str]:
    """Every public page and download of the process, fetched by an anonymous reader."""
    slug = process.slug
    report = reverse("reports:report", args=[slug])
    urls = {
        "home": reverse("consultations:process-list"),
        "process": process.get_absolute_url(),
        "document": reverse("outcomes:document", args=[slug]),
        "compare": reverse("reports:compare", args=[slug]),
        "methodology": reverse("reports:methodology"),
        "report": report,
        "report, Tuvalu": f"{report}?country=TV",
        "report, Liechtenstein": f"{report}?country=LI",
        "report, reflected": f"{report}?status=reflected",
        "report, searched": f"{report}?q=Island",
        "report, clause 3": f"{report}?clause=para_3",
        "report, page 2": f"{report}?page=2&cpage=2",
        "report.json": reverse("reports:report-json", args=[slug]),
        "mapping.csv": reverse("reports:mapping-csv", args=[slug]),
        "mapping.json": reverse("reports:mapping-json", args=[slug]),
        "disposition-of-comments.xlsx": reverse("reports:doc-xlsx", args=[slug]),
        "snapshots": reverse("publications:snapshot-list", args=[slug]),
    }
    for key, submission in submissions.items():
        urls[f"trace of the {key}"] = submission.get_absolute_url()
    if snapshot is not None:
        urls["snapshot"] = reverse("publications:snapshot-download", args=[slug, snapshot])
    reader = Client()
    return {name: without_country_choices(read(reader.get(url))) for name, url in urls.items()}


def database_ids(submissions: dict[str, Submission]) -> list[str]:
    ids = [str(s.pk) for s in submissions.values()] + [str(s.author_id) for s in submissions.values()]
    ids += [str(pk) for pk in DecisionRevision.objects.values_list("pk", flat=True)]
    ids += [str(pk) for pk in Disposition.objects.values_list("pk", flat=True)]
    ids += [str(pk) for pk in Response.objects.values_list("pk", flat=True)]
    assert all(int(pk) >= 5_345_001 for pk in ids)  # the distinctive ids took
    return ids


def check_nothing_leaks(surfaces: dict[str, str], submissions: dict[str, Submission], times: list[datetime]) -> None:
    ids = database_ids(submissions)
    for name, text in surfaces.items():
        lowered = text.lower()
        assert [word for word in SECRET_WORDS + SECRET_COUNTRIES if word in lowered] == [], name
        assert [pk for pk in ids if pk in text] == [], name
        for moment in times:
            for shown in (f"{moment:%H:%M}", f"{moment:%H:%M:%S}", f"T{moment:%H}:"):
                assert shown not in text, (name, shown)


def check_rows(rows: list[dict[str, object]], submissions: dict[str, Submission]) -> None:
    assert "submission_id" not in rows[0]
    by_reference = {row["reference"]: row for row in rows}
    for key in ("reflected", "excluded", "withdrawn"):
        row = by_reference[submissions[key].reference]
        assert (row["country"], row["organisation"]) == (None, None), key
    named = by_reference[submissions["named"].reference]
    assert (named["country"], named["organisation"]) == ("KE", NAMED_ORGANISATION)
    for row in rows:
        for column in TIME_COLUMNS:
            assert row[column] is None or DAY_ONLY.match(row[column]), (column, row[column])


@pytest.mark.django_db
def test_group_only_and_withdrawn_submissions_leak_no_name_organisation_country_time_or_id(world, organiser):
    process, s, (hidden, withdrawing, named), times = world
    assert s["withdrawn"].is_withdrawn and s["reflected"].attribution == Attribution.GROUP

    # Before publishing, then with a published snapshot: every public page and download.
    surfaces = public_surfaces(process, s, snapshot=None)
    check_nothing_leaks(surfaces, s, times)
    snapshot = snapshot_create(process=process, actor=organiser)
    process = Process.objects.get(pk=process.pk)
    surfaces = public_surfaces(process, s, snapshot=snapshot.number)
    check_nothing_leaks(surfaces, s, times)

    # The control: the same searches find what is public, so they could fail.
    assert NAMED in surfaces["trace of the named"] and "Kenya" in surfaces["trace of the named"]
    assert NAMED_ORGANISATION in surfaces["mapping.csv"] and "Kenya" in surfaces["report"]
    assert "A member of Government" in surfaces["trace of the reflected"]
    assert "A member of Private sector" in surfaces["trace of the withdrawn"]
    assert s["reflected"].reference in surfaces["report, reflected"]
    # Filtering by a hidden country finds nothing, rather than telling who is from there.
    listed = re.search(r'data-testid="submission-table".*?</table>', surfaces["report, Tuvalu"], re.DOTALL)
    assert "No submission matches." in listed.group() and s["reflected"].reference not in listed.group()

    # The rows of both mapping downloads and of the snapshot: no country, no organisation, days only.
    from_csv = csv.DictReader(io.StringIO(surfaces["mapping.csv"], newline=""))
    check_rows([{key: value or None for key, value in row.items()} for row in from_csv], s)
    check_rows(json.loads(surfaces["mapping.json"])["rows"], s)
    document = json.loads(surfaces["snapshot"])
    for entry in document["mapping"]:
        assert entry["country"] in ("KE", None) and entry["region"] is None
        assert all(entry[column] is None or DAY_ONLY.match(entry[column]) for column in TIME_COLUMNS)
    # The country breakdowns count the hidden ones apart, under "not disclosed".
    for countries in (json.loads(surfaces["report.json"])["countries"], document["countries"]):
        assert [(c["code"], c["location"], c["submitted"], c["withdrawn"]) for c in countries] == [
            (None, "not_disclosed", 2, 1),
            ("KE", "country", 1, 0),
        ]
    assert "Not disclosed" in surfaces["report"]
    # The reach still counts every country declared on a submission not withdrawn, TV and KE (a number,
    # naming none).
    assert json.loads(surfaces["report.json"])["indicators"]["reach"]["countries"] == 2


@pytest.mark.django_db
def test_a_process_may_coarsen_the_hidden_country_to_its_region(world):
    process, s, _, times = world
    Process.objects.filter(pk=process.pk).update(group_only_location=GroupOnlyLocation.REGION)
    process.refresh_from_db()
    process.touch()
    process.refresh_from_db()

    surfaces = public_surfaces(process, s, snapshot=None)
    check_nothing_leaks(surfaces, s, times)
    assert "Oceania" in surfaces["trace of the reflected"] and "Oceania" in surfaces["report"]
    assert "Europe" in surfaces["trace of the withdrawn"]  # Liechtenstein, withdrawn: no longer shown by name
    rows = {row["reference"]: row for row in json.loads(surfaces["mapping.json"])["rows"]}
    assert (rows[s["reflected"].reference]["country"], rows[s["reflected"].reference]["region"]) == (None, "oceania")
    assert (rows[s["named"].reference]["country"], rows[s["named"].reference]["region"]) == ("KE", None)
    countries = json.loads(surfaces["report.json"])["countries"]
    assert [(c["code"], c["region"], c["name"], c["location"], c["submitted"]) for c in countries] == [
        (None, "oceania", "Oceania", "region", 2),
        ("KE", None, "Kenya", "country", 1),
        (None, "europe", "Europe", "region", 0),
    ]


def test_every_country_django_countries_knows_has_a_un_m49_region():
    from django_countries import countries

    codes = {country.code for country in countries}
    assert codes and codes == set(REGION_BY_COUNTRY)
    assert {region_of(code) for code in codes} == set(Region.values)
    assert (region_of("TV"), region_of("KE"), region_of("BR"), region_of("JP"), region_of("LI")) == (
        "oceania",
        "africa",
        "americas",
        "asia",
        "europe",
    )
    assert region_of("") == "" and region_of("ZZ") == ""


@pytest.mark.django_db
def test_a_deleted_account_is_shown_without_its_country(world):
    from traceability.accounts.services import account_anonymise

    process, s, (_, _, named), _ = world
    account_anonymise(user=named)
    page = without_country_choices(read(Client().get(s["named"].get_absolute_url())))
    assert NAMED not in page and "Kenya" not in page and "Withdrawn participant" in page
    rows = json.loads(read(Client().get(reverse("reports:mapping-json", args=[process.slug]))))["rows"]
    assert {row["country"] for row in rows} == {None}


@pytest.mark.django_db
def test_the_workspace_keeps_the_times_and_the_country(world, organiser):
    from .conftest import client_for

    process, s, _, times = world
    page = read(
        client_for(organiser).get(reverse("dispositions:review", args=[process.slug, s["reflected"].reference]))
    )
    assert "Tuvalu" in page and f"{times[1]:%H:%M}" in page


def test_the_mapping_columns_hold_no_database_id_of_a_submission():
    assert "submission_id" not in COLUMNS and COLUMNS[-2:] == ("region", "language")  # columns are only appended
