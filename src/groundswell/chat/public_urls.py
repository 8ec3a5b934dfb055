from django.urls import include, path

from groundswell.chat import public_views
from groundswell.chat.slack import views as slack

app_name = "chat_public"
urlpatterns = [
    path("go/<str:token>/", public_views.go, name="go"),
    path("slack/events/", slack.events, name="slack_events"),
    path("slack/interactivity/", slack.interactivity, name="slack_interactivity"),
    path("slack/commands/", slack.commands, name="slack_commands"),
    path("slack/oauth/", slack.oauth_callback, name="slack_oauth"),
    path("teams/", include("groundswell.chat.teams.public_urls")),  # the Teams bot (chat/teams, ADR 0041)
]
