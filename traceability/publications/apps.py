from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicationsConfig(AppConfig):
    name = "traceability.publications"
    verbose_name = _("Publications")

    def ready(self) -> None:
        # The report page (a lower layer) shows the latest snapshot through the panel it lets upper apps add.
        from traceability.reports.panels import register_report_panel

        from .panels import snapshot_panel

        register_report_panel(snapshot_panel)
