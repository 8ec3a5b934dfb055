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
    path("sources/<int:source_id>/edit/", views.source_edit, name="source_edit"),
    path("sources/<int:source_id>/credential/remove/", views.source_credential_remove, name="source_credential_remove"),
    path("sources/<int:source_id>/pause/", views.source_pause, name="source_pause"),
    path("sources/<int:source_id>/poll/", views.source_poll, name="source_poll"),
    path("sources/<int:source_id>/upload/", views.source_upload, name="source_upload"),
    path("credentials/", views.credentials_page, name="credentials"),
    path("credentials/reddit/", views.credential_edit, {"network": "reddit"}, name="credential_reddit"),
    path("credentials/bluesky/", views.credential_edit, {"network": "bluesky"}, name="credential_bluesky"),
    path("credentials/reddit/check/", views.credential_check, {"network": "reddit"}, name="credential_reddit_check"),
    path("credentials/bluesky/check/", views.credential_check, {"network": "bluesky"}, name="credential_bluesky_check"),
    path("credentials/reddit/remove/", views.credential_remove, {"network": "reddit"}, name="credential_reddit_remove"),
    path(
        "credentials/bluesky/remove/",
        views.credential_remove,
        {"network": "bluesky"},
        name="credential_bluesky_remove",
    ),
]
