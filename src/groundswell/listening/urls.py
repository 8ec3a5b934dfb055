from django.urls import path

from groundswell.listening import views

app_name = "listening"
urlpatterns = [
    path("", views.mentions, name="mentions"),
    path("topics/", views.topics, name="topics"),
    path("topics/new/", views.topic_create, name="topic_create"),
    path("topics/<int:listening_topic_id>/", views.topic_edit, name="topic_edit"),
    path("sources/", views.sources, name="sources"),
    path("sources/new/", views.source_create, name="source_create"),
    path("sources/<int:source_id>/", views.source_detail, name="source"),
    path("sources/<int:source_id>/pause/", views.source_pause, name="source_pause"),
    path("sources/<int:source_id>/poll/", views.source_poll, name="source_poll"),
    path("sources/<int:source_id>/upload/", views.source_upload, name="source_upload"),
]
