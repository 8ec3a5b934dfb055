from django.urls import path

from groundswell.core.placeholder import todo

app_name = "goals"
urlpatterns = [
    path("program/", todo, name="program"),
]
