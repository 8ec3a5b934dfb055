from django.urls import path

from groundswell.rewards import views

app_name = "rewards"
urlpatterns = [
    path("leaderboard/", views.leaderboard, name="leaderboard"),
    path("history/", views.history, name="history"),
    path("rules/", views.rules, name="rules"),
]
