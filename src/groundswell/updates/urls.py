from django.urls import path

from groundswell.updates import views

app_name = "updates"
urlpatterns = [
    path("", views.feed, name="feed"),
    path("new/", views.create, name="create"),
    path("<int:update_id>/edit/", views.edit, name="edit"),
    path("<int:update_id>/delete/", views.delete, name="delete"),
    path("<int:update_id>/pin/", views.pin, name="pin"),
    path("digest/", views.digest_settings, name="digest_settings"),
]
