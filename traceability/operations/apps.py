from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    """Running Trace: backups and restores. It reads the app registry, never another app's code."""

    name = "traceability.operations"
    verbose_name = _("Operations")
