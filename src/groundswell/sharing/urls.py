from django.urls import path

from groundswell.core.placeholder import todo

app_name = "sharing"
urlpatterns = [
    path("mine/", todo, name="mine"),
]
