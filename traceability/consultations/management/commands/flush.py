"""Django's ``flush``, allowed to empty the history tables.

Flushing removes every row of every table, so it is a maintenance task like ``load_demo --reset``: it runs
inside ``history_maintenance()``, without which the append-only triggers would refuse it on SQLite (where
flush is ``DELETE FROM``; on PostgreSQL it is ``TRUNCATE``, which row triggers do not see). The test suite
flushes the database after every transactional test through this command.
"""

from __future__ import annotations

from django.core.management.commands import flush

from traceability.consultations.history import history_maintenance


class Command(flush.Command):
    def handle(self, **options: object) -> None:
        with history_maintenance(using=options["database"]):
            super().handle(**options)
