from django.urls import path

from . import views

app_name = "publications"

urlpatterns = [
    path("processes/<slug:slug>/workspace/publish/", views.publish, name="publish"),
    path("processes/<slug:slug>/report/snapshots/", views.snapshots, name="snapshot-list"),
    path("processes/<slug:slug>/report/snapshots/<int:number>.json", views.snapshot_download, name="snapshot-download"),
]
