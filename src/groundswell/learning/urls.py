from django.urls import path

from groundswell.learning import views

app_name = "learning"
urlpatterns = [
    path("", views.track, name="track"),
    path("progress/", views.progress, name="progress"),
    path("new/", views.lesson_create, name="create"),
    path("starter/", views.install_starter, name="starter"),
    path("tracks/new/", views.track_create, name="track_create"),
    path("tracks/<int:track_id>/", views.track_detail, name="track_detail"),
    path("tracks/<int:track_id>/edit/", views.track_edit, name="track_edit"),
    path("tracks/<int:track_id>/move/", views.track_move, name="track_move"),
    path("tracks/<int:track_id>/new/", views.lesson_create_in, name="create_in"),
    path("tips/", views.tips, name="tips"),
    path("tips/new/", views.tip_create, name="tip_create"),
    path("tips/starter/", views.tips_starter, name="tips_starter"),
    path("tips/<int:tip_id>/edit/", views.tip_edit, name="tip_edit"),
    path("tips/<int:tip_id>/delete/", views.tip_delete, name="tip_delete"),
    path("<int:lesson_id>/", views.lesson, name="lesson"),
    path("<int:lesson_id>/edit/", views.lesson_edit, name="edit"),
    path("<int:lesson_id>/move/", views.lesson_move, name="move"),
    path("<int:lesson_id>/image/", views.lesson_image, name="image"),
]
