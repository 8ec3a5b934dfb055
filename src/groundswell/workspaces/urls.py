from django.urls import path

from groundswell.core.placeholder import todo

app_name = "workspaces"
urlpatterns = [
    path("people/", todo, name="people"),
    path("profile/", todo, name="profile"),
    path("tokens/", todo, name="tokens"),
]
