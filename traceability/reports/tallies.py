"""The triggers that keep the tallies (``reports.models``) equal to a full recount, and the recount itself.

**What is counted.** Every submission counts once in each tally whose condition it meets, under a key read
from three rows: the submission itself, its current disposition (``dispositions_disposition``) and its
drafted decision (``dispositions_draftdecision``). One key expression per column (``TALLIES``) serves the
triggers, the rebuild and the recount, so they cannot disagree on what a key is.

**How the triggers keep it.** A write to one of the three tables changes one submission's key: each
trigger subtracts the submission's count under the key it had before the row changed and adds it under the
key it has after, reading the other two tables as they are at that moment (they did not change in this
statement). So the tallies equal a recount after every row change, whichever table is written first in a
transaction, and whatever writes it: the services, ``QuerySet.update()``, the admin, cascades, the account
scrub. The triggers are AFTER ... FOR EACH ROW, on PostgreSQL (PL/pgSQL functions) and SQLite alike, and
every statement is an upsert (``INSERT ... ON CONFLICT DO UPDATE``), so concurrent filings never lose a count.

**When they stand aside.** While history maintenance is on (``consultations.history.history_maintenance``:
``flush``, which on SQLite deletes tables in no fixed order, and wiping whole demo processes, whose tally
rows go with the process) and inside ``tallies_suspended()`` (bulk loads, which then call
``rebuild_tallies``).

**Kept in place.** SQLite drops a table's triggers when a migration rebuilds the table, so
``triggers_ensure`` runs after every ``migrate`` (a ``post_migrate`` hook): it replaces the triggers, and
when some were missing it recounts everything, since writes may have gone uncounted meanwhile.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, connections, transaction

from traceability.consultations.history import MAINTENANCE_SETTING, MAINTENANCE_TABLE, transaction_switch
from traceability.consultations.models import Attribution, Process, SubmissionStatus
from traceability.dispositions.models import ExclusionGround

SUSPEND_SETTING = "trace.tallies"
SUSPEND_TABLE = "trace_tallies_suspended"

SUBMISSIONS = "consultations_submission"
DISPOSITIONS = "dispositions_disposition"
DRAFTS = "dispositions_draftdecision"


def _quoted(*values: str) -> str:
    return ", ".join(f"'{value}'" for value in values)


WITHDRAWN = _quoted(SubmissionStatus.WITHDRAWN)
DECIDED = _quoted(*SubmissionStatus.decided())


@dataclass(frozen=True)
class Source:
    """Where one statement reads a submission's facts: ``s`` and ``d`` prefix the submission's and the
    disposition's columns (a table alias, or a trigger's ``NEW``/``OLD``); ``drafted`` is an SQL truth."""

    s: str
    d: str
    tables: str
    where: str
    drafted: str


@dataclass(frozen=True)
class TallyDef:
    table: str
    # (column, SQL expression over {s}, {d}, {drafted}); vendor-specific expressions as {"postgresql": ...}.
    key: tuple[tuple[str, str | dict[str, str]], ...]
    condition: str
    reads_disposition: bool
    reads_draft: bool
    # Delete a row when its count falls to zero (its key is personal data: an organisation's name must not
    # outlive the account that was closed or the submission that was withdrawn).
    prune: bool = False

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(column for column, _ in self.key)

    def expressions(self, vendor: str, source: Source) -> list[str]:
        values = {"s": source.s, "d": source.d, "drafted": source.drafted}
        return [(e[vendor] if isinstance(e, dict) else e).format(**values) for _, e in self.key]

    def where(self, source: Source) -> str:
        condition = self.condition.format(s=source.s, d=source.d, drafted=source.drafted)
        return f"({source.where}) AND ({condition})"


SHOWN_BY_NAME = (
    # consultations.models.shown_by_name(), in SQL
    f"({{s}}.attribution = '{Attribution.NAME}' AND {{s}}.status <> {WITHDRAWN} "
    "AND NOT {s}.withheld AND {s}.author_name <> '')"
)
JUSTIFIED = (
    f"COALESCE(({{d}}.ground = '{ExclusionGround.LEGAL}' AND {{d}}.legal_provision <> '') "
    f"OR ({{d}}.ground = '{ExclusionGround.PUBLIC_MORALITY}' AND {{d}}.justification <> ''), FALSE)"
)
# reports.indicators.reach compares organisations as Lower(Trim(organisation)): the same SQL functions.
ORGANISATION_KEY = "LOWER(TRIM({s}.organisation))"

TALLY = TallyDef(
    table="reports_tally",
    key=(
        ("process_id", "{s}.process_id"),
        ("stakeholder_group_id", "{s}.stakeholder_group_id"),
        ("round_key", "COALESCE({s}.round_id, 0)"),
        ("country", "{s}.country"),
        ("shown_by_name", SHOWN_BY_NAME),
        ("status", "{s}.status"),
        ("ground", "COALESCE({d}.ground, '')"),
        ("extent", "COALESCE({d}.extent, '')"),
        ("justified", JUSTIFIED),
        ("drafted", "{drafted}"),
    ),
    condition="TRUE",
    reads_disposition=True,
    reads_draft=True,
)
ORGANISATIONS = TallyDef(
    table="reports_organisationtally",
    key=(
        ("process_id", "{s}.process_id"),
        ("round_key", "COALESCE({s}.round_id, 0)"),
        ("organisation_key", ORGANISATION_KEY),
    ),
    condition=f"{{s}}.status <> {WITHDRAWN} AND {ORGANISATION_KEY} <> ''",
    reads_disposition=False,
    reads_draft=False,
    prune=True,
)
DECISION_DAYS = TallyDef(
    table="reports_decisiondaytally",
    key=(
        ("process_id", "{s}.process_id"),
        ("round_key", "COALESCE({s}.round_id, 0)"),
        # The calendar day in UTC (reports.indicators.responsiveness counts whole days in UTC). SQLite keeps
        # times as UTC text 'YYYY-MM-DD HH:MM:SS...'.
        (
            "decided_on",
            {
                "postgresql": "(({d}.first_decided_at) AT TIME ZONE 'UTC')::date",
                "sqlite": "SUBSTR({d}.first_decided_at, 1, 10)",
            },
        ),
    ),
    condition=f"{{s}}.status IN ({DECIDED}) AND {{d}}.id IS NOT NULL",
    reads_disposition=True,
    reads_draft=False,
)
SUBMISSION_LANGUAGES = TallyDef(
    table="reports_languagetally",
    key=(
        ("process_id", "{s}.process_id"),
        ("language", "{s}.language"),
    ),
    # consultations.models.public_text(), in SQL: the language of a withdrawn or withheld text is not told.
    condition=f"{{s}}.status <> {WITHDRAWN} AND NOT {{s}}.withheld",
    reads_disposition=False,
    reads_draft=False,
)
TALLIES = (TALLY, ORGANISATIONS, DECISION_DAYS, SUBMISSION_LANGUAGES)
# The tallies of the first migration (reports 0001), which runs before submissions had a recorded language: it makes
# the triggers for these only, and reports 0003 adds the language tally.
FIRST_TALLIES = (TALLY, ORGANISATIONS, DECISION_DAYS)


def _has_draft(submission_id: str) -> str:
    # bandit B608 reviewed: table and column names are this module's constants.
    return f"EXISTS (SELECT 1 FROM {DRAFTS} dd WHERE dd.submission_id = {submission_id})"  # nosec B608


# ----------------------------------------------------------------------------- the sources a trigger reads


def _submission_row(row: str) -> Source:
    """The submission is the trigger's row; its disposition and draft as they are now."""
    return Source(
        s=row,
        d="d",
        tables=f"(SELECT 1 AS one) one LEFT JOIN {DISPOSITIONS} d ON d.submission_id = {row}.id",
        where="TRUE",
        drafted=_has_draft(f"{row}.id"),
    )


def _disposition_row(row: str) -> Source:
    """The disposition is the trigger's row; its submission and draft as they are now."""
    return Source(
        s="s", d=row, tables=f"{SUBMISSIONS} s", where=f"s.id = {row}.submission_id", drafted=_has_draft("s.id")
    )


def _no_disposition(row: str) -> Source:
    """The submission of the trigger's row, as it counts without a disposition."""
    return Source(
        s="s",
        d="d",
        tables=f"{SUBMISSIONS} s LEFT JOIN {DISPOSITIONS} d ON 1 = 0",
        where=f"s.id = {row}.submission_id",
        drafted=_has_draft("s.id"),
    )


def _draft(row: str, drafted: bool) -> Source:
    """The submission of the trigger's (draft) row, with its disposition now, drafted or not."""
    return Source(
        s="s",
        d="d",
        tables=f"{SUBMISSIONS} s LEFT JOIN {DISPOSITIONS} d ON d.submission_id = s.id",
        where=f"s.id = {row}.submission_id",
        drafted="TRUE" if drafted else "FALSE",
    )


def _everything(process_id: int | None) -> Source:
    """Every submission (of one process), for the rebuild and the recount."""
    return Source(
        s="s",
        d="d",
        tables=(
            f"{SUBMISSIONS} s LEFT JOIN {DISPOSITIONS} d ON d.submission_id = s.id "
            f"LEFT JOIN {DRAFTS} dd ON dd.submission_id = s.id"
        ),
        where="TRUE" if process_id is None else "s.process_id = %s",
        drafted="(dd.id IS NOT NULL)",
    )


def _add(vendor: str, tally: TallyDef, source: Source, sign: int) -> list[str]:
    columns = ", ".join(tally.columns)
    expressions = ", ".join(tally.expressions(vendor, source))
    # bandit B608 reviewed: every name and expression here is this module's constant, never input.
    statements = [
        f"INSERT INTO {tally.table} ({columns}, n) "  # nosec B608
        f"SELECT {expressions}, {sign} FROM {source.tables} "
        f"WHERE {tally.where(source)} "
        f"ON CONFLICT ({columns}) DO UPDATE SET n = {tally.table}.n + excluded.n"
    ]
    if tally.prune and sign < 0:
        statements.append(
            f"DELETE FROM {tally.table} WHERE n = 0 AND ({columns}) IN "  # nosec B608
            f"(SELECT {expressions} FROM {source.tables} WHERE {tally.where(source)})"
        )
    return statements


# ----------------------------------------------------------------------------- the triggers


@dataclass(frozen=True)
class Trigger:
    name: str
    table: str
    event: str  # INSERT, UPDATE or DELETE
    statements: tuple[str, ...]
    changed: str = ""  # for UPDATE: an SQL truth over OLD and NEW, with {differ} for IS DISTINCT FROM


def _differ(vendor: str) -> str:
    return "IS DISTINCT FROM" if vendor == "postgresql" else "IS NOT"


SUBMISSION_CHANGES = (
    "OLD.process_id {differ} NEW.process_id OR OLD.stakeholder_group_id {differ} NEW.stakeholder_group_id "
    "OR OLD.round_id {differ} NEW.round_id OR OLD.country {differ} NEW.country "
    "OR OLD.attribution {differ} NEW.attribution OR OLD.status {differ} NEW.status "
    "OR OLD.withheld {differ} NEW.withheld OR (OLD.author_name = '') {differ} (NEW.author_name = '') "
    "OR OLD.organisation {differ} NEW.organisation"
)
DISPOSITION_CHANGES = (
    "OLD.submission_id {differ} NEW.submission_id OR OLD.ground {differ} NEW.ground "
    "OR OLD.extent {differ} NEW.extent OR (OLD.legal_provision = '') {differ} (NEW.legal_provision = '') "
    "OR (OLD.justification = '') {differ} (NEW.justification = '') "
    "OR OLD.first_decided_at {differ} NEW.first_decided_at"
)


# What else a submission's update must move when a tally counts it by its language (consultations 0010's column).
LANGUAGE_CHANGES = "OLD.language {differ} NEW.language"


def triggers(vendor: str, tallies: tuple[TallyDef, ...] = TALLIES) -> list[Trigger]:
    """The triggers that keep ``tallies``. Their names do not depend on which tallies they keep."""

    def moves(pairs: list[tuple[Source, int]], tallies: tuple[TallyDef, ...]) -> tuple[str, ...]:
        return tuple(
            statement for source, sign in pairs for tally in tallies for statement in _add(vendor, tally, source, sign)
        )

    on_disposition = tuple(t for t in tallies if t.reads_disposition)
    on_draft = tuple(t for t in tallies if t.reads_draft)
    submission_changes = SUBMISSION_CHANGES + (f" OR {LANGUAGE_CHANGES}" if SUBMISSION_LANGUAGES in tallies else "")
    return [
        Trigger("trace_tally_submission_insert", SUBMISSIONS, "INSERT", moves([(_submission_row("NEW"), 1)], tallies)),
        Trigger("trace_tally_submission_delete", SUBMISSIONS, "DELETE", moves([(_submission_row("OLD"), -1)], tallies)),
        Trigger(
            "trace_tally_submission_update",
            SUBMISSIONS,
            "UPDATE",
            moves([(_submission_row("OLD"), -1), (_submission_row("NEW"), 1)], tallies),
            submission_changes,
        ),
        Trigger(
            "trace_tally_disposition_insert",
            DISPOSITIONS,
            "INSERT",
            moves([(_no_disposition("NEW"), -1), (_disposition_row("NEW"), 1)], on_disposition),
        ),
        Trigger(
            "trace_tally_disposition_delete",
            DISPOSITIONS,
            "DELETE",
            moves([(_disposition_row("OLD"), -1), (_no_disposition("OLD"), 1)], on_disposition),
        ),
        Trigger(
            "trace_tally_disposition_update",
            DISPOSITIONS,
            "UPDATE",
            moves(
                [
                    (_disposition_row("OLD"), -1),
                    (_no_disposition("OLD"), 1),
                    (_no_disposition("NEW"), -1),
                    (_disposition_row("NEW"), 1),
                ],
                on_disposition,
            ),
            DISPOSITION_CHANGES,
        ),
        Trigger(
            "trace_tally_draft_insert",
            DRAFTS,
            "INSERT",
            moves([(_draft("NEW", False), -1), (_draft("NEW", True), 1)], on_draft),
        ),
        Trigger(
            "trace_tally_draft_delete",
            DRAFTS,
            "DELETE",
            moves([(_draft("OLD", True), -1), (_draft("OLD", False), 1)], on_draft),
        ),
        Trigger(
            "trace_tally_draft_update",
            DRAFTS,
            "UPDATE",
            moves(
                [
                    (_draft("OLD", True), -1),
                    (_draft("OLD", False), 1),
                    (_draft("NEW", False), -1),
                    (_draft("NEW", True), 1),
                ],
                on_draft,
            ),
            "OLD.submission_id {differ} NEW.submission_id",
        ),
    ]


TRIGGER_NAMES = tuple(trigger.name for trigger in triggers("sqlite"))


def _active(vendor: str) -> str:
    """The triggers stand aside during history maintenance and inside ``tallies_suspended()``."""
    if vendor == "postgresql":
        return (
            f"current_setting('{MAINTENANCE_SETTING}', true) IS DISTINCT FROM 'on' "
            f"AND current_setting('{SUSPEND_SETTING}', true) IS DISTINCT FROM 'off'"
        )
    # bandit B608 reviewed: table names are constants.
    return f"NOT EXISTS (SELECT 1 FROM {MAINTENANCE_TABLE}) AND NOT EXISTS (SELECT 1 FROM {SUSPEND_TABLE})"  # nosec B608


def _create_statements(vendor: str, trigger: Trigger) -> list[str]:
    when = _active(vendor)
    if trigger.changed:
        when = f"({when}) AND ({trigger.changed.format(differ=_differ(vendor))})"
    if vendor == "postgresql":
        body = ";\n".join(trigger.statements)
        return [
            f"CREATE OR REPLACE FUNCTION {trigger.name}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            f"BEGIN\n{body};\nRETURN NULL;\nEND;\n$$",
            f"CREATE TRIGGER {trigger.name} AFTER {trigger.event} ON {trigger.table} "
            f"FOR EACH ROW WHEN ({when}) EXECUTE FUNCTION {trigger.name}()",
        ]
    body = "".join(f"{statement};\n" for statement in trigger.statements)
    head = f"CREATE TRIGGER {trigger.name} AFTER {trigger.event} ON {trigger.table} FOR EACH ROW WHEN {when}"
    return [f"{head}\nBEGIN\n{body}END"]


def _drop_statements(vendor: str, trigger: Trigger, *, functions: bool) -> list[str]:
    if vendor == "postgresql":
        drop = [f"DROP TRIGGER IF EXISTS {trigger.name} ON {trigger.table}"]
        return drop + ([f"DROP FUNCTION IF EXISTS {trigger.name}()"] if functions else [])
    return [f"DROP TRIGGER IF EXISTS {trigger.name}"]


def _check_vendor(vendor: str) -> None:
    if vendor not in ("postgresql", "sqlite"):
        raise NotImplementedError(f"No tally triggers for {vendor}.")


def triggers_present(connection: object) -> set[str]:
    """The names of the tally triggers in place."""
    placeholders = ", ".join(["%s"] * len(TRIGGER_NAMES))
    if connection.vendor == "postgresql":
        sql = f"SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgname IN ({placeholders})"  # nosec B608
    else:
        sql = f"SELECT name FROM sqlite_master WHERE type = 'trigger' AND name IN ({placeholders})"  # nosec B608
    with connection.cursor() as cursor:
        cursor.execute(sql, list(TRIGGER_NAMES))
        return {row[0] for row in cursor.fetchall()}


def triggers_create(connection: object, tallies: tuple[TallyDef, ...] = TALLIES) -> None:
    """(Re)create every tally trigger, keeping ``tallies``: idempotent, and picks up a changed definition."""
    vendor = connection.vendor
    _check_vendor(vendor)
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        if vendor == "sqlite":
            cursor.execute(f"CREATE TABLE IF NOT EXISTS {MAINTENANCE_TABLE} (id INTEGER PRIMARY KEY CHECK (id = 1))")
            cursor.execute(f"CREATE TABLE IF NOT EXISTS {SUSPEND_TABLE} (id INTEGER PRIMARY KEY CHECK (id = 1))")
        for trigger in triggers(vendor, tallies):
            for statement in _drop_statements(vendor, trigger, functions=False):
                cursor.execute(statement)
            for statement in _create_statements(vendor, trigger):
                cursor.execute(statement)


def triggers_drop(connection: object) -> None:
    vendor = connection.vendor
    _check_vendor(vendor)
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        for trigger in triggers(vendor):
            for statement in _drop_statements(vendor, trigger, functions=True):
                cursor.execute(statement)
        if vendor == "sqlite":
            cursor.execute(f"DROP TABLE IF EXISTS {SUSPEND_TABLE}")


def tables_exist(connection: object, tallies: tuple[TallyDef, ...] = TALLIES) -> bool:
    return {tally.table for tally in tallies} <= set(connection.introspection.table_names())


def triggers_ensure(connection: object) -> bool:
    """Put every tally trigger in place (after each ``migrate``). When some were missing (a migration rebuilt a
    table on SQLite), writes may have gone uncounted: recount everything. Returns whether it recounted."""
    if connection.vendor not in ("postgresql", "sqlite") or not tables_exist(connection):
        return False
    missing = set(TRIGGER_NAMES) - triggers_present(connection)
    triggers_create(connection)
    if missing:
        rebuild_tallies(using=connection.alias)
    return bool(missing)


@contextmanager
def tallies_suspended(*, using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Let a bulk load write submissions, dispositions and drafts without the triggers' cost, in one
    transaction: call ``rebuild_tallies`` for the processes it touched before the block ends, so that no
    other transaction ever sees tallies that disagree with the rows."""
    with transaction_switch(setting=SUSPEND_SETTING, table=SUSPEND_TABLE, on="off", off="on", using=using):
        yield


# ----------------------------------------------------------------------------- recount and rebuild


def _recount_sql(vendor: str, tally: TallyDef, process_id: int | None) -> str:
    source = _everything(process_id)
    expressions = tally.expressions(vendor, source)
    positions = ", ".join(str(i + 1) for i in range(len(expressions)))
    # bandit B608 reviewed: every name and expression here is this module's constant, never input.
    return (
        f"SELECT {', '.join(expressions)}, COUNT(*) FROM {source.tables} "  # nosec B608
        f"WHERE {tally.where(source)} GROUP BY {positions}"
    )


def rebuild_tallies(
    process_id: int | None = None,
    *,
    using: str = DEFAULT_DB_ALIAS,
    tallies: tuple[TallyDef, ...] = TALLIES,
    touch: bool = True,
) -> set[int]:
    """Recount ``tallies`` (all by default) of ``process_id`` (every process when None) from the rows, in one
    transaction: a DELETE, then an INSERT ... SELECT ... GROUP BY per tally. For after a bulk load made with the
    triggers off, for ``triggers_ensure``, and for a migration that adds a tally. Returns the processes whose
    counts the recount changed.

    ``touch``: bump those processes' ``stats_version``, so that the figures kept from the tallies as they were
    (``indicators_for``) are read again; the others keep theirs, and a published report does not read as changed
    when nothing did. A migration passes ``touch=False``: its tally is new, and no figure was kept from it."""
    connection = connections[using]
    vendor = connection.vendor
    _check_vendor(vendor)
    params = [] if process_id is None else [process_id]
    changed: set[int] = set()
    with transaction.atomic(using=using), connection.cursor() as cursor:
        for tally in tallies:
            where = "" if process_id is None else " WHERE process_id = %s"
            columns = ", ".join(tally.columns)
            # What the table held, to tell which processes the recount changed (a row counted down to zero is
            # the same as no row).
            rows = f"SELECT {columns}, n FROM {tally.table} WHERE n <> 0{where.replace(' WHERE', ' AND')}"  # nosec B608
            cursor.execute(f"CREATE TEMPORARY TABLE trace_tally_before AS {rows}", params)
            cursor.execute(f"DELETE FROM {tally.table}{where}", params)  # nosec B608
            cursor.execute(
                f"INSERT INTO {tally.table} ({columns}, n) {_recount_sql(vendor, tally, process_id)}", params
            )  # nosec B608
            before = f"SELECT {columns}, n FROM trace_tally_before"  # nosec B608
            cursor.execute(
                f"SELECT process_id FROM ({rows} EXCEPT {before}) AS added "  # nosec B608
                f"UNION SELECT process_id FROM ({before} EXCEPT {rows}) AS gone",
                params + params,
            )
            changed.update(row[0] for row in cursor.fetchall())
            cursor.execute("DROP TABLE trace_tally_before")
        if touch and changed:
            # bandit B608 reviewed: the model's own table name; the ids are parameters.
            process_table = connection.ops.quote_name(Process._meta.db_table)
            marks = ", ".join(["%s"] * len(changed))
            cursor.execute(
                f"UPDATE {process_table} SET stats_version = stats_version + 1 WHERE id IN ({marks})",  # nosec B608
                sorted(changed),
            )
    return changed


Counted = dict[str, dict[tuple, int]]


def _normalise(row: tuple) -> tuple:
    # SQLite gives booleans as 0/1 and days as text; PostgreSQL as bool and date: compare as text.
    return tuple(str(int(v)) if isinstance(v, bool) else str(v) for v in row)


def recount(process_id: int | None = None, *, using: str = DEFAULT_DB_ALIAS) -> Counted:
    """What the tallies should hold, counted from the rows now: ``{table: {key: count}}``."""
    connection = connections[using]
    params = [] if process_id is None else [process_id]
    counted: Counted = {}
    with connection.cursor() as cursor:
        for tally in TALLIES:
            cursor.execute(_recount_sql(connection.vendor, tally, process_id), params)
            counted[tally.table] = {_normalise(row[:-1]): row[-1] for row in cursor.fetchall()}
    return counted


def stored(process_id: int | None = None, *, using: str = DEFAULT_DB_ALIAS) -> Counted:
    """What the tallies hold (rows counted down to zero left out): ``{table: {key: count}}``."""
    connection = connections[using]
    params = [] if process_id is None else [process_id]
    found: Counted = {}
    with connection.cursor() as cursor:
        for tally in TALLIES:
            where = "" if process_id is None else " AND process_id = %s"
            cursor.execute(f"SELECT {', '.join(tally.columns)}, n FROM {tally.table} WHERE n <> 0{where}", params)  # nosec B608
            found[tally.table] = {_normalise(row[:-1]): row[-1] for row in cursor.fetchall()}
    return found


@dataclass(frozen=True)
class Difference:
    table: str
    key: dict[str, str]
    stored: int
    expected: int


def differences(process_id: int | None = None, *, using: str = DEFAULT_DB_ALIAS) -> list[Difference]:
    """Every key whose stored count is not what a recount gives (none when the tallies are right)."""
    connection = connections[using]
    outermost = not connection.in_atomic_block
    with transaction.atomic(using=using):
        if outermost and connection.vendor == "postgresql":
            # One snapshot for both reads, so that filings committed meanwhile cannot show as differences.
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        expected, found = recount(process_id, using=using), stored(process_id, using=using)
    names = {tally.table: tally.columns for tally in TALLIES}
    return [
        Difference(table, dict(zip(names[table], key, strict=True)), found[table].get(key, 0), count)
        for table in names
        for key in sorted(set(expected[table]) | set(found[table]))
        if (count := expected[table].get(key, 0)) != found[table].get(key, 0)
    ]
