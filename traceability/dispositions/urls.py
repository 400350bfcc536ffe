from django.urls import path

from . import views

app_name = "dispositions"

urlpatterns = [
    path("processes/<slug:slug>/workspace/", views.workspace, name="workspace"),
    path("processes/<slug:slug>/workspace/submissions/<slug:reference>/", views.review, name="review"),
    path("processes/<slug:slug>/workspace/submissions/<slug:reference>/reflect/", views.reflect, name="reflect"),
    path("processes/<slug:slug>/workspace/submissions/<slug:reference>/exclude/", views.exclude, name="exclude"),
]
