from django.urls import path

from traceability.replica import reads_from_replica

from . import views

app_name = "outcomes"

urlpatterns = [
    path("processes/<slug:slug>/document/", reads_from_replica(views.document), name="document"),
    path("processes/<slug:slug>/workspace/document/import/", views.import_version, name="import"),
    path("processes/<slug:slug>/workspace/document/versions/<int:number>/matching/", views.matching, name="matching"),
    path(
        "processes/<slug:slug>/workspace/document/versions/<int:number>/matching/<int:clause_pk>/",
        views.match_update,
        name="match-update",
    ),
    path("processes/<slug:slug>/workspace/document/versions/<int:number>/discard/", views.discard, name="discard"),
    path("processes/<slug:slug>/workspace/rounds/open/", views.round_open_view, name="round-open"),
    path("processes/<slug:slug>/workspace/rounds/<int:number>/close/", views.round_close_view, name="round-close"),
    path("processes/<slug:slug>/workspace/rounds/<int:number>/extend/", views.round_extend_view, name="round-extend"),
]
