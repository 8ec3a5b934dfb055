from django.urls import URLPattern, URLResolver, include, path

app_name = "chat_public"
urlpatterns: list[URLPattern | URLResolver] = [
    path("teams/", include("groundswell.chat.teams.public_urls")),
]
