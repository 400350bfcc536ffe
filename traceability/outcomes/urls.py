from django.urls import path

from . import views

app_name = "outcomes"

urlpatterns = [
    path("processes/<slug:slug>/document/", views.document, name="document"),
    path("processes/<slug:slug>/workspace/document/import/", views.import_version, name="import"),
]
