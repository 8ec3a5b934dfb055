from django.urls import path

from groundswell.videos import views

app_name = "videos"

urlpatterns = [
    path("", views.video_list, name="list"),
    path("upload/", views.upload, name="upload"),
    path("<int:video_id>/", views.detail, name="detail"),
    path("<int:video_id>/status/", views.status, name="status"),
    path("<int:video_id>/captions/edit/", views.edit_captions, name="edit_captions"),
    path("<int:video_id>/retry/", views.retry, name="retry"),
    path("<int:video_id>/delete/", views.delete, name="delete"),
    path("<int:video_id>/video.mp4", views.web_file, name="file"),
    path("<int:video_id>/poster.jpg", views.poster, name="poster"),
    path("<int:video_id>/captions.vtt", views.captions, name="captions"),
]
