from django.urls import path

from groundswell.core.placeholder import todo

app_name = "rewards"
urlpatterns = [
    path("leaderboard/", todo, name="leaderboard"),
]
