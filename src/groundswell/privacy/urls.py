from django.urls import path

from groundswell.privacy import views

app_name = "privacy"
urlpatterns = [
    path("", views.centre, name="centre"),
    path("leaderboard/", views.leaderboard, name="leaderboard"),
    path("manager/", views.manager_sharing, name="manager_sharing"),
    path("export/", views.export, name="export"),
    path("export/status.json", views.export_status, name="export_status"),
    path("export/download/", views.export_download, name="export_download"),
    path("leave/", views.leave, name="leave"),
    path("delete/", views.delete, name="delete"),
    path("log/", views.audit, name="audit"),
    path("team/", views.team, name="team"),
]
