"""The full mapping, one row per (submission, clause link), read by one query and streamed.

Every submission appears: a reflected one once per clause it is linked to, an excluded,
pending or withdrawn one exactly once. So every indicator of the report can be recomputed
from the rows (see ``docs/report-json.md``), except that organisations hidden by their authors
are blank here, so organisation reach recomputed from the rows is a lower bound. Memory stays
constant at any size: the rows come from a single ``.iterator()`` query (a server-side cursor
on PostgreSQL) and leave as they are read, in chunks of about 64 KB.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

from django.db.models import Case, CharField, F, Q, QuerySet, Value, When

from traceability.consultations.models import Attribution, Process, Submission
from traceability.dispositions.models import DispositionKind, ExclusionGround
from traceability.dispositions.selectors import Status

# Stable names: consumers key on them. Add columns at the end; never rename or remove one.
COLUMNS = (
    "submission_id",
    "reference",
    "number",
    "received_at",
    "withdrawn_at",
    "stakeholder_group",
    "stakeholder_group_kind",
    "country",
    "organisation",
    "attribution",
    "status",
    "extent",
    "ground",
    "citation_or_justification",
    "decided_at",
    "first_decided_at",
    "link_extent",
    "link_note",
    "clause_id",
    "clause_eid",
    "clause_label",
    "document_version",
    "title",
    "text",
    "target_clause",
    "proposed_change",
)

Row = tuple[object, ...]
# Rows fetched per round trip (server-side cursor on PostgreSQL, fetchmany on SQLite). Two chunks are in
# memory at a time, and a row may carry 40,000 characters of text: 500 rows bound that to ~40 MB at worst.
CHUNK_ROWS = 500
CHUNK_BYTES = 64 * 1024  # bytes handed to the server at a time

_ACTIVE = Q(withdrawn_at__isnull=True)
# What the public must not learn never leaves the database: an organisation its author chose to
# hide, and the words of a withdrawn submission.
_PUBLIC = {
    "public_organisation": Case(
        When(attribution=Attribution.NAME, then=F("organisation")), default=Value(""), output_field=CharField()
    ),
    "public_title": Case(When(_ACTIVE, then=F("title")), default=Value(""), output_field=CharField()),
    "public_text": Case(When(_ACTIVE, then=F("text")), default=Value(""), output_field=CharField()),
    "public_proposed_change": Case(
        When(_ACTIVE, then=F("proposed_change")), default=Value(""), output_field=CharField()
    ),
}
_LINK = "disposition__links__"
_FIELDS = (
    "pk",
    "reference",
    "number",
    "received_at",
    "withdrawn_at",
    "stakeholder_group__name",
    "stakeholder_group__kind",
    "country",
    "public_organisation",
    "attribution",
    "disposition__kind",
    "disposition__extent",
    "disposition__ground",
    "disposition__legal_provision",
    "disposition__justification",
    "disposition__decided_at",
    "disposition__first_decided_at",
    _LINK + "extent",
    _LINK + "note",
    _LINK + "clause_id",
    _LINK + "clause__eid",
    _LINK + "clause__label",
    _LINK + "clause__version__number",
    "public_title",
    "public_text",
    "target_clause",
    "public_proposed_change",
)


def mapping_queryset(process: Process) -> QuerySet:
    """Submissions LEFT JOIN disposition, links, clause and version: a row per link, or one without."""
    return (
        Submission.objects.filter(process=process)
        .annotate(**_PUBLIC)
        .order_by("number", _LINK + "clause__position", _LINK + "pk")
        .values_list(*_FIELDS)
    )


def iso(value: datetime | None) -> str | None:
    """ISO 8601 in UTC with a ``Z``: ``2025-06-30T12:00:00Z`` (microseconds when there are any)."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _blank(value: str | None) -> str | None:
    return value or None


def mapping_rows(process: Process, *, chunk_size: int = CHUNK_ROWS) -> Iterator[Row]:
    """The rows of the mapping in ``COLUMNS`` order; ``None`` where a value is absent, hidden or not applicable."""
    withdrawn_seen = None
    for (
        pk,
        reference,
        number,
        received_at,
        withdrawn_at,
        group,
        group_kind,
        country,
        organisation,
        attribution,
        kind,
        extent,
        ground,
        legal_provision,
        justification,
        decided_at,
        first_decided_at,
        link_extent,
        link_note,
        clause_id,
        clause_eid,
        clause_label,
        version,
        title,
        text,
        target_clause,
        proposed_change,
    ) in mapping_queryset(process).iterator(chunk_size=chunk_size):
        identity = (pk, reference, number, iso(received_at), iso(withdrawn_at), group, _blank(group_kind))
        author = (_blank(country), _blank(organisation), attribution)
        if withdrawn_at is not None:
            # A withdrawn submission is one row, whatever it was linked to before: it needs no decision,
            # and the report counts it apart. Its rows arrive one after another (ordered by number).
            if pk == withdrawn_seen:
                continue
            withdrawn_seen = pk
            nothing_public = (None,) * 13  # from extent to text
            yield (*identity, *author, Status.WITHDRAWN, *nothing_public, None, None)
            continue
        reason = legal_provision if ground == ExclusionGround.LEGAL else justification
        yield (
            *identity,
            *author,
            kind or Status.PENDING,
            _blank(extent) if kind == DispositionKind.REFLECTED else None,
            _blank(ground),
            _blank(reason) if kind == DispositionKind.EXCLUDED else None,
            iso(decided_at),
            iso(first_decided_at),
            link_extent,
            _blank(link_note),
            clause_id,
            clause_eid,
            clause_label,
            version,
            title,
            text,
            _blank(target_clause),
            _blank(proposed_change),
        )


# ----------------------------------------------------------------------------- CSV

# A spreadsheet runs a cell that begins with one of these as a formula (CSV injection, see
# https://owasp.org/www-community/attacks/CSV_Injection). Such cells get a leading single quote.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_TRIGGERS = frozenset(FORMULA_TRIGGERS)


def csv_cell(value: object) -> object:
    """The value as the CSV writes it: ``None`` as an empty cell, a formula-like text behind a quote."""
    if value is None:
        return ""
    if value.__class__ is str and value[:1] in _TRIGGERS:
        return "'" + value
    return value


class Echo:
    """A pseudo-buffer for ``csv.writer``: hands each written line back instead of storing it."""

    def write(self, value: str) -> str:
        return value


def _chunked(lines: Iterable[str]) -> Iterator[bytes]:
    parts: list[str] = []
    size = 0
    for line in lines:
        parts.append(line)
        size += len(line)
        if size >= CHUNK_BYTES:
            yield "".join(parts).encode("utf-8")
            parts, size = [], 0
    if parts:
        yield "".join(parts).encode("utf-8")


def csv_stream(rows: Iterable[Row]) -> Iterator[bytes]:
    """RFC 4180 CSV in UTF-8 (no byte-order mark), CRLF line ends, a header row of ``COLUMNS``."""
    writer = csv.writer(Echo())

    def lines() -> Iterator[str]:
        yield writer.writerow(COLUMNS)
        for row in rows:
            # csv_cell, inlined: this loop runs for every cell of every row. The writer writes None as "".
            yield writer.writerow([("'" + v) if v.__class__ is str and v[:1] in _TRIGGERS else v for v in row])

    return _chunked(lines())


# ----------------------------------------------------------------------------- JSON


def json_stream(header: dict[str, object], rows: Iterable[Row]) -> Iterator[bytes]:
    """``{<header fields>, "columns": [...], "rows": [{...}, ...]}``, written one row at a time."""

    def parts() -> Iterator[str]:
        head = {**header, "columns": list(COLUMNS)}
        yield json.dumps(head, ensure_ascii=False)[:-1] + ', "rows": ['
        separator = "\n"
        for row in rows:
            yield separator + json.dumps(dict(zip(COLUMNS, row, strict=True)), ensure_ascii=False)
            separator = ",\n"
        yield "\n]}\n"

    return _chunked(parts())
