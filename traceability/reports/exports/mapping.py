"""The full mapping, one row per (submission, clause link), read by one query and streamed.

Every submission appears: a reflected one (or one whose links need re-confirmation) once per clause
its current decision links, an excluded, pending or withdrawn one exactly once. Clauses are given
against the report's version (the adopted final text, else the newest adopted version): ``clause_id``
is the clause's permanent identity, ``clause_eid`` and ``clause_label`` its anchor and number in that
version (empty when the clause was removed), ``link_state`` whether the link is confirmed there.
So every indicator of the report can be recomputed
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

from django.db.models import Case, CharField, F, QuerySet, Value, When

from traceability.consultations.models import Process, Submission, SubmissionStatus, public_text, shown_by_name
from traceability.dispositions.models import ExclusionGround
from traceability.dispositions.selectors import LinkState
from traceability.outcomes.models import Clause, ClauseIdentity, DocumentVersion

# Stable names: consumers key on them. Add columns at the end; rename or remove one only with a new
# schema version (``SCHEMA_VERSION``, documented in docs/report-json.md).
SCHEMA_VERSION = 3  # 3: no database ids (submission_id gone), dates to the day, group-only hides the country
COLUMNS = (
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
    "link_state",
    "clause_confirmed_label",
    "clause_confirmed_version",
    "round",
    "target_clause_id",
    "withheld",
    "same_as",
    "region",
    "language",
)

Row = tuple[object, ...]
# Rows fetched per round trip (server-side cursor on PostgreSQL, fetchmany on SQLite). Two chunks are in
# memory at a time, and a row may carry 40,000 characters of text: 500 rows bound that to ~40 MB at worst.
CHUNK_ROWS = 500
CHUNK_BYTES = 64 * 1024  # bytes handed to the server at a time

_ACTIVE = public_text()
# What the public must not learn never leaves the database: the organisation and country of a submission
# not shown by name (its author chose the group only, withdrew it or deleted their account, or it is
# withheld), the words of a withdrawn submission, and the words of a withheld one (and their language).
_PUBLIC = {
    "public_organisation": Case(
        When(shown_by_name(), then=F("organisation")), default=Value(""), output_field=CharField()
    ),
    "public_title": Case(When(_ACTIVE, then=F("title")), default=Value(""), output_field=CharField()),
    "public_text": Case(When(_ACTIVE, then=F("text")), default=Value(""), output_field=CharField()),
    "public_target_clause": Case(When(_ACTIVE, then=F("target_clause")), default=Value(""), output_field=CharField()),
    "public_proposed_change": Case(
        When(_ACTIVE, then=F("proposed_change")), default=Value(""), output_field=CharField()
    ),
    "public_language": Case(When(_ACTIVE, then=F("language")), default=Value(""), output_field=CharField()),
}
_LINK = "disposition__revision__links__"
_FIELDS = (
    "pk",
    "reference",
    "number",
    "received_at",
    "withdrawn_at",
    "stakeholder_group__name",
    "stakeholder_group__kind",
    "public_country",
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
    _LINK + "identity_id",
    _LINK + "fingerprint",
    _LINK + "clause__label",
    _LINK + "clause__version__number",
    "public_title",
    "public_text",
    "public_target_clause",
    "public_proposed_change",
    "status",
    "round__number",
    "target_id",
    "withheld",
    "disposition__duplicate_of__reference",
    "public_region",
    "public_language",
)


def mapping_queryset(process: Process) -> QuerySet:
    """Submissions LEFT JOIN current disposition, its revision's links and the clauses they were confirmed
    on: a row per link, or one without."""
    return (
        Submission.objects.filter(process=process)
        .with_public_location(process)
        .annotate(**_PUBLIC)
        .order_by("number", _LINK + "clause__position", _LINK + "pk")
        .values_list(*_FIELDS)
    )


def current_clauses(process: Process, version: DocumentVersion | None) -> dict[int, tuple[str, str, str]]:
    """Permanent identity -> (eid, label, fingerprint) of its clause in ``version``, merged identities
    included (they resolve to the clause they were merged into). Two queries; at most one row per clause."""
    if version is None:
        return {}
    clauses = {
        identity: (eid, label, fingerprint)
        for identity, eid, label, fingerprint in Clause.objects.filter(version=version).values_list(
            "identity_id", "eid", "label", "fingerprint"
        )
    }
    merged = ClauseIdentity.objects.filter(process=process, merged_into__isnull=False).values_list("pk", "merged_into")
    for identity, into in merged:
        if into in clauses:
            clauses[identity] = clauses[into]
    return clauses


def iso(value: datetime | None) -> str | None:
    """ISO 8601 in UTC with a ``Z``: ``2025-06-30T12:00:00Z`` (microseconds when there are any)."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def day(value: datetime | None) -> str | None:
    """The date in UTC, ISO 8601 (``2025-06-30``): what the public learns of when a person did something."""
    if value is None:
        return None
    return value.astimezone(UTC).date().isoformat()


_WITHHELD_AT = COLUMNS.index("withheld")
_WITH_REASON = (SubmissionStatus.EXCLUDED, SubmissionStatus.NOT_TAKEN_UP)


def _blank(value: str | None) -> str | None:
    return value or None


def mapping_rows(process: Process, *, chunk_size: int = CHUNK_ROWS) -> Iterator[Row]:
    """The rows of the mapping in ``COLUMNS`` order; ``None`` where a value is absent, hidden or not applicable."""
    version = DocumentVersion.objects.report_version_for(process)
    version_number = version.number if version else None
    now = current_clauses(process, version)
    removed = (None, None, None)
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
        _kind,
        extent,
        ground,
        legal_provision,
        justification,
        decided_at,
        first_decided_at,
        link_extent,
        link_note,
        identity,
        fingerprint,
        confirmed_label,
        confirmed_version,
        title,
        text,
        target_clause,
        proposed_change,
        status,
        round_number,
        target_id,
        withheld,
        same_as,
        region,
        language,
    ) in mapping_queryset(process).iterator(chunk_size=chunk_size):
        identity_columns = (reference, number, day(received_at), day(withdrawn_at), group, _blank(group_kind))
        author = (_blank(country), _blank(organisation), attribution)
        if status == SubmissionStatus.WITHDRAWN:
            # A withdrawn submission is one row, whatever it was linked to before: it needs no decision,
            # and the report counts it apart. Its rows arrive one after another (ordered by number).
            if pk == withdrawn_seen:
                continue
            withdrawn_seen = pk
            nothing_public = (None,) * 13  # from extent to text
            yield (
                *identity_columns,
                *author,
                SubmissionStatus.WITHDRAWN.value,
                *nothing_public,
                None,
                None,
                None,
                None,
                None,
                round_number,
                None,
                None,
                None,
                _blank(region),
                None,
            )
            continue
        reflected = status in (SubmissionStatus.REFLECTED, SubmissionStatus.NEEDS_RECONFIRMATION)
        reason = legal_provision if ground == ExclusionGround.LEGAL else justification
        now_eid, now_label, now_fingerprint = now.get(identity, removed)
        if identity is None:
            state = None
        elif now_eid is None:
            state = LinkState.REMOVED
        else:
            state = LinkState.CONFIRMED if now_fingerprint == fingerprint else LinkState.SUSPECT
        yield (
            *identity_columns,
            *author,
            status,
            _blank(extent) if reflected else None,
            _blank(ground) if status == SubmissionStatus.EXCLUDED else None,
            _blank(reason) if status in _WITH_REASON else None,
            day(decided_at) if status != SubmissionStatus.PENDING else None,
            day(first_decided_at) if status != SubmissionStatus.PENDING else None,
            link_extent,
            _blank(link_note),
            identity,
            now_eid,
            now_label,
            version_number if identity is not None else None,
            title or None,  # "" when withheld
            text or None,
            _blank(target_clause),
            _blank(proposed_change),
            state,
            confirmed_label,
            confirmed_version,
            round_number,
            target_id,
            True if withheld else None,
            same_as,
            _blank(region),
            _blank(language),  # "" when withheld or not recorded
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
            if row[_WITHHELD_AT]:
                row = (*row[:_WITHHELD_AT], "true", *row[_WITHHELD_AT + 1 :])
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
