from django.urls import path

from groundswell.sso import views

app_name = "sso"
urlpatterns = [
    path("", views.settings, name="settings"),
]
