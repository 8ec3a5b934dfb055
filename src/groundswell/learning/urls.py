from django.urls import path

from groundswell.learning import views

app_name = "learning"
urlpatterns = [
    path("", views.track, name="track"),
    path("new/", views.lesson_create, name="create"),
    path("schedule/", views.schedule, name="schedule"),
    path("starter/", views.install_starter, name="starter"),
    path("<int:lesson_id>/", views.lesson, name="lesson"),
    path("<int:lesson_id>/edit/", views.lesson_edit, name="edit"),
]
