"""``mapping.csv`` by PostgreSQL's COPY is the ORM path's file, byte for byte, on data that covers every case.

The data: every status (pending, reflected, needs re-confirmation, excluded on both grounds, not taken up, the
same as another, withdrawn with and without a decision), a withheld submission, links confirmed, suspect
(reworded and merged clauses) and to a removed clause, comments in a round and on a paragraph, authors shown by
name and by group only (with a country and without), and text that a spreadsheet would run (``=``, ``+``,
``-``, ``@``, tab, carriage return) or that CSV must quote (commas, quotes, line breaks), in several scripts.
It is played with the location of group-only submitters hidden and coarsened to their region.
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from traceability.accounts.models import StakeholderKind
from traceability.consultations.models import Attribution, GroupOnlyLocation, Process, Submission
from traceability.consultations.services import round_open, submission_withdraw
from traceability.dispositions.services import (
    LinkSpec,
    disposition_exclude,
    disposition_not_take_up,
    disposition_reflect,
    disposition_same_as,
    version_adopt,
)
from traceability.outcomes.models import DocumentVersion
from traceability.outcomes.services import version_import
from traceability.reports.exports.mapping import COLUMNS, csv_stream, mapping_rows
from traceability.reports.exports.mapping_copy import DEFAULT_PLAN, STREAMING_PLAN, _Crlf, copy_sql, copy_stream, crlf

from .factories import file_submission, make_user

postgresql = pytest.mark.postgresql_only  # COPY is PostgreSQL's

P1 = "Every public consultation publishes its outcome document, with the date of its adoption and its authors."
P2 = "Organisers answer every submission in writing, with the reasons for the decision, within ninety days."
P3 = "Stakeholder groups have equal weight in every decision, whatever the number of their members."
P4 = "Decisions are reviewed each year by an independent panel chosen by the stakeholder groups."
P5 = "The secretariat keeps a public archive of every submission, every decision and every version of the text."


def document(*paragraphs: str) -> str:
    numbered = "\n".join(f"{n}. {text}" for n, text in enumerate(paragraphs, start=1))
    return f"# 1. Principles\n{numbered}\n"


# Texts as stored (written past the form, which would trim some of them): what the export must survive.
RAW = {
    "title": "=cmd|' /C calc'!A0",
    "text": 'Commas, "quotes",\nline breaks\r\nand a carriage return\r, in Ελληνικά, 中文, العربية 🙂',
    "target_clause": "\tTabbed",
    "proposed_change": "\rReturned",
    "organisation": '-Minus Org, "quoted"',
}


@pytest.fixture
def everything(process, organiser):
    """One process with every case the mapping can hold."""
    version = version_import(process=process, source=document(P1, P2, P3, P4, P5), label="Zero", created_by=organiser)
    clause = {c.label: c for c in version.clauses.all()}
    kinds = list(StakeholderKind.values)
    countries = ["KE", "DE", "", "JP", "BR", "AU", "US", "FR", "EG", "IN", "AQ", "MX"]

    def author(n: int):
        return make_user(
            kind=kinds[n % len(kinds)],
            country=countries[n % len(countries)],
            organisation=f"Org {n}" if n % 4 else "",
            display_name=f"Person {n}",
        )

    def filed(n: int, **extra):
        words = {"title": f"Suggestion {n}", "text": f"Text {n}", **extra}
        return file_submission(process, author(n), **words)

    def reflect(submission, *links):
        specs = [LinkSpec(clause=clause[label], extent=extent, note=note) for label, extent, note in links]
        disposition_reflect(submission=submission, actor=organiser, links=specs)

    s = {}
    s[1] = filed(1, target_clause="+3", proposed_change="@everyone: add more")
    reflect(s[1], ("3", "full", "=SUM(A1:A9)"), ("4", "partial", "\tindented"), ("5", "partial", ""))
    s[2] = filed(2, attribution=Attribution.GROUP)
    reflect(s[2], ("5", "partial", "merged later"))
    s[3] = filed(3)
    reflect(s[3], ("2", "full", "removed later"))
    s[4] = filed(4, attribution=Attribution.GROUP, proposed_change="-delete this")
    reflect(s[4], ("1", "full", 'kept, "as is"'))
    s[5] = filed(5)
    disposition_exclude(submission=s[5], actor=organiser, ground="legal", legal_provision="+44 Act, s. 3")
    s[6] = filed(6, title="Slurs", text="Words nobody may republish")
    disposition_exclude(
        submission=s[6], actor=organiser, ground="public_morality", justification="Slurs", withhold=True
    )
    s[7] = filed(7)
    disposition_exclude(submission=s[7], actor=organiser, ground="public_morality", justification="=Defamation")
    s[8] = filed(8)
    disposition_not_take_up(submission=s[8], actor=organiser, reason="@Not now,\nperhaps later")
    s[9] = filed(9)
    disposition_same_as(submission=s[9], actor=organiser, original=s[1].reference)
    s[10] = filed(10)  # pending
    s[11] = filed(11, target_clause="SECRET")
    reflect(s[11], ("3", "full", "before it was withdrawn"), ("4", "full", ""))
    submission_withdraw(submission=s[11], author=s[11].author)
    s[12] = filed(12, attribution=Attribution.GROUP)
    submission_withdraw(submission=s[12], author=s[12].author)
    Submission.objects.filter(pk=s[10].pk).update(**RAW)
    Submission.objects.filter(pk=s[4].pk).update(title="ünïcödé \u2028 line separator", text="")

    # Revision 1: paragraph 2 removed, 3 reworded, 4 and 5 merged into one.
    merged = P4[:-1] + ", and " + P5[0].lower() + P5[1:]
    revised = version_import(
        process=process, source=document(P1, P3 + " Really.", merged), label="Revision 1", created_by=organiser
    )
    version_adopt(version=revised, actor=organiser)
    revised.refresh_from_db()
    now = timezone.now()
    round_open(process=process, version=revised, closes_at=now + timedelta(days=3), actor=organiser, now=now)
    target = revised.clauses.get(label="2").identity
    s[13] = filed(13, target=target, target_clause="2")
    s[14] = filed(14)
    reflect_revised = {c.label: c for c in revised.clauses.all()}
    disposition_reflect(
        submission=s[14],
        actor=organiser,
        links=[LinkSpec(clause=reflect_revised["1"], extent="full", note="Round\r\nnote")],
    )
    process.refresh_from_db()
    return process


def orm_bytes(process: Process) -> bytes:
    return b"".join(csv_stream(mapping_rows(process)))


def rows_of(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8"), newline="")))


@postgresql
@pytest.mark.parametrize("location", [GroupOnlyLocation.HIDDEN, GroupOnlyLocation.REGION])
def test_copy_gives_the_orm_paths_file_byte_for_byte(anon_client, everything, location):
    process = everything
    Process.objects.filter(pk=process.pk).update(group_only_location=location)
    process.refresh_from_db()
    expected = orm_bytes(process)
    rows = rows_of(expected)

    # The data covers every case (else the comparison proves less than it says).
    assert {row["status"] for row in rows} == {
        "pending",
        "reflected",
        "reconfirm",
        "excluded",
        "not_taken_up",
        "withdrawn",
    }
    assert {row["ground"] for row in rows} == {"", "legal", "public_morality"}
    assert {row["link_state"] for row in rows} == {"", "confirmed", "suspect", "removed"}
    assert any(row["withheld"] == "true" for row in rows) and any(row["same_as"] for row in rows)
    assert any(row["round"] for row in rows) and any(row["target_clause_id"] for row in rows)
    guarded = {(name, row[name][:2]) for row in rows for name in ("title", "target_clause", "proposed_change")}
    assert {("title", "'="), ("target_clause", "'\t"), ("proposed_change", "'\r")} <= guarded
    assert any(row["organisation"].startswith("'-") for row in rows)
    assert any("\r\n" in row["text"] for row in rows) and any("\n" in row["citation_or_justification"] for row in rows)
    assert any(row["country"] for row in rows) and any(row["attribution"] == "group" for row in rows)
    if location == GroupOnlyLocation.REGION:
        assert {"", "africa", "europe"} <= {row["region"] for row in rows}
    else:
        assert {row["region"] for row in rows} == {""}
    assert [row["status"] for row in rows].count("withdrawn") == 2  # one row each, links or not

    # In chunks of about 256 KB, or of one byte, with either plan, and through the view: the same bytes.
    assert b"".join(copy_stream(process)) == expected
    assert b"".join(copy_stream(process, chunk_bytes=1, streaming=True)) == expected
    assert b"".join(copy_stream(process, streaming=False)) == expected
    response = anon_client.get(reverse("reports:mapping-csv", args=[process.slug]))
    assert b"".join(response.streaming_content) == expected


@postgresql
def test_copy_of_a_process_without_submissions_is_the_header(anon_client, process):
    assert b"".join(copy_stream(process)) == orm_bytes(process) == (",".join(COLUMNS) + "\r\n").encode()


@postgresql
def test_copy_reads_the_version_then_copies_in_one_statement(anon_client, everything):
    process = everything
    with CaptureQueriesContext(connection) as queries:
        b"".join(copy_stream(process))
    # The report's version; the COPY runs on the same connection from a helper thread, outside the query log.
    assert len(queries) == 1


@postgresql
def test_a_reader_that_goes_away_stops_the_copy_and_leaves_the_connection_usable(anon_client, process, stakeholder):
    for n in range(400):  # 6 MB: more than the pipe and the socket buffers hold: the COPY is cancelled mid-way
        file_submission(process, stakeholder, title=f"S{n}", text="x" * 15000)
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        (jit,) = cursor.fetchone()
    stream = copy_stream(process, chunk_bytes=1, streaming=True)
    assert next(stream).startswith(b"reference,")
    next(stream)
    stream.close()  # the client disconnected
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)
        cursor.execute("SHOW enable_hashjoin")  # the COPY's plan settings are not left behind
        assert cursor.fetchone() == ("on",)
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == (jit,)
        cursor.execute("SHOW enable_sort")
        assert cursor.fetchone() == ("on",)


@postgresql
def test_the_streaming_plan_is_not_compiled_before_its_first_row(anon_client, everything):
    """A million submissions make the COPY's cost far above ``jit_above_cost``: compiled first, its first bytes
    came a second late. Here every statement is made costly enough (``jit_above_cost = 0``)."""
    process = everything
    statement = copy_sql(process, DocumentVersion.objects.report_version_for(process))
    select = statement[len("COPY (") : statement.rindex(") TO STDOUT")]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_jit_available()")
        (available,) = cursor.fetchone()
        cursor.execute("SET jit_above_cost = 0")
        try:
            cursor.execute("EXPLAIN " + select)
            compiled = any("JIT" in line for (line,) in cursor.fetchall())
            assert compiled == available  # the server's own plan: compiled wherever it can be
            cursor.execute(STREAMING_PLAN)
            cursor.execute("EXPLAIN " + select)
            assert not any("JIT" in line for (line,) in cursor.fetchall())
        finally:
            cursor.execute(DEFAULT_PLAN + "; RESET jit_above_cost")


def test_record_ends_become_crlf_but_line_breaks_inside_quoted_cells_stay():
    lf = b'a,"b\nc",d\ne,"""q""\n",f\n'
    crlf_ = b'a,"b\nc",d\r\ne,"""q""\n",f\r\n'
    assert crlf(lf) == crlf_ and crlf(b"") == b""
    # Cut anywhere (the pipe hands over what it has): the same.
    for cut in range(len(lf) + 1):
        convert = _Crlf()
        assert convert(lf[:cut]) + convert(lf[cut:]) == crlf_
    convert = _Crlf()
    assert b"".join(convert(lf[i : i + 1]) for i in range(len(lf))) == crlf_
