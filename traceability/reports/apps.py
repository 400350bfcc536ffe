from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "traceability.reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate, pre_migrate

        pre_migrate.connect(_lift_tally_triggers, sender=self, dispatch_uid="reports.lift_tally_triggers")
        post_migrate.connect(_ensure_tally_triggers, sender=self, dispatch_uid="reports.ensure_tally_triggers")

        from traceability.accounts.signals import user_anonymised

        from .exports.builds import exports_discard_for_user

        user_anonymised.connect(exports_discard_for_user, dispatch_uid="reports.exports_discard_for_user")


def _lift_tally_triggers(using: str = "default", **kwargs: object) -> None:
    """On SQLite, take the tally triggers off before migrations run: each one names the other tables it reads, and
    SQLite refuses to rebuild (drop and rename) a table that another table's trigger names. ``post_migrate`` puts
    them back and recounts."""
    from django.db import connections

    from .tallies import FIRST_TALLIES, tables_exist, triggers_drop

    connection = connections[using]
    # The first tallies' tables: a database from before a later tally was added has triggers to lift too.
    if connection.vendor == "sqlite" and tables_exist(connection, FIRST_TALLIES):
        triggers_drop(connection)


def _ensure_tally_triggers(using: str = "default", **kwargs: object) -> None:
    """A migration that rebuilds a table on SQLite drops its triggers: put the tally triggers back after every
    ``migrate`` (recounting if any were missing)."""
    from django.db import connections

    from .tallies import triggers_ensure

    triggers_ensure(connections[using])
