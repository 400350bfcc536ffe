from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultationsConfig(AppConfig):
    name = "traceability.consultations"
    verbose_name = _("Consultations")

    def ready(self) -> None:
        from traceability.accounts.signals import user_anonymised

        from .services import submissions_anonymise

        user_anonymised.connect(submissions_anonymise, dispatch_uid="consultations.submissions_anonymise")
