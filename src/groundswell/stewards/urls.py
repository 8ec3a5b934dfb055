"""Brand accounts and their stewards, under ``/w/<ws>/brand/``."""

from django.urls import path

from groundswell.stewards import views

app_name = "stewards"
urlpatterns = [
    path("", views.account_list, name="accounts"),
    path("connect/", views.connect, name="connect"),
    path("connect/start/", views.connect_start, name="connect_start"),
    path("connect/app-password/", views.connect_password, name="connect_password"),
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
