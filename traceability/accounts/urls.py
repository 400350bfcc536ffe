from django.urls import path
from django.views.generic import RedirectView

from . import views

app_name = "accounts"

urlpatterns = [
    # Sign-up, sign-in, sign-out, e-mail, password and two-factor pages are django-allauth's (included in
    # traceability/urls.py); the earlier addresses keep working for links already sent or bookmarked.
    path("sign-up/", RedirectView.as_view(pattern_name="account_signup", query_string=True), name="sign-up"),
    path("sign-in/", RedirectView.as_view(pattern_name="account_login", query_string=True), name="login"),
    path("profile/", views.profile, name="profile"),
    path("delete/", views.account_delete, name="delete"),
    path("security/", views.security, name="security"),
]
