from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("Trace administration")
admin.site.site_title = _("Trace admin")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("traceability.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("traceability.publications.urls")),
    path("", include("traceability.reports.urls")),
    path("", include("traceability.outcomes.urls")),
    path("", include("traceability.dispositions.urls")),
    path("", include("traceability.consultations.urls")),
]
