from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("me/", views.my_submissions, name="me"),
    path("processes/<slug:slug>/report/", views.report, name="report"),
    path("processes/<slug:slug>/submissions/<slug:reference>/", views.submission_trace, name="submission-trace"),
]
