from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultationsConfig(AppConfig):
    name = "traceability.consultations"
    verbose_name = _("Consultations")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from .search import ensure_after_migrate

        # A migration that rebuilds the submissions' table drops its search triggers on SQLite: make them again.
        post_migrate.connect(ensure_after_migrate, sender=self, dispatch_uid="consultations.search_ensure")

        from traceability.accounts.signals import user_anonymised

        from .services import submissions_anonymise

        user_anonymised.connect(submissions_anonymise, dispatch_uid="consultations.submissions_anonymise")

        from django.db.models.signals import m2m_changed

        from .models import Process
        from .services import organisers_changed

        m2m_changed.connect(
            organisers_changed, sender=Process.organisers.through, dispatch_uid="consultations.organisers_changed"
        )
