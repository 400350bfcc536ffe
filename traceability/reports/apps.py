from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "traceability.reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from traceability.accounts.signals import user_anonymised

        from .exports.builds import exports_discard_for_user

        user_anonymised.connect(exports_discard_for_user, dispatch_uid="reports.exports_discard_for_user")
