from django.urls import include, path

from groundswell.chat import views

app_name = "chat"
urlpatterns = [
    path("", views.settings_page, name="settings"),
    path("link/<str:token>/", views.link, name="link"),
    path("<str:platform>/unlink/", views.unlink, name="unlink"),
    path("<str:platform>/direct-messages/", views.direct_messages, name="direct_messages"),
    path("slack/install/", views.slack_install_start, name="slack_install"),
    path("slack/channel/", views.slack_channel, name="slack_channel"),
    path("slack/disconnect/", views.slack_disconnect, name="slack_disconnect"),
    path("slack/manifest.json", views.slack_manifest, name="slack_manifest"),
    path("teams/", include("groundswell.chat.teams.urls")),  # Microsoft Teams (chat/teams, ADR 0041)
]
