"""Connected accounts, under ``/w/<ws>/accounts/``. Networks and accounts go in the query string or form."""

from django.urls import path

from groundswell.networks import views

app_name = "networks"
urlpatterns = [
    path("", views.account_list, name="accounts"),
    path("connect/", views.connect, name="connect"),
    path("connect/start/", views.start, name="start"),
    path("connect/server/", views.connect_instance, name="connect_instance"),
    path("connect/choose/", views.choose, name="choose"),
    path("connect/app-password/", views.connect_password, name="connect_password"),
    path("disconnect/", views.disconnect, name="disconnect"),
    path("auto-post/", views.auto_post, name="auto_post"),
]
