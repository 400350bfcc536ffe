from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("Trace administration")
admin.site.site_title = _("Trace admin")
# The admin signs in through the site's sign-in (rate limits, lockout, the second factor), not its own form.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("traceability.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("traceability.publications.urls")),
    path("", include("traceability.reports.urls")),
    path("", include("traceability.outcomes.urls")),
    path("", include("traceability.dispositions.urls")),
    path("", include("traceability.consultations.urls")),
]
