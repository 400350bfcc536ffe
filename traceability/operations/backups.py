"""Backups and restores of the whole database, for the two engines Trace runs on.

PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore``, run as subprocesses with list arguments and no
shell (bandit's B404 and B603 reviewed and marked); the connection settings, password included, travel in the
``PG*`` environment variables, never on a command line that ``ps`` shows. SQLite: the online backup API
(``sqlite3.Connection.backup``), which copies a consistent image of a live database, committed WAL pages
included, while others keep reading and writing.

Backup files hold every submission and account, so they are written owner-only (0600) and appear under their
final name only once complete.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess  # nosec B404
from contextlib import closing
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.cache import caches
from django.db import connections
from django.db.migrations.executor import MigrationExecutor

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_CUSTOM_MAGIC = b"PGDMP"
ENGINES = {"django.db.backends.sqlite3": "sqlite", "django.db.backends.postgresql": "postgresql"}
ENGINE_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
SUFFIXES = {"sqlite": "sqlite3", "postgresql": "pgdump"}


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why and what to do."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    engine: str
    database: str
    size: int


@dataclass(frozen=True)
class RestoreResult:
    source: Path
    engine: str
    database: str
    replaced: bool
    counts: dict[str, int] = field(default_factory=dict)
    unapplied_migrations: int = 0
    cache_error: str = ""  # why the caches could not be cleared (empty when they were)


def engine_of(alias: str = "default") -> str:
    engine = connections[alias].settings_dict["ENGINE"]
    if engine not in ENGINES:
        raise BackupError(f"Backups support SQLite and PostgreSQL; the database {alias!r} uses {engine}.")
    return ENGINES[engine]


def default_backup_path(*, engine: str, now: datetime, directory: Path | None = None) -> Path:
    """``backups/trace-<UTC time>.<sqlite3|pgdump>`` in the project directory (ignored by git)."""
    directory = directory or Path(settings.BASE_DIR) / "backups"
    return directory / f"trace-{now:%Y%m%dT%H%M%SZ}.{SUFFIXES[engine]}"


def model_counts(alias: str = "default") -> dict[str, int]:
    """Rows per model of Trace's own apps (``app_label.ModelName``), read with each model's base manager."""
    counts = {}
    for config in apps.get_app_configs():
        if not config.name.startswith("traceability."):
            continue
        for model in config.get_models():
            counts[model._meta.label] = model._base_manager.using(alias).count()
    return counts


def backup(*, output: Path, alias: str = "default") -> BackupResult:
    """Write a backup of the database ``alias`` to ``output``, which must not exist yet."""
    engine = engine_of(alias)
    output = Path(output)
    if output.exists():
        raise BackupError(f"{output} already exists; a backup never overwrites a file. Choose another name.")
    output.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    partial = output.with_name(f".{output.name}.partial")
    partial.unlink(missing_ok=True)
    # Created owner-only before a byte is written: the data is never readable by others, whatever the umask.
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        if engine == "postgresql":
            with os.fdopen(fd, "wb") as stream:
                fd = -1
                _pg_dump(alias, stream)
        else:
            os.close(fd)
            fd = -1
            _sqlite_backup(alias, partial)
        os.chmod(partial, 0o600)
        os.replace(partial, output)
    except BaseException:
        if fd >= 0:
            os.close(fd)
        partial.unlink(missing_ok=True)
        raise
    return BackupResult(
        path=output, engine=engine, database=str(connections[alias].settings_dict["NAME"]), size=output.stat().st_size
    )


def restore(*, source: Path, alias: str = "default", force: bool = False) -> RestoreResult:
    """Restore the backup ``source`` into the database ``alias``. Refuses a database that already has tables
    unless ``force``, which replaces what the backup holds."""
    engine = engine_of(alias)
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"No backup file at {source}.")
    kind = _kind_of(source)
    if kind != engine:
        raise BackupError(
            f"{source} is a {ENGINE_NAMES[kind]} backup, but the database {alias!r} is {ENGINE_NAMES[engine]}: "
            "restore it into a database of the engine it came from."
        )
    connection = connections[alias]
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
    if tables and not force:
        raise BackupError(
            f"The database {connection.settings_dict['NAME']} is not empty ({len(tables)} tables). Restore into "
            "an empty database, or pass --force to replace its contents with the backup's."
        )
    if engine == "postgresql":
        _pg_restore(alias, source, clean=bool(tables))
    else:
        _sqlite_restore(alias, source)
    connection.close()
    return RestoreResult(
        source=source,
        engine=engine,
        database=str(connection.settings_dict["NAME"]),
        replaced=bool(tables),
        counts=model_counts(alias),
        unapplied_migrations=_unapplied_migrations(alias),
        cache_error=_clear_caches(),
    )


def _clear_caches() -> str:
    """Empty every cache: what they keep (a report's figures, rendered pages) was read from the data the restore
    replaced, under versions (a process's ``stats_version``) that the restored data will reach again with other
    figures. Returns why it could not be done, or an empty string."""
    try:
        for alias in settings.CACHES:
            caches[alias].clear()
    except Exception as error:  # a cache server that is down: the restore itself is done
        return f"{type(error).__name__}: {error}"
    return ""


def _kind_of(path: Path) -> str:
    with path.open("rb") as stream:
        head = stream.read(len(SQLITE_MAGIC))
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_CUSTOM_MAGIC):
        return "postgresql"
    raise BackupError(f"{path} is neither a SQLite database nor a pg_dump custom-format archive.")


def _unapplied_migrations(alias: str) -> int:
    executor = MigrationExecutor(connections[alias])
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


# ----------------------------------------------------------------------------- SQLite


def _sqlite_backup(alias: str, target: Path) -> None:
    connection = connections[alias]
    connection.ensure_connection()
    with closing(sqlite3.connect(target)) as copy:
        connection.connection.backup(copy)
        # One self-contained file: no -wal or -shm beside it once it is closed.
        copy.execute("PRAGMA journal_mode=DELETE")
        _check_integrity(copy, target)


def _sqlite_restore(alias: str, source: Path) -> None:
    with closing(sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)) as backup_db:
        _check_integrity(backup_db, source)
        connection = connections[alias]
        connection.close()
        # Through SQLite itself, never a file copy: the target's WAL and locks are honoured.
        with closing(sqlite3.connect(connection.settings_dict["NAME"], timeout=30)) as target:
            backup_db.backup(target)


def _check_integrity(db: sqlite3.Connection, path: Path) -> None:
    (result,) = db.execute("PRAGMA integrity_check").fetchone()
    if result != "ok":
        raise BackupError(f"{path} fails SQLite's integrity check: {result}")


# ----------------------------------------------------------------------------- PostgreSQL


def _pg_env(alias: str) -> dict[str, str]:
    """The libpq environment for the database ``alias`` (password included: never on the command line)."""
    db = connections[alias].settings_dict
    env = dict(os.environ)
    for key, variable in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if db.get(key):
            env[variable] = str(db[key])
    options = db.get("OPTIONS", {})
    for key, variable in (
        ("sslmode", "PGSSLMODE"),
        ("sslrootcert", "PGSSLROOTCERT"),
        ("sslcert", "PGSSLCERT"),
        ("sslkey", "PGSSLKEY"),
        ("connect_timeout", "PGCONNECT_TIMEOUT"),
    ):
        if options.get(key):
            env[variable] = str(options[key])
    env["PGDATABASE"] = str(db["NAME"])
    return env


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} is not installed. Install the PostgreSQL client of the server's major version or newer "
            "(Debian: apt-get install postgresql-client)."
        )
    return path


def _run(args: list[str], *, env: dict[str, str], stdout: object = subprocess.DEVNULL) -> None:
    result = subprocess.run(args, env=env, stdout=stdout, stderr=subprocess.PIPE, check=False)  # nosec B603
    if result.returncode != 0:
        message = result.stderr.decode(errors="replace").strip()
        raise BackupError(f"{Path(args[0]).name} failed (exit {result.returncode}): {message}")


def _pg_dump(alias: str, stream: object) -> None:
    # Custom format: compressed, and pg_restore can restore it into a database of another name or owner.
    _run(
        [_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges"],
        env=_pg_env(alias),
        stdout=stream,
    )


def _pg_restore(alias: str, source: Path, *, clean: bool) -> None:
    env = _pg_env(alias)
    args = [_pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
    if clean:
        args += ["--clean", "--if-exists"]
    _run([*args, "--dbname", env["PGDATABASE"], str(source)], env=env)
