"""Brand accounts and their stewards, under ``/w/<ws>/brand/``."""

from django.urls import path

from groundswell.networks import views as connect_views
from groundswell.stewards import views

#: The company's accounts are connected through the members' connect views, as the workspace's (admins only).
BRAND = {"pages": connect_views.WORKSPACE}

app_name = "stewards"
urlpatterns = [
    path("", views.account_list, name="accounts"),
    path("connect/", connect_views.connect, BRAND, name="connect"),
    path("connect/start/", connect_views.start, BRAND, name="connect_start"),
    path("connect/server/", connect_views.connect_instance, BRAND, name="connect_instance"),
    path("connect/app-password/", connect_views.connect_password, BRAND, name="connect_password"),
    path("<int:brand_id>/", views.account, name="account"),
    path("<int:brand_id>/approval/", views.approval, name="approval"),
    path("<int:brand_id>/shifts/new/", views.assign, name="assign"),
    path("<int:brand_id>/write/", views.write, name="write"),
    path("<int:brand_id>/disconnect/", views.disconnect, name="disconnect"),
    path("posts/<int:brand_post_id>/withdraw/", views.withdraw, name="withdraw"),
    path("shifts/", views.my_shifts, name="my_shifts"),
    path("shifts/<int:shift_id>/handover/", views.handover, name="handover"),
    path("shifts/<int:shift_id>/release/", views.release, name="release"),
    path("review/", views.review, name="review"),
    path("review/<int:brand_post_id>/", views.review_post, name="review_post"),
]
