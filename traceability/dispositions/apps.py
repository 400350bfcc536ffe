from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DispositionsConfig(AppConfig):
    name = "traceability.dispositions"
    verbose_name = _("Dispositions")
