from django.urls import path

from groundswell.rewards import views

app_name = "rewards"
urlpatterns = [
    path("leaderboard/", views.leaderboard, name="leaderboard"),
    path("history/", views.history, name="history"),
    path("rules/", views.rules, name="rules"),
    path("league/", views.league, name="league"),
    path("adjust/", views.adjust, name="adjust"),
    path("findings/", views.findings, name="findings"),
    path("findings/<int:finding_id>/decide/", views.decide, name="decide"),
]
