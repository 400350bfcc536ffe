from django.urls import path

from traceability.replica import reads_from_replica

from . import views
from .exports import views as export_views

app_name = "reports"

urlpatterns = [
    path("me/", views.my_submissions, name="me"),
    path("me/data.json", views.my_data, name="me-data"),
    path("methodology/", views.methodology, name="methodology"),
    path("processes/<slug:slug>/report/", reads_from_replica(views.report), name="report"),
    path("processes/<slug:slug>/document/compare/", reads_from_replica(views.compare), name="compare"),
    path("processes/<slug:slug>/report/mapping.csv", reads_from_replica(export_views.mapping_csv), name="mapping-csv"),
    path(
        "processes/<slug:slug>/report/mapping.json", reads_from_replica(export_views.mapping_json), name="mapping-json"
    ),
    path("processes/<slug:slug>/report/report.json", reads_from_replica(export_views.report_json), name="report-json"),
    path(
        "processes/<slug:slug>/report/disposition-of-comments.xlsx",
        reads_from_replica(export_views.disposition_of_comments),
        name="doc-xlsx",
    ),
    path(
        "processes/<slug:slug>/submissions/<slug:reference>/",
        reads_from_replica(views.submission_trace),
        name="submission-trace",
    ),
    path("processes/<slug:slug>/submissions/<slug:reference>/verify/", views.verify_receipt, name="submission-verify"),
]
