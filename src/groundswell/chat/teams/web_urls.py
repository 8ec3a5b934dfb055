"""Workspace pages of the Teams bot, picked up by ``chat/urls.py`` under ``/w/<ws>/chat/teams/``."""

from django.urls import path

from groundswell.chat.teams import views

urlpatterns = [
    path("", views.admin, name="teams_admin"),
    path("app.zip", views.package, name="teams_package"),
    path("disconnect/", views.disconnect, name="teams_disconnect"),
]
