"""``manage.py backup_db [--output PATH]``: a backup of the whole database, owner-only (0600)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS
from django.utils import timezone

from traceability.operations.backups import ENGINE_NAMES, BackupError, backup, default_backup_path, engine_of


class Command(BaseCommand):
    help = (
        "Back up the database: pg_dump (custom format) on PostgreSQL, SQLite's online backup API on SQLite. "
        "The file is written owner-only (0600); by default backups/trace-<UTC time>.<pgdump|sqlite3>."
    )

    def add_arguments(self, parser) -> None:  # type: ignore[no-untyped-def]
        parser.add_argument("--output", "-o", type=Path, help="The file to write; it must not exist yet.")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="The database alias to back up.")

    def handle(self, *args: object, output: Path | None, database: str, **options: object) -> None:
        try:
            engine = engine_of(database)
            output = output or default_backup_path(engine=engine, now=timezone.now())
            result = backup(output=output, alias=database)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Backed up the {ENGINE_NAMES[result.engine]} database {result.database} to {result.path} "
            f"({result.size:,} bytes, mode 0600)."
        )
