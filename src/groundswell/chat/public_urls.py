from importlib.util import find_spec

from django.urls import URLPattern, URLResolver, include, path

from groundswell.chat import public_views
from groundswell.chat.slack import views as slack

app_name = "chat_public"
urlpatterns: list[URLPattern | URLResolver] = [
    path("go/<str:token>/", public_views.go, name="go"),
    path("slack/events/", slack.events, name="slack_events"),
    path("slack/interactivity/", slack.interactivity, name="slack_interactivity"),
    path("slack/commands/", slack.commands, name="slack_commands"),
    path("slack/oauth/", slack.oauth_callback, name="slack_oauth"),
]
# Microsoft Teams (chat/teams/, built on this core): its endpoints under /chat/teams/ when the module exists.
if find_spec("groundswell.chat.teams") and find_spec("groundswell.chat.teams.urls"):
    urlpatterns.append(path("teams/", include("groundswell.chat.teams.urls")))
