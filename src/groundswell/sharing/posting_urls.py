"""Posting through connected accounts, under ``/w/<ws>/posts/``."""

from django.urls import path

from groundswell.sharing import posting_views as views

app_name = "posting"
urlpatterns = [
    path("", views.my_posts, name="mine"),
    path("<int:share_id>/cancel/", views.cancel, name="cancel"),
    path("outbox/", views.overview, name="overview"),
    path("policy/", views.policy_settings, name="policy"),
    path("send/<int:item_id>/", views.send_to_ambassadors, name="send_to_ambassadors"),
]
