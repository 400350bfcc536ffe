from django.urls import path

from traceability.replica import reads_from_replica

from . import views

app_name = "publications"

urlpatterns = [
    path("processes/<slug:slug>/workspace/publish/", views.publish, name="publish"),
    path("processes/<slug:slug>/report/snapshots/", reads_from_replica(views.snapshots), name="snapshot-list"),
    path(
        "processes/<slug:slug>/report/snapshots/<int:number>.json",
        reads_from_replica(views.snapshot_download),
        name="snapshot-download",
    ),
]
