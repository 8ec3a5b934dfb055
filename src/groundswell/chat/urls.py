from django.urls import URLPattern, URLResolver, include, path

app_name = "chat"
urlpatterns: list[URLPattern | URLResolver] = [
    path("teams/", include("groundswell.chat.teams.urls")),
]
