from importlib.util import find_spec

from django.urls import URLPattern, URLResolver, include, path

from groundswell.chat import views

app_name = "chat"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.settings_page, name="settings"),
    # The signed link's token is in the query string (?token=): it names no object of the workspace.
    path("link/", views.link, name="link"),
    path("unlink/", views.unlink, name="unlink"),
    path("direct-messages/", views.direct_messages, name="direct_messages"),
    path("slack/install/", views.slack_install_start, name="slack_install"),
    path("slack/channel/", views.slack_channel, name="slack_channel"),
    path("slack/disconnect/", views.slack_disconnect, name="slack_disconnect"),
    path("slack/manifest.json", views.slack_manifest, name="slack_manifest"),
]
# Microsoft Teams' admin pages (chat/teams/web_urls.py) under /w/<ws>/chat/teams/ when the module exists.
if find_spec("groundswell.chat.teams") and find_spec("groundswell.chat.teams.web_urls"):
    urlpatterns.append(path("teams/", include("groundswell.chat.teams.web_urls")))
