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

Memory stays flat: the rows are copied by ranges of receipt numbers (gapless, so a range needs no lookup),
each range sized from the bytes the one before gave (about ``TARGET_BYTES`` per range), and each range leaves
before the next is read. The ranges are read in one REPEATABLE READ, READ ONLY transaction, so the file is one
consistent state of the database, as the ORM path's single query is. PostgreSQL ends lines with LF; the
file's record ends are made CRLF (RFC 4180, as ``csv.writer`` writes them), leaving line breaks inside quoted
cells as they are.
"""

from __future__ import annotations

import contextlib
import csv
import io
from collections.abc import Iterator

from django.db import connection, transaction
from django.db.models import F, Max

from traceability.consultations.models import Process, Submission, SubmissionStatus
from traceability.dispositions.models import ClauseLink, ExclusionGround
from traceability.dispositions.selectors import LinkState
from traceability.outcomes.models import Clause, ClauseIdentity, DocumentVersion

from .mapping import _LINK, _PUBLIC, COLUMNS, FORMULA_TRIGGERS, Echo

TARGET_BYTES = 1024 * 1024  # per range of receipt numbers, about
FIRST_RANGE = 1000  # receipt numbers in the first range
MIN_RANGE, MAX_RANGE = 50, 20_000

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


def _inner_sql(process: Process, first: int, last: int) -> tuple[str, tuple[object, ...]]:
    queryset = (
        Submission.objects.filter(process=process, number__gte=first, number__lte=last)
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
    }
    if tuple(by_name) != COLUMNS:  # a column added to the ORM path and not here: every COPY test fails
        raise RuntimeError("mapping_copy: the columns differ from mapping.COLUMNS")
    return list(by_name.values())


def copy_sql(process: Process, version: DocumentVersion | None, first: int, last: int) -> str:
    """The ``COPY`` statement for the mapping rows of receipt numbers ``first`` to ``last``, values inlined
    (``COPY`` takes no parameters) by the driver's own quoting (``mogrify``)."""
    inner, params = _inner_sql(process, first, last)
    with connection.cursor() as cursor:
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


def crlf(data: bytes) -> bytes:
    """PostgreSQL's LF record ends as CRLF; a line break inside a quoted cell (between an odd and the next
    even double quote: a doubled quote closes and reopens) stays as it is. ``data`` ends at a row's end."""
    parts = data.split(b'"')
    parts[::2] = [part.replace(b"\n", b"\r\n") for part in parts[::2]]
    return b'"'.join(parts)


def header() -> bytes:
    return csv.writer(Echo()).writerow(COLUMNS).encode("utf-8")


def _ranges(
    process: Process, version: DocumentVersion | None, last: int, target_bytes: int, first_range: int, min_range: int
) -> Iterator[bytes]:
    first, size = 1, first_range
    with connection.cursor() as cursor:
        while first <= last:
            end = min(first + size - 1, last)
            buffer = io.BytesIO()
            cursor.copy_expert(copy_sql(process, version, first, end), buffer)
            data = buffer.getvalue()
            del buffer
            if data:
                yield crlf(data)
            # The next range: about target_bytes, whatever the texts' length.
            size = max(min_range, min(MAX_RANGE, size * target_bytes // max(len(data), 1)))
            first = end + 1


def copy_stream(
    process: Process,
    *,
    target_bytes: int = TARGET_BYTES,
    first_range: int = FIRST_RANGE,
    min_range: int = MIN_RANGE,
) -> Iterator[bytes]:
    """``mapping.csv`` of ``process``, in chunks of about ``target_bytes``, from one snapshot of the database."""
    yield header()
    outermost = not connection.in_atomic_block  # else read in the caller's transaction (a test's, a task's)
    with transaction.atomic() if outermost else contextlib.nullcontext():
        if outermost:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        version = DocumentVersion.objects.report_version_for(process)
        last = Submission.objects.filter(process=process).aggregate(last=Max("number"))["last"] or 0
        yield from _ranges(process, version, last, target_bytes, first_range, min_range)
