"""Full-text search of submissions (title and text), one results API over two engines.

``matching(queryset, term)`` narrows a queryset of submissions to those whose words match every word of
``term``, or whose reference is ``term``. On the public report (``public=True``, the default) the words of a
withdrawn or withheld submission never match: only its reference does.

**PostgreSQL.** A ``search_vector`` tsvector column on ``consultations_submission`` (not a model field: no
other database has the type), GIN-indexed and kept by a ``BEFORE INSERT OR UPDATE OF title, text, language``
trigger. The vector is the text parsed with the text search configuration of the submission's language
(``trace_search_config``: en english, fr french, es spanish, pt portuguese, ru russian, ar arabic when the
server has it, and so on; blank or anything else simple) joined with a ``simple`` vector, so that the exact
words always match, stop words included. A query is the same words parsed with ``simple`` and with the
configuration of every language of ``settings.LANGUAGES``, any of them matching (``||``): "developments"
finds "development" in an English submission, "politiques" finds "politique" in a French one.

**SQLite.** An FTS5 external-content table (``consultations_submission_fts``, tokenizer ``unicode61
remove_diacritics 2``) over the same two columns, kept by AFTER INSERT / UPDATE / DELETE triggers.

**What differs (documented, tested).** SQLite does not stem: there "development" does not find
"developments". PostgreSQL does not fold accents: there "developpement" does not find "développement"
(SQLite does). Both match whole words, never parts of words, in any order, case-insensitively.

**The user's term** is never parsed as query syntax: it is cut into words here (letters, digits and
combining marks; NUL and every punctuation or FTS operator character is a separator), at most
``MAX_WORDS`` words from the first ``MAX_TERM`` characters, and each word is passed quoted (FTS5) or as a
parameter of ``plainto_tsquery`` (PostgreSQL). A term with no word matches nothing but a reference.

**The triggers** are created by migration ``consultations 0010`` and re-ensured after every ``migrate``
(``post_migrate``, see ``apps.py``): SQLite drops a table's triggers when a migration rebuilds it, and
when a trigger had to be made again the index is rebuilt, since rows may have changed meanwhile.
``rebuild_search_index(process_id)`` refills the index after a bulk load made with the triggers off.
"""

from __future__ import annotations

import unicodedata

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import BooleanField, Expression, Q, QuerySet
from django.db.models.expressions import RawSQL

from .models import SubmissionStatus

TABLE = "consultations_submission"
COLUMN = "search_vector"
INDEX = "consultations_submission_search"
PG_TRIGGER = "trace_submission_search"
FTS_TABLE = "consultations_submission_fts"
SQLITE_TRIGGERS = (f"{FTS_TABLE}_ai", f"{FTS_TABLE}_ad", f"{FTS_TABLE}_au")

STATISTICS = 1000  # per-column statistics target of the search vector (the most common words sampled: x10)
MAX_TERM = 500
MAX_WORDS = 32

# Language code -> PostgreSQL text search configuration (those of a stock PostgreSQL 15; one the server lacks
# is left out when the function is made, and that language falls back to simple).
CONFIGURATIONS = {
    "ar": "arabic",
    "ca": "catalan",
    "da": "danish",
    "de": "german",
    "el": "greek",
    "en": "english",
    "es": "spanish",
    "eu": "basque",
    "fi": "finnish",
    "fr": "french",
    "ga": "irish",
    "hi": "hindi",
    "hu": "hungarian",
    "hy": "armenian",
    "id": "indonesian",
    "it": "italian",
    "lt": "lithuanian",
    "ne": "nepali",
    "nl": "dutch",
    "no": "norwegian",
    "nb": "norwegian",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sr": "serbian",
    "sv": "swedish",
    "ta": "tamil",
    "tr": "turkish",
    "yi": "yiddish",
}


# ----------------------------------------------------------------------------- the term


def words(term: str) -> list[str]:
    """The words of ``term``: runs of letters, digits and combining marks, at most ``MAX_WORDS`` of them."""
    text = unicodedata.normalize("NFC", term[:MAX_TERM])
    found: list[str] = []
    current: list[str] = []
    for char in text + " ":
        if unicodedata.category(char)[0] in "LNM":
            current.append(char)
        elif current:
            found.append("".join(current))
            current = []
            if len(found) == MAX_WORDS:
                break
    return found


def _reference(term: str) -> str:
    return term.replace("\x00", "").strip().upper()[:24]


# ----------------------------------------------------------------------------- the query


class _VectorMatch(Expression):
    """``<submission table>.search_vector @@ (<tsquery>)``, following the table's alias into subqueries."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, query_sql: str, params: tuple, alias: str | None = None) -> None:
        super().__init__(output_field=BooleanField())
        self.query_sql, self.params, self.alias = query_sql, tuple(params), alias

    def resolve_expression(self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False):  # noqa: ANN001, ANN201
        clone = self.copy()
        clone.alias = query.get_initial_alias()
        return clone

    def relabeled_clone(self, change_map: dict[str, str]) -> _VectorMatch:
        clone = self.copy()
        clone.alias = change_map.get(self.alias, self.alias)
        return clone

    def get_group_by_cols(self) -> list:
        return []

    def as_sql(self, compiler, connection) -> tuple[str, tuple]:  # noqa: ANN001
        column = f"{compiler.quote_name_unless_alias(self.alias)}.{connection.ops.quote_name(COLUMN)}"
        return f"{column} @@ ({self.query_sql})", self.params


def _language_codes() -> list[str]:
    return sorted({code.split("-")[0].lower() for code, _name in settings.LANGUAGES})


def _words_condition(vendor: str, found: list[str]) -> Q:
    if vendor == "postgresql":
        text = " ".join(found)
        parts = ["plainto_tsquery('simple'::regconfig, %s)"]
        parts += ["plainto_tsquery(trace_search_config(%s), %s)" for _code in _language_codes()]
        params: list[str] = [text]
        for code in _language_codes():
            params += [code, text]
        return Q(_VectorMatch(" || ".join(parts), tuple(params)))
    if vendor == "sqlite":
        query = " ".join('"' + word.replace('"', '""') + '"' for word in found)
        # bandit B608 reviewed: the table name is this module's constant; the query is a parameter.
        sql = f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"  # nosec B608
        return Q(pk__in=RawSQL(sql, (query,)))  # nosec B611 (the user's words are a parameter)
    raise NotImplementedError(f"No full-text search on {vendor}.")


def matching(queryset: QuerySet, term: str, *, public: bool = True) -> QuerySet:
    """The submissions of ``queryset`` whose words match every word of ``term``, or whose reference is ``term``.

    ``public``: the words of withdrawn and withheld submissions are not public, so they never match (their
    reference still does). Organisers' pages pass ``public=False``. Never raises on any input."""
    reference = _reference(term)
    if not reference:
        return queryset
    found = words(term)
    by_reference = Q(reference=reference)
    if not found:
        return queryset.filter(by_reference)
    by_words = _words_condition(connections[queryset.db].vendor, found)
    if public:
        by_words &= ~Q(status=SubmissionStatus.WITHDRAWN) & Q(withheld=False)
    return queryset.filter(by_words | by_reference)


# ----------------------------------------------------------------------------- the index and its triggers


def _configuration_function(available: set[str]) -> str:
    branches = "\n".join(
        f"        WHEN '{code}' THEN '{name}'::regconfig"
        for code, name in sorted(CONFIGURATIONS.items())
        if name in available
    )
    return f"""
    CREATE OR REPLACE FUNCTION trace_search_config(code text) RETURNS regconfig
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT CASE split_part(lower(coalesce(code, '')), '-', 1)
{branches}
        ELSE 'simple'::regconfig END
    $$
    """


POSTGRESQL_VECTOR = """
    CREATE OR REPLACE FUNCTION trace_submission_search_vector(language text, title text, body text)
    RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT CASE WHEN trace_search_config(language) = 'simple'::regconfig
            THEN to_tsvector('simple'::regconfig, coalesce(title, '') || ' ' || coalesce(body, ''))
            ELSE to_tsvector(trace_search_config(language), coalesce(title, '') || ' ' || coalesce(body, ''))
                || to_tsvector('simple'::regconfig, coalesce(title, '') || ' ' || coalesce(body, ''))
        END
    $$
"""

POSTGRESQL_TRIGGER_FUNCTION = f"""
    CREATE OR REPLACE FUNCTION trace_submission_search() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.{COLUMN} := trace_submission_search_vector(NEW.language, NEW.title, NEW.text);
        RETURN NEW;
    END;
    $$
"""


def _flush_pending_checks(cursor: object) -> None:
    """PostgreSQL refuses to alter a table with deferred foreign-key checks pending in the transaction: run
    them now (the caller sets them back to deferred, Django's default for its foreign keys, afterwards)."""
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def _table_exists(connection: object) -> bool:
    with connection.cursor() as cursor:
        return TABLE in connection.introspection.table_names(cursor)


def search_present(connection: object) -> dict[str, bool]:
    """What of the search machinery is in place: the index (column or FTS table) and each trigger."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT count(*) FROM information_schema.columns WHERE table_name = %s AND column_name = %s",
                [TABLE, COLUMN],
            )
            column = cursor.fetchone()[0] == 1
            cursor.execute(
                "SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE c.relname = %s AND t.tgname = %s AND t.tgenabled <> 'D'",
                [TABLE, PG_TRIGGER],
            )
            trigger = cursor.fetchone()[0] == 1
            cursor.execute("SELECT count(*) FROM pg_indexes WHERE tablename = %s AND indexname = %s", [TABLE, INDEX])
            index = cursor.fetchone()[0] == 1
            return {"index": column and index, PG_TRIGGER: trigger}
        cursor.execute(
            "SELECT type, name FROM sqlite_master WHERE name = %s OR name IN (%s, %s, %s)",
            [FTS_TABLE, *SQLITE_TRIGGERS],
        )
        found = {name for _type, name in cursor.fetchall()}
        return {"index": FTS_TABLE in found, **{name: name in found for name in SQLITE_TRIGGERS}}


def _sqlite_triggers() -> list[str]:
    columns = "rowid, title, text"
    # bandit B608 reviewed: the table and column names are this module's constants, never input.
    return [
        f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ai AFTER INSERT ON {TABLE} BEGIN "  # nosec B608
        f"INSERT INTO {FTS_TABLE} ({columns}) VALUES (new.id, new.title, new.text); END",
        f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ad AFTER DELETE ON {TABLE} BEGIN "  # nosec B608
        f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}, {columns}) VALUES ('delete', old.id, old.title, old.text); END",
        f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_au AFTER UPDATE OF title, text ON {TABLE} BEGIN "  # nosec B608
        f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}, {columns}) VALUES ('delete', old.id, old.title, old.text); "
        f"INSERT INTO {FTS_TABLE} ({columns}) VALUES (new.id, new.title, new.text); END",
    ]


def search_ensure(connection: object) -> bool:
    """Create whatever of the search index and its triggers is missing; idempotent. When something had to be
    made, the index is rebuilt (rows may have changed while a trigger was missing). Returns whether it was."""
    vendor = connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        return False
    if not _table_exists(connection):  # migrated back to before the submissions existed
        return False
    present = search_present(connection)
    with connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute("SELECT cfgname FROM pg_ts_config")
            available = {row[0] for row in cursor.fetchall()}
            cursor.execute(_configuration_function(available))
            cursor.execute(POSTGRESQL_VECTOR)
            cursor.execute(POSTGRESQL_TRIGGER_FUNCTION)
            if all(present.values()):
                return False
            _flush_pending_checks(cursor)
            cursor.execute(f"ALTER TABLE {TABLE} ADD COLUMN IF NOT EXISTS {COLUMN} tsvector")
            cursor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON {TABLE} USING gin ({COLUMN})")
            # With the default statistics a word absent from the sample is guessed common, and the planner walks
            # the receipt-number index filtering every row: 6.9 s for a search with no hit at a million rows,
            # against 10 ms through the GIN index once the sample knows 10,000 words (docs/lists-and-search.md).
            cursor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN {COLUMN} SET STATISTICS {STATISTICS}")
            cursor.execute(f"DROP TRIGGER IF EXISTS {PG_TRIGGER} ON {TABLE}")
            cursor.execute(
                f"CREATE TRIGGER {PG_TRIGGER} BEFORE INSERT OR UPDATE OF title, text, language ON {TABLE} "
                "FOR EACH ROW EXECUTE FUNCTION trace_submission_search()"
            )
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        else:
            if all(present.values()):
                return False
            cursor.execute(
                f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(title, text, "
                f"content='{TABLE}', content_rowid='id', tokenize='unicode61 remove_diacritics 2')"
            )
            for statement in _sqlite_triggers():
                cursor.execute(statement)
    rebuild_search_index(using=connection.alias)
    return True


def search_drop(connection: object) -> None:
    """Remove the search index and its triggers (the migration's reverse; a bulk load with the triggers off)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"DROP TRIGGER IF EXISTS {PG_TRIGGER} ON {TABLE}")
            cursor.execute(f"DROP INDEX IF EXISTS {INDEX}")
            cursor.execute(f"ALTER TABLE {TABLE} DROP COLUMN IF EXISTS {COLUMN}")
            cursor.execute("DROP FUNCTION IF EXISTS trace_submission_search()")
            cursor.execute("DROP FUNCTION IF EXISTS trace_submission_search_vector(text, text, text)")
            cursor.execute("DROP FUNCTION IF EXISTS trace_search_config(text)")
        elif connection.vendor == "sqlite":
            for name in SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            cursor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")


def search_triggers_drop(connection: object) -> None:
    """Drop only the triggers (a bulk load's fast path); ``search_ensure`` or ``migrate`` makes them again and
    rebuilds the index."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _flush_pending_checks(cursor)
            cursor.execute(f"DROP TRIGGER IF EXISTS {PG_TRIGGER} ON {TABLE}")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        elif connection.vendor == "sqlite":
            for name in SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def search_trigger_always(connection: object, always: bool) -> None:
    """PostgreSQL: make the search trigger fire even under ``session_replication_role = replica`` (a bulk load
    that turns the other triggers off), or back to the default. Computing each vector as its row is copied in
    costs the vector alone; rebuilding the index afterwards with an UPDATE also rewrites every row and its
    index entries, four times the work. Nothing on SQLite, whose triggers a load never turns off."""
    if connection.vendor != "postgresql" or not search_present(connection)[PG_TRIGGER]:
        return
    mode = "ENABLE ALWAYS" if always else "ENABLE"
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {TABLE} {mode} TRIGGER {PG_TRIGGER}")


def rebuild_search_index(process_id: int | None = None, *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Recompute the search index from the submissions' rows: those of ``process_id``, or all.

    On SQLite the FTS5 index is rebuilt whole whatever ``process_id`` (FTS5 rebuilds an external-content
    index in one pass; the embedded default is small)."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # bandit B608 reviewed: the table and column names are this module's constants, never input.
            vector = "trace_submission_search_vector(language, title, text)"
            sql = f"UPDATE {TABLE} SET {COLUMN} = {vector}"  # nosec B608
            if process_id is None:
                cursor.execute(sql)
            else:
                # bandit B608 reviewed: the table and column names are this module's constants.
                cursor.execute(sql + " WHERE process_id = %s", [process_id])  # nosec B608
        elif connection.vendor == "sqlite":
            cursor.execute(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}) VALUES ('rebuild')")  # nosec B608


def ensure_after_migrate(using: str = DEFAULT_DB_ALIAS, **kwargs: object) -> None:
    """``post_migrate``: a migration that rebuilt the submissions' table (SQLite) must not leave search
    silently stale."""
    search_ensure(connections[using])
