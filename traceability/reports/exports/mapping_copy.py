"""``mapping.csv`` on PostgreSQL: the database writes the CSV itself (``COPY … TO STDOUT WITH (FORMAT csv)``).

The same file as ``csv_stream(mapping_rows(process))``, byte for byte (a test proves it on data that covers
every case), at several times the speed: no Python object per row or cell. The rows' privacy rules are not
written twice: the inner query is the ORM path's own (``mapping.mapping_queryset``: the public organisation,
country and region, and the words blanked when withdrawn or withheld, all computed in the database), compiled
to SQL. The outer query does in SQL what ``mapping_rows`` and ``csv_stream`` do in Python: a withdrawn
submission once, with nothing of its decision; the reason and extent only where the status has them; where
each link's clause is now in the report's version (merged identities included) and whether it is confirmed,
suspect or removed; dates to the day in UTC; the formula guard (a cell a spreadsheet would run gets a leading
quote); an empty text as an empty cell (PostgreSQL would write ``""``).

Memory stays flat and the file is one state of the database: one COPY statement (one snapshot, the plan the
whole table wants) runs in a helper thread on the request's own database connection and writes into a pipe;
the response reads the pipe in chunks of ``CHUNK_BYTES``, so at most a pipe's and a chunk's worth of the file
is in memory at any size. (psycopg2 writes a COPY's rows to a file object and cannot hand them to a
generator; the thread is how the rows leave while they are being read.) The request's thread touches no
database while the COPY runs. A reader that goes away cancels the statement (``connection.cancel()``).
PostgreSQL ends lines with LF; the file's record ends are made CRLF (RFC 4180, as ``csv.writer`` writes
them), leaving line breaks inside quoted cells as they are.
"""

from __future__ import annotations

import csv
import os
import threading
from collections.abc import Iterator

from django.db import DEFAULT_DB_ALIAS, connections, router
from django.db.models import F
from psycopg2.extensions import TRANSACTION_STATUS_INERROR

from traceability.consultations.models import Process, Submission, SubmissionStatus
from traceability.dispositions.models import ClauseLink, ExclusionGround
from traceability.dispositions.selectors import LinkState
from traceability.outcomes.models import Clause, ClauseIdentity, DocumentVersion

from .mapping import _LINK, _PUBLIC, COLUMNS, FORMULA_TRIGGERS, Echo

# The plan that streams, for all but the smallest processes: the submissions in receipt-number order (their unique
# index), each joined to its decision and links by index (nested loops), sorted within a submission only (an
# incremental sort). The planner's own choice hashes every table and sorts the whole result before sending
# anything: as fast to the last byte up to 100,000 submissions, but the first rows come only after it (measured
# in session 19: 1.2 s against 0.17 s at 100,000, 0.13-0.18 s against 0.015 s at 10,000, the whole download
# 1.5 s either way), and at a million it writes about 2 GB of temporary files (70 s against 63 s to the last
# byte; see bench/README.md). Without a full sort either: at 100,000 the planner otherwise sorts each parallel
# worker's share of the submissions by number before the first row (0.16-0.2 s) rather than read their index
# (0.015-0.02 s; the same to the last byte, at a million too).
# Without JIT compilation: the statement's cost is far above ``jit_above_cost`` at that size, and PostgreSQL (where
# built with LLVM, as Debian's is) then compiles it before the first row, about 0.8 s at a million submissions for
# about 0.4 s saved over the 15 s of the whole download: the first bytes come in 20 ms instead of a second, and a
# reader who goes away stops a statement that has started rather than one still compiling.
# Set for the COPY only, on its connection, and reset after it (an aborted transaction rolls it back by itself).
STREAMING_FROM = 1_000  # submissions
STREAMING_PLAN = "SET enable_hashjoin = off; SET enable_mergejoin = off; SET enable_sort = off; SET jit = off"
DEFAULT_PLAN = "RESET enable_hashjoin; RESET enable_mergejoin; RESET enable_sort; RESET jit"
CHUNK_BYTES = 256 * 1024  # handed to the server at a time, about
PIPE_BYTES = 64 * 1024  # read from and written to the pipe at a time

# The inner query's columns, by the ORM path's expressions (so its privacy rules hold here too).
_INNER = {
    "m_pk": F("pk"),
    "m_reference": F("reference"),
    "m_number": F("number"),
    "m_received_at": F("received_at"),
    "m_withdrawn_at": F("withdrawn_at"),
    "m_group": F("stakeholder_group__name"),
    "m_group_kind": F("stakeholder_group__kind"),
    "m_attribution": F("attribution"),
    "m_status": F("status"),
    "m_extent": F("disposition__extent"),
    "m_ground": F("disposition__ground"),
    "m_legal_provision": F("disposition__legal_provision"),
    "m_justification": F("disposition__justification"),
    "m_decided_at": F("disposition__decided_at"),
    "m_first_decided_at": F("disposition__first_decided_at"),
    "m_revision": F("disposition__revision_id"),
    "m_link": F(_LINK + "pk"),
    "m_link_extent": F(_LINK + "extent"),
    "m_link_note": F(_LINK + "note"),
    "m_identity": F(_LINK + "identity_id"),
    "m_fingerprint": F(_LINK + "fingerprint"),
    "m_confirmed_label": F(_LINK + "clause__label"),
    "m_confirmed_version": F(_LINK + "clause__version__number"),
    "m_position": F(_LINK + "clause__position"),
    "m_round": F("round__number"),
    "m_target": F("target_id"),
    "m_withheld": F("withheld"),
    "m_same_as": F("disposition__duplicate_of__reference"),
}


def _inner_sql(process: Process, first: int | None, last: int | None) -> tuple[str, tuple[object, ...]]:
    numbers = {} if first is None else {"number__gte": first, "number__lte": last}
    queryset = (
        Submission.objects.filter(process=process, **numbers)
        .with_public_location(process)
        .annotate(**_PUBLIC)
        .values("public_country", "public_region", *_PUBLIC, **_INNER)
        .order_by()
    )
    return queryset.query.sql_with_params()


def _columns(triggers: str, version_number: str) -> list[str]:
    """The SELECT list, in ``COLUMNS`` order."""
    withdrawn = f"m.m_status = '{SubmissionStatus.WITHDRAWN.value}'"

    def text(expression: str) -> str:
        # csv_stream's guard, and None/"" both as an empty cell.
        return (
            f"CASE WHEN ({expression}) = '' THEN NULL WHEN left({expression}, 1) IN {triggers} "
            f"THEN '''' || ({expression}) ELSE ({expression}) END"
        )

    def day(expression: str) -> str:
        return f"to_char(({expression}) AT TIME ZONE 'UTC', 'YYYY-MM-DD')"

    def public(expression: str) -> str:  # nothing of a withdrawn submission but who and when
        return f"CASE WHEN {withdrawn} THEN NULL ELSE {expression} END"

    def status_in(*statuses: SubmissionStatus) -> str:
        return "m.m_status IN (" + ", ".join(f"'{status.value}'" for status in statuses) + ")"

    reflected = status_in(SubmissionStatus.REFLECTED, SubmissionStatus.NEEDS_RECONFIRMATION)
    legal = f"m.m_ground = '{ExclusionGround.LEGAL.value}'"
    reason = f"CASE WHEN {legal} THEN m.m_legal_provision ELSE m.m_justification END"
    decided = f"m.m_status <> '{SubmissionStatus.PENDING.value}'"
    found = "(now_into.id IS NOT NULL OR now_own.id IS NOT NULL)"

    def now(field: str) -> str:  # the link's clause in the report's version: the one merged into, if there
        return f"CASE WHEN now_into.id IS NOT NULL THEN now_into.{field} ELSE now_own.{field} END"

    state = (
        f"CASE WHEN m.m_identity IS NULL THEN NULL WHEN NOT {found} THEN '{LinkState.REMOVED}' "
        f"WHEN {now('fingerprint')} = m.m_fingerprint THEN '{LinkState.CONFIRMED}' ELSE '{LinkState.SUSPECT}' END"
    )
    by_name = {
        "reference": text("m.m_reference"),
        "number": "m.m_number",
        "received_at": day("m.m_received_at"),
        "withdrawn_at": day("m.m_withdrawn_at"),
        "stakeholder_group": text("m.m_group"),
        "stakeholder_group_kind": text("m.m_group_kind"),
        "country": text("m.public_country"),
        "organisation": text("m.public_organisation"),
        "attribution": text("m.m_attribution"),
        "status": text("m.m_status"),
        "extent": public(f"CASE WHEN {reflected} THEN {text('m.m_extent')} END"),
        "ground": public(f"CASE WHEN m.m_status = '{SubmissionStatus.EXCLUDED.value}' THEN {text('m.m_ground')} END"),
        "citation_or_justification": public(
            f"CASE WHEN {status_in(SubmissionStatus.EXCLUDED, SubmissionStatus.NOT_TAKEN_UP)} THEN {text(reason)} END"
        ),
        "decided_at": public(f"CASE WHEN {decided} THEN {day('m.m_decided_at')} END"),
        "first_decided_at": public(f"CASE WHEN {decided} THEN {day('m.m_first_decided_at')} END"),
        "link_extent": public(text("m.m_link_extent")),
        "link_note": public(text("m.m_link_note")),
        "clause_id": public("m.m_identity"),
        "clause_eid": public(text(now("eid"))),
        "clause_label": public(text(now("label"))),
        "document_version": public(f"CASE WHEN m.m_identity IS NOT NULL THEN {version_number} END"),
        "title": public(text("m.public_title")),
        "text": public(text("m.public_text")),
        "target_clause": public(text("m.public_target_clause")),
        "proposed_change": public(text("m.public_proposed_change")),
        "link_state": public(state),
        "clause_confirmed_label": public(text("m.m_confirmed_label")),
        "clause_confirmed_version": public("m.m_confirmed_version"),
        "round": "m.m_round",
        "target_clause_id": public("m.m_target"),
        "withheld": public("CASE WHEN m.m_withheld THEN 'true' END"),
        "same_as": public(text("m.m_same_as")),
        "region": text("m.public_region"),
        "language": public(text("m.public_language")),
    }
    if tuple(by_name) != COLUMNS:  # a column added to the ORM path and not here: every COPY test fails
        raise RuntimeError("mapping_copy: the columns differ from mapping.COLUMNS")
    return list(by_name.values())


def copy_sql(
    process: Process, version: DocumentVersion | None, first: int | None = None, last: int | None = None
) -> str:
    """The ``COPY`` statement for the mapping rows (of receipt numbers ``first`` to ``last``), values inlined
    (``COPY`` takes no parameters) by the driver's own quoting (``mogrify``)."""
    inner, params = _inner_sql(process, first, last)
    with reading_connection().cursor() as cursor:
        mogrify = cursor.mogrify  # psycopg2's, through Django's cursor wrapper

        def literal(value: object) -> str:
            return mogrify("%s", [value]).decode()

        inner = mogrify(inner, params).decode()
        triggers = literal(tuple(FORMULA_TRIGGERS))
        version_id = literal(version.pk if version else None)
        version_number = literal(version.number if version else None)
    link, clause, identity = ClauseLink._meta.db_table, Clause._meta.db_table, ClauseIdentity._meta.db_table
    withdrawn = SubmissionStatus.WITHDRAWN.value
    # A withdrawn submission is one row (its links' rows are the same row: nothing of a link is shown).
    select = (
        f"SELECT {', '.join(_columns(triggers, version_number))} FROM ({inner}) m "  # nosec B608 (values mogrified)
        f'LEFT JOIN "{identity}" ci ON ci.id = m.m_identity '
        f'LEFT JOIN "{clause}" now_into ON now_into.version_id = {version_id} '
        "AND now_into.identity_id = ci.merged_into_id "
        f'LEFT JOIN "{clause}" now_own ON now_own.version_id = {version_id} AND now_own.identity_id = m.m_identity '
        f"WHERE m.m_status <> '{withdrawn}' OR m.m_link IS NULL "
        f'OR m.m_link = (SELECT min(l.id) FROM "{link}" l WHERE l.revision_id = m.m_revision) '
        "ORDER BY m.m_number, m.m_position, m.m_link"
    )
    return f"COPY ({select}) TO STDOUT WITH (FORMAT csv)"


class _Crlf:
    """PostgreSQL's LF record ends as CRLF, in a stream cut anywhere: a line break inside a quoted cell (after
    an odd number of double quotes so far: a doubled quote closes and reopens) stays as it is."""

    def __init__(self) -> None:
        self.quoted = False  # inside a quoted cell at the end of what was converted so far

    def __call__(self, data: bytes) -> bytes:
        parts = data.split(b'"')
        outside = 1 if self.quoted else 0
        parts[outside::2] = [part.replace(b"\n", b"\r\n") for part in parts[outside::2]]
        self.quoted ^= (len(parts) - 1) % 2 == 1
        return b'"'.join(parts)


def crlf(data: bytes) -> bytes:
    return _Crlf()(data)


def header() -> bytes:
    return csv.writer(Echo()).writerow(COLUMNS).encode("utf-8")


def reading_connection() -> object:
    """The connection the mapping's rows are read on: the read replica when the router sends report reads there
    (traceability/replica.py), else the default database."""
    return connections[router.db_for_read(Submission) or DEFAULT_DB_ALIAS]


def copy_stream(process: Process, *, chunk_bytes: int = CHUNK_BYTES, streaming: bool | None = None) -> Iterator[bytes]:
    """``mapping.csv`` of ``process``, in chunks of about ``chunk_bytes``, written by one COPY statement (with
    the streaming plan when ``streaming``; by default from ``STREAMING_FROM`` submissions)."""
    yield header()
    if streaming is None:
        streaming = process.last_number >= STREAMING_FROM
    version = DocumentVersion.objects.report_version_for(process)
    statement = copy_sql(process, version)
    connection = reading_connection()
    connection.ensure_connection()
    raw = connection.connection  # psycopg2's connection: usable from another thread while this one waits
    read_end, write_end = os.pipe()
    failures: list[BaseException] = []

    # Inside a transaction (a test's, or a caller's atomic block), a cancelled COPY would abort the whole of it:
    # the statement runs in a savepoint, rolled back when it fails, so the connection stays usable either way.
    in_transaction = connection.in_atomic_block

    def copy() -> None:
        with open(write_end, "wb", buffering=PIPE_BYTES) as pipe:
            try:
                with raw.cursor() as cursor:
                    if in_transaction:
                        cursor.execute("SAVEPOINT trace_mapping_copy")
                    if streaming:
                        cursor.execute(STREAMING_PLAN)
                    try:
                        cursor.copy_expert(statement, pipe)
                    except BaseException:
                        if in_transaction and not raw.closed:
                            cursor.execute("ROLLBACK TO SAVEPOINT trace_mapping_copy")  # undoes the plan's SETs too
                        raise
                    finally:
                        if streaming and not raw.closed and raw.get_transaction_status() != TRANSACTION_STATUS_INERROR:
                            cursor.execute(DEFAULT_PLAN)
                    if in_transaction:
                        cursor.execute("RELEASE SAVEPOINT trace_mapping_copy")
            except BaseException as failure:  # noqa: BLE001 (raised again in the request's thread)
                failures.append(failure)

    thread = threading.Thread(target=copy, name="mapping-csv-copy", daemon=True)
    to_crlf = _Crlf()
    finished = False
    with open(read_end, "rb", buffering=0) as pipe:
        thread.start()
        try:
            parts: list[bytes] = []
            size = 0
            while data := pipe.read(PIPE_BYTES):
                parts.append(data)
                size += len(data)
                if size >= chunk_bytes:
                    yield to_crlf(b"".join(parts))
                    parts, size = [], 0
            if parts:
                yield to_crlf(b"".join(parts))
            finished = True
        finally:
            if not finished:  # the reader went away: stop the statement, let the thread see it and end
                raw.cancel()
                while pipe.read(PIPE_BYTES):
                    pass
            thread.join()
    if failures and finished:
        raise failures[0]
