"""What the Bot Connector calls (bearer-token verified) and the connect link's page, included by
``chat/public_urls.py`` under ``/chat/teams/``."""

from django.urls import path

from groundswell.chat.teams import views

urlpatterns = [
    path("messages", views.messages, name="teams_messages"),
    path("connect/<str:token>/", views.connect, name="teams_connect"),
]
