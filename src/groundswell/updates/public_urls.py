"""The digest's unsubscribe link lives outside /w/<ws>/: it works without signing in."""

from django.urls import path

from groundswell.updates import views

app_name = "unsubscribe"
urlpatterns = [path("<str:token>/", views.unsubscribe, name="confirm")]
