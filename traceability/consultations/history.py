"""The tamper-evident history of a process: one hash chain per process, and the database rules that keep
history rows append-only.

**The chain.** Every history entry of a process (its events here, the decision revisions of its submissions
in ``dispositions``) takes the next position in one chain per process and carries ``prev_hash``, the hash
of the entry before it (``GENESIS`` for the first), and ``entry_hash``, the SHA-256 of a canonical
serialisation of its meaningful fields together with its position and ``prev_hash``. Changing, removing
or inserting any entry changes every hash after it, so a published head hash pins the whole history.
``HistoryHead`` keeps each process's latest hash and length; entries are sealed by ``chain_seal`` inside
the writing transaction, under the process row's lock that the writing services already hold (and the
head row's own lock), so two writers never take the same position.

**The triggers.** The history tables (``HISTORY_TABLES``) refuse every UPDATE and every DELETE in the
database itself (PostgreSQL and SQLite triggers, created by migration ``publications 0002``), whatever
the code path: ``QuerySet.update()``, bulk deletes, cascades, a shell or ``dbshell``.

**The one way to delete history: ``history_maintenance()``.** Deleting whole processes' history is a
maintenance task (``load_demo --reset``; ``manage.py flush``, which the test suite runs between
transactional tests). Inside ``history_maintenance()`` the triggers let DELETE through, never UPDATE.
It switches a flag that lives only in the current transaction: ``trace.history_maintenance`` on
PostgreSQL (``set_config(…, true)``, i.e. ``SET LOCAL``; read by the trigger with ``current_setting``),
a row in the one-row table ``trace_history_maintenance`` on SQLite (checked by the trigger's ``WHEN``),
written and removed inside the same transaction. It is not for application code: no view or service calls
it, and it leaves a chain that ``verify_history`` reports as broken unless whole processes went.

Someone holding the database's own keys can still drop or skip the triggers (a PostgreSQL superuser's
``session_replication_role``, SQLite's ``DROP TRIGGER``): that is what the chain and its published head are
for, since a rewritten row no longer hashes to what the entries after it, and the head, say.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone

from .models import HistoryHead, ProcessEvent

GENESIS = "0" * 64

# The kinds of chain entries, as they are named in the hashed serialisation and in reports.
EVENT = "process_event"
REVISION = "decision_revision"

# Every table whose rows are history: never updated, deleted only by history_maintenance().
HISTORY_TABLES = (
    "consultations_processevent",
    "dispositions_decisionrevision",
    "dispositions_clauselink",
    "publications_snapshot",
)

MAINTENANCE_SETTING = "trace.history_maintenance"
MAINTENANCE_TABLE = "trace_history_maintenance"


# ----------------------------------------------------------------------------- the chain


def canonical(value: object) -> bytes:
    """The one serialisation that is hashed: JSON, keys sorted, no spaces, UTF-8."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def instant(value: datetime) -> str:
    """A time as it is hashed: UTC, to the microsecond (what both databases keep)."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_hash(*, kind: str, position: int, prev_hash: str, fields: dict[str, object]) -> str:
    return hashlib.sha256(
        canonical({"entry": kind, "position": position, "prev": prev_hash, "fields": fields})
    ).hexdigest()


def event_fields(event: object) -> dict[str, object]:
    """What a process event says, as hashed (works on historical models in migrations too)."""
    return {
        "process": event.process_id,
        "kind": event.kind,
        "at": instant(event.at),
        "actor": event.actor_id,
        "detail": event.detail,
    }


@dataclass(frozen=True)
class Seal:
    position: int
    prev_hash: str
    entry_hash: str


def chain_seal(*, process_id: int, kind: str, fields: dict[str, object], now: datetime | None = None) -> Seal:
    """Take the next position in ``process_id``'s chain for an entry with ``fields``, and move the head to it.

    Call inside the transaction that writes the entry, holding the process row's lock (the writing services
    take it); the head row is locked here as well, so the chain cannot fork. The caller stores the seal's
    three values on the row it writes."""
    return chain_seal_many(process_id=process_id, kind=kind, fields=[fields], now=now)[0]


def chain_seal_many(
    *, process_id: int, kind: str, fields: list[dict[str, object]], now: datetime | None = None
) -> list[Seal]:
    """``chain_seal`` for many entries of one process at once (bulk loads): one read and one write of the head."""
    head = HistoryHead.objects.select_for_update().filter(process_id=process_id).first()
    created = head is None
    if created:
        head = HistoryHead(process_id=process_id, entries=0, entry_hash=GENESIS)
    seals = []
    for entry in fields:
        position, prev_hash = head.entries + 1, head.entry_hash
        head.entries, head.entry_hash = (
            position,
            entry_hash(kind=kind, position=position, prev_hash=prev_hash, fields=entry),
        )
        seals.append(Seal(position=position, prev_hash=prev_hash, entry_hash=head.entry_hash))
    if seals:
        head.updated_at = now or timezone.now()
        head.save(force_insert=created)
    return seals


def event_record(
    *, process: object, kind: str, at: datetime, actor: object | None, detail: dict[str, object]
) -> ProcessEvent:
    """Append an event to ``process``'s public history, sealed into its chain. Call it inside the writing
    transaction, with the process row locked."""
    event = ProcessEvent(process=process, kind=kind, at=at, actor=actor, detail=detail)
    seal = chain_seal(process_id=event.process_id, kind=EVENT, fields=event_fields(event), now=at)
    event.chain_position, event.prev_hash, event.entry_hash = seal.position, seal.prev_hash, seal.entry_hash
    event.save()
    return event


# ----------------------------------------------------------------------------- the triggers

POSTGRESQL_FUNCTION = f"""
    CREATE OR REPLACE FUNCTION trace_history_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' AND current_setting('{MAINTENANCE_SETTING}', true) = 'on' THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
            USING ERRCODE = 'restrict_violation';
    END;
    $$
"""


def _create_statements(vendor: str, table: str) -> list[str]:
    if vendor == "postgresql":
        return [
            f"CREATE TRIGGER trace_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION trace_history_append_only()"
        ]
    # SQLite: no session variables, so the maintenance switch is a row of a one-row table.
    return [
        f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: UPDATE refused'); END",
        # bandit B608 reviewed: the table names are this module's constants, never input.
        f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "  # nosec B608
        f"WHEN NOT EXISTS (SELECT 1 FROM {MAINTENANCE_TABLE}) "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: DELETE refused'); END",
    ]


def _drop_statements(vendor: str, table: str) -> list[str]:
    if vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS trace_append_only ON {table}"]
    return [f"DROP TRIGGER IF EXISTS {table}_no_update", f"DROP TRIGGER IF EXISTS {table}_no_delete"]


def _check_vendor(vendor: str) -> None:
    if vendor not in ("postgresql", "sqlite"):
        raise NotImplementedError(f"No append-only triggers for {vendor}.")


def triggers_create(schema_editor: object, tables: tuple[str, ...] = HISTORY_TABLES) -> None:
    """Create the append-only triggers on ``tables`` (from a migration)."""
    vendor = schema_editor.connection.vendor
    _check_vendor(vendor)
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_FUNCTION, params=None)
    else:
        schema_editor.execute(
            f"CREATE TABLE IF NOT EXISTS {MAINTENANCE_TABLE} (id INTEGER PRIMARY KEY CHECK (id = 1))", params=None
        )
    for table in tables:
        for statement in _create_statements(vendor, table):
            schema_editor.execute(statement, params=None)


def triggers_drop(schema_editor: object, tables: tuple[str, ...] = HISTORY_TABLES) -> None:
    """Drop what ``triggers_create`` made (a migration's reverse)."""
    vendor = schema_editor.connection.vendor
    _check_vendor(vendor)
    for table in tables:
        for statement in _drop_statements(vendor, table):
            schema_editor.execute(statement, params=None)
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS trace_history_append_only()", params=None)
    else:
        schema_editor.execute(f"DROP TABLE IF EXISTS {MAINTENANCE_TABLE}", params=None)


def triggers_present(connection: object) -> dict[str, int]:
    """How many append-only triggers each history table has (1 on PostgreSQL, 2 on SQLite when in place).
    SQLite drops a table's triggers when a migration rebuilds the table: a test checks this after migrating."""
    placeholders = ", ".join(["%s"] * len(HISTORY_TABLES))
    if connection.vendor == "postgresql":
        sql = (
            # bandit B608 reviewed: the table names are this module's constants, never input.
            "SELECT c.relname, count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "  # nosec B608
            f"WHERE t.tgname = 'trace_append_only' AND c.relname IN ({placeholders}) GROUP BY c.relname"
        )
    else:
        sql = (
            # bandit B608 reviewed: the table names are this module's constants, never input.
            "SELECT tbl_name, count(*) FROM sqlite_master WHERE type = 'trigger' "  # nosec B608
            f"AND name IN (tbl_name || '_no_update', tbl_name || '_no_delete') AND tbl_name IN ({placeholders}) "
            "GROUP BY tbl_name"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, list(HISTORY_TABLES))
        found = dict(cursor.fetchall())
    return {table: found.get(table, 0) for table in HISTORY_TABLES}


# ----------------------------------------------------------------------------- the escape hatch


@contextmanager
def transaction_switch(*, setting: str, table: str, on: str, off: str, using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """A switch that database triggers read, set for the block, inside one transaction: the PostgreSQL setting
    ``setting`` (``set_config(…, true)``, i.e. ``SET LOCAL``) is ``on`` in the block and ``off`` after it; on
    SQLite a row in the one-row table ``table`` exists only in the block. An error rolls it back with the rest."""
    connection = connections[using]
    with transaction.atomic(using=using):
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SELECT set_config(%s, %s, true)", [setting, on])
            else:
                cursor.execute(f"INSERT OR IGNORE INTO {table} (id) VALUES (1)")
        yield
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SELECT set_config(%s, %s, true)", [setting, off])
            else:
                # bandit B608 reviewed: the table names are module constants of the callers, never input.
                cursor.execute(f"DELETE FROM {table}")  # nosec B608


@contextmanager
def history_maintenance(*, using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Let history rows be DELETEd (never UPDATEd) inside this block, and only there. See the module's
    docstring: for deleting whole processes (``load_demo --reset``) and for ``flush``; never for
    application code. The switch is undone when the block ends, or rolled back with it on an error."""
    with transaction_switch(setting=MAINTENANCE_SETTING, table=MAINTENANCE_TABLE, on="on", off="off", using=using):
        yield
