from django.urls import path

from . import views

app_name = "consultations"

urlpatterns = [
    path("", views.ProcessListView.as_view(), name="process-list"),
    path("processes/<slug:slug>/", views.process_detail, name="process-detail"),
    path("processes/<slug:slug>/workspace/blocked/", views.blocked_attempts, name="blocked-attempts"),
    path("processes/<slug:slug>/submit/", views.submission_create, name="submission-create"),
    path(
        "processes/<slug:slug>/submissions/<slug:reference>/receipt/",
        views.submission_receipt,
        name="submission-receipt",
    ),
    path("processes/<slug:slug>/submissions/<slug:reference>/edit/", views.submission_edit, name="submission-edit"),
    path(
        "processes/<slug:slug>/submissions/<slug:reference>/withdraw/",
        views.submission_withdraw_confirm,
        name="submission-withdraw-confirm",
    ),
    path(
        "processes/<slug:slug>/submissions/<slug:reference>/withdraw/confirm/",
        views.submission_withdraw_view,
        name="submission-withdraw",
    ),
]
