"""Public sign-in pages (mounted at the root: they are for people who are not signed in yet)."""

from django.urls import path

from groundswell.sso import views

urlpatterns = [
    path("sso/", views.start, name="sso_start"),
    path("w/<slug:ws>/sso/login/", views.workspace_login, name="sso_workspace_login"),
]
