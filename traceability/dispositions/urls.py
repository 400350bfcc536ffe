from django.urls import path

from . import views

app_name = "dispositions"

urlpatterns = [
    path("processes/<slug:slug>/workspace/", views.workspace, name="workspace"),
    path("processes/<slug:slug>/workspace/reconfirm/", views.reconfirm, name="reconfirm"),
    path("processes/<slug:slug>/workspace/contests/", views.contests, name="contests"),
    path(
        "processes/<slug:slug>/workspace/contests/<int:response_pk>/answer/",
        views.contest_answer_view,
        name="contest-answer",
    ),
    path("processes/<slug:slug>/submissions/<slug:reference>/reply/", views.respond, name="respond"),
    path("processes/<slug:slug>/workspace/reconfirm/<int:link_pk>/", views.reconfirm_link, name="reconfirm-link"),
    path("processes/<slug:slug>/workspace/document/versions/<int:number>/adopt/", views.adopt, name="adopt"),
    path("processes/<slug:slug>/workspace/submissions/<slug:reference>/", views.review, name="review"),
    path("processes/<slug:slug>/workspace/submissions/<slug:reference>/reflect/", views.reflect, name="reflect"),
    path("processes/<slug:slug>/workspace/submissions/<slug:reference>/exclude/", views.exclude, name="exclude"),
    path(
        "processes/<slug:slug>/workspace/submissions/<slug:reference>/not-taken-up/",
        views.not_taken_up,
        name="not-taken-up",
    ),
    path("processes/<slug:slug>/workspace/submissions/<slug:reference>/same-as/", views.same_as, name="same-as"),
    path("processes/<slug:slug>/workspace/release/", views.release, name="release"),
]
