from django.urls import path

from groundswell.goals import views

app_name = "goals"
urlpatterns = [
    path("", views.program, name="program"),
    path("vision/", views.edit_vision, name="vision"),
    path("goals/new/", views.goal_create, name="create"),
    path("goals/<int:goal_id>/edit/", views.goal_edit, name="edit"),
    path("goals/<int:goal_id>/delete/", views.goal_delete, name="delete"),
]
