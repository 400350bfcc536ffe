from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "traceability.accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import receivers  # noqa: F401  (connects the security log to the signals)

        post_migrate.connect(_create_cache_table, sender=self, dispatch_uid="accounts.create_cache_table")


def _create_cache_table(using: str = "default", **kwargs: object) -> None:
    """The shared cache's table (rate-limit counts live there in the embedded default) exists wherever
    ``migrate`` ran: nobody has to remember ``createcachetable``. It does nothing for a Redis cache."""
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=0)
