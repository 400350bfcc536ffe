"""``manage.py restore_db PATH [--force]``: restore a backup made by ``backup_db``."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS

from traceability.operations.backups import ENGINE_NAMES, BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by backup_db into the database. Refuses a database that already has tables "
        "unless --force, which replaces its contents. Stop the app servers and task workers first."
    )

    def add_arguments(self, parser) -> None:  # type: ignore[no-untyped-def]
        parser.add_argument("source", type=Path, help="The backup file (.pgdump or .sqlite3).")
        parser.add_argument("--force", action="store_true", help="Replace the contents of a non-empty database.")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="The database alias to restore into.")

    def handle(self, *args: object, source: Path, force: bool, database: str, **options: object) -> None:
        try:
            result = restore(source=source, alias=database, force=force)
        except BackupError as error:
            raise CommandError(str(error)) from error
        verb = "Replaced the contents of" if result.replaced else "Restored into"
        rows = sum(result.counts.values())
        self.stdout.write(
            f"{verb} the {ENGINE_NAMES[result.engine]} database {result.database} from {result.source}: "
            f"{rows:,} rows in {len(result.counts)} models of Trace."
        )
        for label, count in sorted(result.counts.items()):
            if count:
                self.stdout.write(f"  {label:<40} {count:>10,}")
        if result.cache_error:
            self.stdout.write(
                self.style.WARNING(
                    f"Could not empty the cache ({result.cache_error}): empty it before the app servers start, "
                    "or reports may show figures of the data the restore replaced."
                )
            )
        else:
            self.stdout.write("Emptied the cache: nothing kept from the replaced data will be shown.")
        if result.unapplied_migrations:
            self.stdout.write(
                self.style.WARNING(
                    f"The backup predates {result.unapplied_migrations} migration(s) of this code: "
                    "run manage.py migrate."
                )
            )
