"""The report's downloads: the full mapping as CSV and JSON, report.json, and the disposition of comments.

The central promise: every indicator of the report can be recomputed from the exported rows alone.
"""

from __future__ import annotations

import csv
import io
import json
import math
import statistics
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from traceability.accounts.models import StakeholderKind
from traceability.consultations.models import Attribution, Process, Submission
from traceability.consultations.services import submission_withdraw
from traceability.dispositions.models import Disposition, ExclusionGround, Extent
from traceability.dispositions.services import LinkSpec, disposition_exclude, disposition_reflect
from traceability.outcomes.models import Clause
from traceability.reports.exports.mapping import COLUMNS, csv_cell, mapping_rows
from traceability.reports.exports.sheet import write_workbook
from traceability.reports.models import BuiltExport

from .factories import bulk_decide, file_submission, import_document, make_process, make_user

DAY = timedelta(days=1)
HIDDEN_ORGANISATION = "Secret Org"
TRICKY_TEXT = 'Commas, "quotes", a\nnew line, <script>alert("x")</script> & more'
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_HEADER = [
    "Reference",
    "Stakeholder group",
    "Clause",
    "Comment",
    "Proposed change",
    "Decision",
    "Reason / how reflected",
    "Language of the comment",
]


@pytest.fixture
def mapped(closed_process, organiser):
    """Nine submissions, hand-counted:

    group                country  organisation   outcome (first decision, days after close)
    Civil society        KE       Org A          s1 reflected fully in 3 (full) and 3.1 (partial) (1),
                                                 s2 reflected partly in 2 (2)
    Private sector       DE       Org B          s3 excluded, legal (4), s4 excluded, public morality (10),
                                                 s9 reflected partly in 3 (5)
    Government           BR       " org a"       s5 pending, s6 reflected in 3 and then withdrawn
    Academia             KE       Org C          s7 reflected fully in 3 (a day before the close: 0)
    Technical community  FR       Secret Org     s8 reflected partly in 3 (3); shown by group only, formula-like text

    Active 8, withdrawn 1, decided 7, reflected 5 (2 fully), excluded 2 (both justified).
    Days to first decision: 0, 1, 2, 3, 4, 5, 10 -> median 3.
    """
    process = closed_process
    close = process.closes_at
    version = import_document(process, organiser)
    clause = {c.eid: c for c in version.clauses.all()}
    civil = make_user(kind=StakeholderKind.CIVIL_SOCIETY, country="KE", organisation="Org A")
    business = make_user(kind=StakeholderKind.PRIVATE_SECTOR, country="DE", organisation="Org B")
    state = make_user(kind=StakeholderKind.GOVERNMENT, country="BR", organisation=" org a")
    scholar = make_user(kind=StakeholderKind.ACADEMIA, country="KE", organisation="Org C")
    engineer = make_user(kind=StakeholderKind.TECHNICAL_COMMUNITY, country="FR", organisation=HIDDEN_ORGANISATION)
    authors = {1: civil, 2: civil, 3: business, 4: business, 5: state, 6: state, 7: scholar, 9: business}
    s = {n: file_submission(process, author, title=f"Suggestion {n}") for n, author in authors.items() if n < 8}
    s[8] = file_submission(
        process,
        engineer,
        title='=HYPERLINK("http://evil.example/","Click")',
        text=TRICKY_TEXT,
        target_clause="@3",
        proposed_change="+1 more clause",
        attribution=Attribution.GROUP,
    )
    s[9] = file_submission(process, business, title="Suggestion 9")

    def reflect(n, *links, days):
        specs = [LinkSpec(clause=clause[eid], extent=extent, note=note) for eid, extent, note in links]
        disposition_reflect(submission=s[n], actor=organiser, links=specs, now=close + days * DAY)

    reflect(6, ("para_3", "full", "Before it was withdrawn"), days=-20)
    submission_withdraw(submission=s[6], author=state, now=process.opens_at + timedelta(hours=1))
    reflect(
        1,
        ("para_3", "full", "Says so, in full."),
        ("para_3-1", "partial", 'Partly: "equal weight",\nnot more'),
        days=1,
    )
    reflect(2, ("para_2", "partial", ""), days=2)
    disposition_exclude(submission=s[3], actor=organiser, ground="legal", legal_provision="Art. 9", now=close + 4 * DAY)
    disposition_exclude(
        submission=s[4], actor=organiser, ground="public_morality", justification="Slurs", now=close + 10 * DAY
    )
    reflect(7, ("para_3", "full", ""), days=-1)
    reflect(8, ("para_3", "partial", "-5 points, kept the rest"), days=3)
    reflect(9, ("para_3", "partial", ""), days=5)
    process.refresh_from_db()
    return process, s


# ----------------------------------------------------------------------------- downloading


def url(name: str, process: Process) -> str:
    return reverse(f"reports:{name}", args=[process.slug])


def body(response) -> bytes:
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content) if response.streaming else response.content


def csv_download(client, process) -> list[dict[str, str]]:
    text = body(client.get(url("mapping-csv", process))).decode("utf-8")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def json_download(client, process) -> dict:
    return json.loads(body(client.get(url("mapping-json", process))))


def report_json(client, process) -> dict:
    return json.loads(body(client.get(url("report-json", process))))


def typed(row: dict[str, str]) -> dict[str, object]:
    """A CSV row as the JSON export gives it: empty cells are nulls, ids are numbers."""
    numbers = {"number", "clause_id", "document_version", "clause_confirmed_version", "round"}
    numbers |= {"target_clause_id"}
    flags = {"withheld"}
    return {
        key: (None if value == "" else int(value) if key in numbers else value == "true" if key in flags else value)
        for key, value in row.items()
    }


def exported_rows(client, process, fmt: str) -> list[dict[str, object]]:
    if fmt == "csv":
        return [typed(row) for row in csv_download(client, process)]
    return json_download(client, process)["rows"]


# ----------------------------------------------------------------------------- recomputing the indicators


def parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value)


def ratio(numerator: int, denominator: int) -> dict[str, object]:
    value = numerator / denominator if denominator else None
    return {"numerator": numerator, "denominator": denominator, "value": value}


def recompute(rows: list[dict[str, object]], report: dict) -> dict[str, object]:
    """Every indicator from the rows alone, plus the list of groups and the close date from report.json."""
    submissions: dict[str, dict[str, object]] = {}
    for row in rows:
        submissions.setdefault(row["reference"], row)  # a reflected submission has a row per clause link
    active = [r for r in submissions.values() if r["status"] != "withdrawn"]
    decided = [r for r in active if r["status"] in ("reflected", "excluded")]
    reflected = [r for r in decided if r["status"] == "reflected"]
    excluded = [r for r in decided if r["status"] == "excluded"]
    justified = [r for r in excluded if r["ground"] in ExclusionGround.values and r["citation_or_justification"]]

    groups = [g["name"] for g in report["groups"]]
    submitted_in = {name: sum(1 for r in active if r["stakeholder_group"] == name) for name in groups}
    rated = []
    for name in groups:
        group_decided = [r for r in decided if r["stakeholder_group"] == name]
        if group_decided:
            rated.append((sum(1 for r in group_decided if r["status"] == "reflected") / len(group_decided), name))
    parity = None
    if len(rated) >= 2 and max(rated)[0] > 0:
        parity = min(rated)[0] / max(rated)[0]
    total = len(active)
    balance = None
    if len(groups) >= 2 and total:
        entropy = -sum((n / total) * math.log(n / total) for n in submitted_in.values() if n)
        balance = entropy / math.log(len(groups))
    # Dates to the day (UTC), so whole calendar days from the day of the close.
    close = parse_time(report["process"]["closes_at"]).date()
    days = [max(0, (date.fromisoformat(r["first_decided_at"]) - close).days) for r in decided]
    return {
        "coverage": ratio(len(decided), len(active)),
        "uptake": ratio(len(reflected), len(decided)),
        "uptake_full": ratio(sum(1 for r in reflected if r["extent"] == Extent.FULL), len(decided)),
        "uptake_partial": ratio(sum(1 for r in reflected if r["extent"] == Extent.PARTIAL), len(decided)),
        "justified_exclusion": ratio(len(justified), len(excluded)),
        "uptake_parity": parity,
        "participation_balance": balance,
        "responsiveness": statistics.median(days) if days else None,
        "decided": len(decided),
        "countries": len({r["country"] for r in active if r["country"]}),
        # The indicator compares organisations trimmed and case-folded.
        "organisations": len({r["organisation"].strip().lower() for r in active if (r["organisation"] or "").strip()}),
    }


def assert_same(recomputed: dict[str, object], indicators: dict[str, object]) -> None:
    for name in ("coverage", "uptake", "uptake_full", "uptake_partial", "justified_exclusion"):
        expected = recomputed[name]
        assert indicators[name]["numerator"] == expected["numerator"], name
        assert indicators[name]["denominator"] == expected["denominator"], name
        assert indicators[name]["value"] == pytest.approx(expected["value"]), name
    assert indicators["uptake_parity"]["value"] == pytest.approx(recomputed["uptake_parity"])
    assert indicators["participation_balance"]["value"] == pytest.approx(recomputed["participation_balance"])
    assert indicators["responsiveness"]["median_days"] == pytest.approx(recomputed["responsiveness"])
    assert indicators["responsiveness"]["decided"] == recomputed["decided"]
    # Countries of submitters shown by group only are counted but not exported: the rows give a lower bound.
    assert indicators["reach"]["countries"] >= recomputed["countries"]


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_every_indicator_can_be_recomputed_from_the_exported_rows(anon_client, mapped, fmt):
    process, _ = mapped
    report = report_json(anon_client, process)
    recomputed = recompute(exported_rows(anon_client, process, fmt), report)

    assert_same(recomputed, report["indicators"])
    # And both agree with the hand count in the fixture's docstring.
    assert recomputed["coverage"] == ratio(7, 8)
    assert (recomputed["uptake"], recomputed["uptake_full"]) == (ratio(5, 7), ratio(2, 7))
    assert recomputed["justified_exclusion"] == ratio(2, 2)
    assert recomputed["uptake_parity"] == pytest.approx(1 / 3)
    assert report["indicators"]["uptake_parity"]["lowest_group"] == "Private sector"
    shares = [1 / 8, 3 / 8, 2 / 8, 1 / 8, 1 / 8]  # government, private, civil, academia, technical; one group none
    assert recomputed["participation_balance"] == pytest.approx(-sum(p * math.log(p) for p in shares) / math.log(6))
    assert recomputed["responsiveness"] == pytest.approx(3.0)
    # FR is only s8's, shown by group only: counted in the reach, never exported.
    assert recomputed["countries"] == 3 and report["indicators"]["reach"]["countries"] == 4


def test_organisation_reach_counts_hidden_organisations_so_the_public_rows_fall_short(anon_client, mapped):
    process, _ = mapped
    report = report_json(anon_client, process)
    recomputed = recompute(exported_rows(anon_client, process, "json"), report)
    # "Org A" and " org a" are one organisation; the hidden one is counted but not exported.
    assert report["indicators"]["reach"]["organisations"] == 4
    assert recomputed["organisations"] == 3


def test_organisation_reach_is_recomputable_when_every_author_is_named(anon_client, mapped):
    process, _ = mapped
    Submission.objects.filter(process=process).update(attribution=Attribution.NAME)
    report = report_json(anon_client, process)
    for fmt in ("csv", "json"):
        recomputed = recompute(exported_rows(anon_client, process, fmt), report)
        assert recomputed["organisations"] == report["indicators"]["reach"]["organisations"] == 4


def test_per_group_and_per_country_aggregates_match_the_rows(anon_client, mapped):
    process, _ = mapped
    report = report_json(anon_client, process)
    submissions = {row["reference"]: row for row in exported_rows(anon_client, process, "json")}
    for group in report["groups"]:
        mine = [r for r in submissions.values() if r["stakeholder_group"] == group["name"]]
        assert group["withdrawn"] == sum(1 for r in mine if r["status"] == "withdrawn")
        assert group["submitted"] == sum(1 for r in mine if r["status"] != "withdrawn")
        assert group["pending"] == sum(1 for r in mine if r["status"] == "pending")
        assert group["reflected_full"] == sum(1 for r in mine if r["extent"] == "full")
        assert all(r["stakeholder_group_kind"] == group["kind"] for r in mine)
    for country in report["countries"]:
        mine = [r for r in submissions.values() if r["country"] == country["code"]]
        assert country["submitted"] == sum(1 for r in mine if r["status"] != "withdrawn")
        assert country["withdrawn"] == sum(1 for r in mine if r["status"] == "withdrawn")
    # Most submissions first; "not disclosed" (s4 withheld, s8 group only, s6 withdrawn) after DE on a tie.
    assert [(c["code"], c["location"], c["submitted"]) for c in report["countries"]] == [
        ("KE", "country", 3),
        ("DE", "country", 2),
        (None, "not_disclosed", 2),
        ("BR", "country", 1),
    ]
    assert {c["code"]: c["name"] for c in report["countries"]}["DE"] == "Germany"
    assert "FR" not in {c["code"] for c in report["countries"]}


# ----------------------------------------------------------------------------- the rows


def test_the_mapping_has_a_row_per_clause_link_and_one_per_other_submission(anon_client, mapped):
    process, s = mapped
    rows = exported_rows(anon_client, process, "json")
    assert [(r["reference"], r["status"], r["clause_label"]) for r in rows] == [
        (s[1].reference, "reflected", "3"),
        (s[1].reference, "reflected", "3.1"),
        (s[2].reference, "reflected", "2"),
        (s[3].reference, "excluded", None),
        (s[4].reference, "excluded", None),
        (s[5].reference, "pending", None),
        (s[6].reference, "withdrawn", None),
        (s[7].reference, "reflected", "3"),
        (s[8].reference, "reflected", "3"),
        (s[9].reference, "reflected", "3"),
    ]
    first, second = rows[0], rows[1]
    assert (first["extent"], first["link_extent"], second["link_extent"]) == ("full", "full", "partial")
    assert first["clause_eid"] == "para_3" and first["document_version"] == 1
    # clause_id is the permanent identity of the clause, not the row of one version.
    assert first["clause_id"] == Clause.objects.get(version__process=process, eid="para_3").identity_id
    assert (first["link_state"], first["clause_confirmed_label"], first["clause_confirmed_version"]) == (
        "confirmed",
        "3",
        1,
    )
    # Times to the day only (UTC), and no database id anywhere in the row.
    assert first["received_at"] == s[1].received_at.astimezone(UTC).date().isoformat()
    assert "submission_id" not in first
    legal, morality = rows[3], rows[4]
    assert (legal["ground"], legal["citation_or_justification"]) == ("legal", "Art. 9")
    assert (morality["ground"], morality["citation_or_justification"]) == ("public_morality", "Slurs")
    assert legal["extent"] is None and legal["decided_at"] is not None
    assert rows[5]["decided_at"] is None and rows[5]["ground"] is None


def test_the_csv_and_json_exports_carry_the_same_rows(anon_client, mapped):
    process, _ = mapped
    from_csv = [typed(row) for row in csv_download(anon_client, process)]
    from_json = json_download(anon_client, process)["rows"]

    # Only the formula guard differs: the CSV puts a quote before cells a spreadsheet would run.
    def unguarded(value: object) -> object:
        return value[1:] if isinstance(value, str) and value[:2] in ("'=", "'+", "'-", "'@") else value

    assert [{key: unguarded(value) for key, value in row.items()} for row in from_csv] == from_json


def test_withdrawn_submissions_are_one_row_without_text_or_decision(anon_client, mapped):
    process, s = mapped
    for fmt in ("csv", "json"):
        rows = [r for r in exported_rows(anon_client, process, fmt) if r["reference"] == s[6].reference]
        assert len(rows) == 1  # it was linked to a clause before it was withdrawn
        (row,) = rows
        assert row["status"] == "withdrawn" and row["withdrawn_at"] is not None
        assert row["title"] is None and row["text"] is None and row["proposed_change"] is None
        assert row["clause_eid"] is None and row["extent"] is None and row["first_decided_at"] is None
        assert row["stakeholder_group"] == "Government"
    assert Disposition.objects.filter(submission=s[6]).exists()  # the record stays; it is just not public


def test_hidden_organisations_are_not_exported(anon_client, mapped):
    process, s = mapped
    for name in ("mapping-csv", "mapping-json", "report-json", "doc-xlsx"):
        assert HIDDEN_ORGANISATION.encode() not in body(anon_client.get(url(name, process))), name
    rows = {r["reference"]: r for r in exported_rows(anon_client, process, "json")}
    assert rows[s[8].reference]["organisation"] is None
    assert rows[s[8].reference]["attribution"] == "group"
    assert rows[s[1].reference]["organisation"] == "Org A"
    assert rows[s[5].reference]["organisation"] == " org a"  # as filed: the export does not normalise


def test_csv_quotes_commas_quotes_and_new_lines_and_keeps_html_as_plain_text(anon_client, mapped):
    process, s = mapped
    raw = body(anon_client.get(url("mapping-csv", process))).decode("utf-8")
    assert raw.startswith(",".join(COLUMNS) + "\r\n")
    assert '"Commas, ""quotes"", a\nnew line, <script>alert(""x"")</script> & more"' in raw
    rows = list(csv.DictReader(io.StringIO(raw, newline="")))
    assert next(r for r in rows if r["reference"] == s[8].reference)["text"] == TRICKY_TEXT
    notes = [r["link_note"] for r in rows if r["reference"] == s[1].reference]
    assert notes == ["Says so, in full.", 'Partly: "equal weight",\nnot more']


def test_csv_cells_a_spreadsheet_would_run_start_with_a_quote(anon_client, mapped):
    process, s = mapped
    rows = [r for r in csv_download(anon_client, process) if r["reference"] == s[8].reference]
    (row,) = rows
    assert row["title"] == '\'=HYPERLINK("http://evil.example/","Click")'
    assert row["proposed_change"] == "'+1 more clause"
    assert row["link_note"] == "'-5 points, kept the rest"
    assert row["target_clause"] == "'@3"
    assert [csv_cell(v) for v in ("\tx", "\rx", "-1", "a=b", "", None, 7)] == ["'\tx", "'\rx", "'-1", "a=b", "", "", 7]
    # JSON is not opened by spreadsheets: it carries the text exactly as filed.
    json_row = next(r for r in json_download(anon_client, process)["rows"] if r["reference"] == s[8].reference)
    assert json_row["title"] == s[8].title and json_row["proposed_change"] == "+1 more clause"


def test_the_mapping_json_is_one_valid_document_with_process_columns_and_rows(anon_client, mapped, settings):
    process, _ = mapped
    response = anon_client.get(url("mapping-json", process))
    assert response["Content-Type"] == "application/json"
    document = json.loads(body(response))
    assert list(document) == ["schema_version", "process", "generated_at", "columns", "rows"]
    assert document["schema_version"] == 3
    assert document["columns"] == list(COLUMNS)
    assert document["process"]["code"] == process.code
    # Built by a background task, without a request: the addresses are the site's (SITE_URL).
    assert document["process"]["report_url"] == settings.SITE_URL + url("report", process)
    assert all(list(row) == list(COLUMNS) for row in document["rows"])


@pytest.mark.parametrize(
    ("name", "content_type", "filename"),
    [
        ("mapping-csv", "text/csv; charset=utf-8", "WSIS20-mapping.csv"),
        ("mapping-json", "application/json", None),
        ("doc-xlsx", XLSX, "WSIS20-disposition-of-comments.xlsx"),
    ],
)
def test_the_row_exports_stream(anon_client, mapped, name, content_type, filename):
    process, _ = mapped
    response = anon_client.get(url(name, process))
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == content_type
    if filename:
        assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert body(response)


@pytest.mark.parametrize("name", ["mapping-csv", "report-json"])
def test_head_answers_headers_without_running_the_export(anon_client, mapped, name):
    process, _ = mapped
    with CaptureQueriesContext(connection) as queries:
        response = anon_client.head(url(name, process))
        content = body(response)
    assert response.status_code == 200
    assert content == b""
    if name != "report-json":
        assert len(queries) == 1  # the process only


@pytest.mark.parametrize("name", ["mapping-json", "doc-xlsx"])
def test_head_says_whether_a_built_file_is_ready_and_starts_no_build(anon_client, mapped, name):
    process, _ = mapped
    with CaptureQueriesContext(connection) as queries:
        response = anon_client.head(url(name, process))
    assert response.status_code == 202 and response.content == b"" and response["Retry-After"]
    assert len(queries) == 2  # the process, its build (none)
    assert not BuiltExport.objects.exists()
    assert body(anon_client.get(url(name, process)))  # built (the tests' task backend runs tasks at once)
    with CaptureQueriesContext(connection) as queries:
        response = anon_client.head(url(name, process))
    assert response.status_code == 200 and b"".join(response.streaming_content) == b""
    assert len(queries) == 2
    assert int(response["Content-Length"]) == BuiltExport.objects.get().size > 0
    assert response["Content-Disposition"].startswith("attachment; filename=")


@pytest.mark.parametrize("name", ["mapping-csv", "mapping-json", "doc-xlsx", "report-json"])
def test_exports_of_draft_processes_are_not_found(anon_client, organiser, name):
    draft = make_process(phase="open", organisers=(organiser,))
    Process.objects.filter(pk=draft.pk).update(opens_at=None, closes_at=None)
    assert anon_client.get(url(name, draft)).status_code == 404


# ----------------------------------------------------------------------------- report.json


def test_report_json_gives_the_indicators_with_their_parts(anon_client, mapped):
    process, _ = mapped
    report = report_json(anon_client, process)
    indicators = report["indicators"]
    assert indicators["coverage"] == {"numerator": 7, "denominator": 8, "value": 7 / 8, "empty_reason": None}
    assert indicators["uptake_partial"]["numerator"] == 3
    assert indicators["reach"] == {"countries": 4, "organisations": 4}
    assert indicators["participation_balance"]["groups"] == 6
    assert report["totals"]["withdrawn"] == 1 and report["totals"]["dispositioned"] == 7
    assert report["process"]["closes_at"].endswith("Z")
    assert [g["name"] for g in report["groups"]] == [
        "Government",
        "Private sector",
        "Civil society",
        "Academia",
        "Technical community",
        "International organisation",
    ]
    private = report["groups"][1]
    assert private["kind"] == "private_sector"
    assert (private["submitted"], private["excluded_legal"], private["excluded_morality"]) == (3, 1, 1)
    assert private["rates"]["uptake"]["value"] == pytest.approx(1 / 3)
    assert report["groups"][5]["rates"]["coverage"]["value"] is None
    assert report["groups"][5]["rates"]["coverage"]["empty_reason"]


def test_report_json_counts_per_clause_of_the_latest_version_without_withdrawn_submissions(anon_client, mapped):
    process, _ = mapped
    report = report_json(anon_client, process)
    assert report["document_version"]["number"] == 1
    clauses = {c["eid"]: c for c in report["clauses"]}
    assert len(clauses) == Clause.objects.filter(version__process=process).count()  # clauses without links too
    para_3 = clauses["para_3"]
    # s1 and s7 fully, s8 and s9 partly; s6's link does not count, it was withdrawn.
    assert (para_3["reflected_full"], para_3["reflected_partial"], para_3["reflected"]) == (2, 2, 4)
    assert para_3["stakeholder_groups"] == 4  # civil society, academia, technical community, private sector
    document = reverse("outcomes:document", args=[process.slug])
    assert para_3["url"] == f"http://testserver{document}#para_3"
    para_3_1 = clauses["para_3-1"]
    assert (para_3_1["label"], para_3_1["reflected_partial"], para_3_1["stakeholder_groups"]) == ("3.1", 1, 1)
    assert clauses["sec_1"] | {"url": None} == {
        "eid": "sec_1",
        "label": "§ 1",
        "heading": "Scope",
        "kind": "section",
        "depth": 0,
        "linkable": True,  # a numbered heading can be linked
        "id": Clause.objects.get(version__process=process, eid="sec_1").identity_id,
        "url": None,
        "reflected_full": 0,
        "reflected_partial": 0,
        "reflected": 0,
        "stakeholder_groups": 0,
    }


def test_report_json_counts_follow_every_new_decision(anon_client, mapped, organiser):
    process, s = mapped
    before = {c["eid"]: c for c in report_json(anon_client, process)["clauses"]}["sec_1"]
    sec_1 = Clause.objects.get(version__process=process, eid="sec_1")
    disposition_reflect(submission=s[5], actor=organiser, links=[LinkSpec(clause=sec_1, extent="full")])
    after = report_json(anon_client, Process.objects.get(pk=process.pk))
    assert (before["reflected_full"], {c["eid"]: c for c in after["clauses"]}["sec_1"]["reflected_full"]) == (0, 1)
    assert after["indicators"]["coverage"]["numerator"] == 8


def test_report_json_links_to_every_download_absolutely(anon_client, mapped):
    process, _ = mapped
    downloads = report_json(anon_client, process)["downloads"]
    assert downloads == {
        "mapping_csv": f"http://testserver{url('mapping-csv', process)}",
        "mapping_json": f"http://testserver{url('mapping-json', process)}",
        "disposition_of_comments_xlsx": f"http://testserver{url('doc-xlsx', process)}",
        "report_json": f"http://testserver{url('report-json', process)}",
    }
    for link in downloads.values():
        assert anon_client.get(link.removeprefix("http://testserver")).status_code == 200


# ----------------------------------------------------------------------------- the disposition of comments


def workbook(client, process):
    return load_workbook(io.BytesIO(body(client.get(url("doc-xlsx", process)))))


def test_the_disposition_of_comments_has_one_row_per_submission_in_the_standards_layout(anon_client, mapped):
    process, s = mapped
    sheet = workbook(anon_client, process).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == XLSX_HEADER
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert len(rows) == 1 + len(s)
    by_reference = {row[0]: row for row in rows[1:]}
    assert by_reference[s[1].reference][5] == "Reflected fully"
    assert by_reference[s[1].reference][2] == "Reflected in: 3, 3.1"
    assert by_reference[s[1].reference][6] == "\n".join(
        ["3 (Fully): Says so, in full.", '3.1 (Partly): Partly: "equal weight",', "not more"]
    )
    assert by_reference[s[2].reference][5] == "Reflected partly"
    assert by_reference[s[3].reference][5:] == ("Excluded", "Legal ground: Art. 9", "English")
    # Withheld: neither its words nor their language are told.
    assert by_reference[s[4].reference][5:] == ("Excluded", "Public morality: Slurs", None)
    assert by_reference[s[5].reference][5] == "Pending"
    withdrawn = by_reference[s[6].reference]
    assert withdrawn[5] == "Withdrawn" and withdrawn[3] is None and withdrawn[4] is None and withdrawn[7] is None
    hidden = by_reference[s[8].reference]
    assert hidden[1] == "Technical community"
    assert hidden[2] == "@3\nReflected in: 3"
    assert (hidden[3], hidden[4]) == (TRICKY_TEXT, "+1 more clause")


def test_the_disposition_of_comments_writes_formula_like_text_as_text(anon_client, mapped):
    process, s = mapped
    sheet = workbook(anon_client, process).active
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == s[8].reference:
            reason = row[6]
    assert reason.value == "3 (Partly): -5 points, kept the rest"
    cells = {cell.value: cell for row in sheet.iter_rows(min_row=2) for cell in row if cell.value}
    formula_like = cells[TRICKY_TEXT]
    assert formula_like.data_type == "s"
    assert all(cell.data_type == "s" for cell in cells.values())  # no formula, no error code
    assert cells["+1 more clause"].quotePrefix


def test_the_disposition_of_comments_continues_on_a_new_sheet_past_the_row_limit(mapped):
    process, _ = mapped
    out = io.BytesIO()
    written = write_workbook(mapping_rows(process), out, max_rows=4)  # 3 comments a sheet
    book = load_workbook(out)
    assert written == 9
    assert [len(list(sheet.iter_rows())) for sheet in book.worksheets] == [4, 4, 4]
    assert [sheet.title for sheet in book.worksheets] == [
        "Disposition of comments",
        "Disposition of comments (2)",
        "Disposition of comments (3)",
    ]
    assert all(list(next(sheet.iter_rows(values_only=True))) == XLSX_HEADER for sheet in book.worksheets)


# ----------------------------------------------------------------------------- an empty process


def test_a_process_without_submissions_exports_headers_only_and_nulls_with_reasons(anon_client, process):
    raw = body(anon_client.get(url("mapping-csv", process))).decode()
    assert raw == ",".join(COLUMNS) + "\r\n"
    assert json_download(anon_client, process)["rows"] == []
    assert list(workbook(anon_client, process).active.iter_rows(values_only=True)) == [tuple(XLSX_HEADER)]

    report = report_json(anon_client, process)
    indicators = report["indicators"]
    for name in ("coverage", "uptake", "uptake_full", "uptake_partial", "justified_exclusion"):
        assert indicators[name]["value"] is None and indicators[name]["denominator"] == 0
        assert indicators[name]["empty_reason"], name
    for name in ("uptake_parity", "participation_balance"):
        assert indicators[name]["value"] is None and indicators[name]["empty_reason"], name
    assert indicators["responsiveness"]["median_days"] is None and indicators["responsiveness"]["empty_reason"]
    assert indicators["reach"] == {"countries": 0, "organisations": 0}
    assert report["document_version"] is None and report["clauses"] == []
    assert report["countries"] == []


# ----------------------------------------------------------------------------- size


def grow(process: Process, upto: int) -> None:
    """Add submissions up to number ``upto``, with dispositions and links, in bulk (valid rows, as the services
    would write them). By number % 10: 1 reflected fully, 2-3 partly, 4-5 excluded legal, 6 public morality,
    7-9 pending, 0 withdrawn."""
    start = Submission.objects.filter(process=process).count() + 1
    groups = list(process.groups.order_by("position"))
    clauses = list(Clause.objects.filter(version__process=process).order_by("position"))
    author = make_user(organisation="Bulk Org")
    received = process.opens_at + timedelta(hours=1)
    rows = []
    for n in range(start, upto + 1):
        text = f'Suggestion {n}, with a comma and a "quote".\nSecond line.'
        rows.append(
            Submission(
                process=process,
                number=n,
                reference=process.reference_for(n),
                author=author,
                stakeholder_group=groups[n % len(groups)],
                country=("KE", "DE", "BR", "")[n % 4],
                organisation=f"Organisation {n % 7}",
                author_name=author.display_name,
                attribution=Attribution.GROUP if n % 3 == 0 else Attribution.NAME,
                title=f"Suggestion {n}",
                text=text,
                text_sha256=Submission.hash_text(text),
                form_token=uuid.uuid4(),
                received_at=received + timedelta(seconds=n),
                updated_at=received + timedelta(seconds=n),
                withdrawn_at=received + DAY if n % 10 == 0 else None,
            )
        )
    Submission.objects.bulk_create(rows, batch_size=500)
    Process.objects.filter(pk=process.pk).update(last_number=upto)
    process.touch()
    ids = dict(Submission.objects.filter(process=process, number__gte=start).values_list("number", "pk"))
    decided = [n for n in ids if 1 <= n % 10 <= 6]
    Submission.objects.filter(pk__in=[ids[n] for n in ids if n % 10 == 0]).update(status="withdrawn")
    bulk_decide(
        [
            {
                "submission_id": ids[n],
                "kind": "reflected" if n % 10 <= 3 else "excluded",
                "extent": ("full" if n % 10 == 1 else "partial") if n % 10 <= 3 else "",
                "ground": "" if n % 10 <= 3 else ("legal" if n % 10 <= 5 else "public_morality"),
                "legal_provision": f"Act {n}" if n % 10 in (4, 5) else "",
                "justification": f"Slur {n}" if n % 10 == 6 else "",
                "decided_at": process.closes_at + timedelta(hours=n),
                "links": [
                    (clauses[(n + 3 * k) % len(clauses)], "full" if n % 10 == 1 and k == 0 else "partial", f"=note {k}")
                    for k in range(1 + n % 3)
                ]
                if n % 10 <= 3
                else [],
            }
            for n in decided
        ]
    )
    process.refresh_from_db()


def measure(client, link: str) -> tuple[int, bytes]:
    client.get(link)  # warm up: the cached indicators and first-request caches are not the export's cost
    with CaptureQueriesContext(connection) as queries:
        content = body(client.get(link))
    return len(queries), content


@pytest.mark.parametrize("name", ["mapping-csv", "mapping-json", "report-json", "doc-xlsx"])
def test_exports_run_a_fixed_number_of_queries_whatever_the_size(anon_client, closed_process, organiser, name):
    process = closed_process
    import_document(process, organiser)

    def rows_in(content: bytes) -> int:
        if name == "mapping-csv":
            return len(list(csv.DictReader(io.StringIO(content.decode(), newline=""))))
        if name == "mapping-json":
            return len(json.loads(content)["rows"])
        if name == "report-json":
            return json.loads(content)["totals"]["submitted"] + json.loads(content)["totals"]["withdrawn"]
        return load_workbook(io.BytesIO(content)).active.max_row - 1

    def expected(size: int) -> int:
        if name in ("mapping-csv", "mapping-json"):
            links = sum(1 + n % 3 for n in range(1, size + 1) if 1 <= n % 10 <= 3)
            return size - sum(1 for n in range(1, size + 1) if 1 <= n % 10 <= 3) + links
        return size

    grow(process, 10)
    small, content = measure(anon_client, url(name, process))
    assert rows_in(content) == expected(10)
    grow(process, 1000)
    large, content = measure(anon_client, url(name, process))
    assert rows_in(content) == expected(1000)
    print(f"\n{name}: {small} queries at 10 submissions, {large} at 1000")
    assert small == large, f"{name}: {small} queries at 10 submissions, {large} at 1000"
    # The process; the version the mapping is computed against, its clauses and the merged identities
    # (to say where each link's clause is now); and the rows, in one streamed query. report.json reads its
    # counts live from the tallies (groups, countries, organisations: three), the decisions' detail from the
    # shared cache, which is a database table in the embedded default: one more; and the head of the process's
    # history chain: one more.
    assert small <= (10 if name == "report-json" else 5)


def test_a_withdrawn_submission_exports_none_of_its_words_not_even_its_clause_reference(
    anon_client, process, stakeholder
):
    gone = file_submission(process, stakeholder, title="Gone", text="Words", target_clause="SECRET-WORDS")
    submission_withdraw(submission=gone, author=stakeholder)
    (row,) = csv_download(anon_client, process)
    assert row["status"] == "withdrawn" and row["target_clause"] == "" and row["text"] == ""
    page = anon_client.get(gone.get_absolute_url()).content.decode()
    assert "SECRET-WORDS" not in page


def test_report_json_names_countries_in_english_whatever_the_language(anon_client, process, other_stakeholder):
    file_submission(process, other_stakeholder)  # from Germany: Allemagne in French, Alemania in Spanish
    with translation.override("fr"):
        french_page = anon_client.get(reverse("reports:report", args=[process.slug]))
        french_json = url("report-json", process)
    assert "Allemagne" in french_page.content.decode()  # the page speaks the reader's language
    french = json.loads(body(anon_client.get(french_json)))
    assert [c["name"] for c in french["countries"]] == ["Germany"]  # the document's names stay stable
