from allauth.account.decorators import secure_admin_login
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

admin.site.site_header = _("Trace administration")
admin.site.site_title = _("Trace admin")
# The admin signs in through the site's sign-in (rate limits, lockout, the second factor), not its own form.
admin.site.login = secure_admin_login(admin.site.login)


class FaviconView(RedirectView):
    """``/favicon.ico``, which browsers ask for on pages without an icon link (the admin, JSON): the SVG icon. Not
    permanent: the icon's address changes with its content (hashed static files), and browsers keep a 301 for ever."""

    permanent = False

    def get_redirect_url(self, *args: object, **kwargs: object) -> str:
        return static("favicon.svg")


# Every page under its language (/en/..., /fr/...): a cited report link keeps its language. An address without one
# redirects to the reader's last choice (the language cookie), else to their browser's (Accept-Language).
urlpatterns = [
    path("favicon.ico", FaviconView.as_view(), name="favicon"),
    *i18n_patterns(
        path("admin/", admin.site.urls),
        path("accounts/", include("traceability.accounts.urls")),
        path("accounts/", include("allauth.urls")),
        path("", include("traceability.publications.urls")),
        path("", include("traceability.reports.urls")),
        path("", include("traceability.outcomes.urls")),
        path("", include("traceability.dispositions.urls")),
        path("", include("traceability.consultations.urls")),
    ),
]
