from django.urls import path

from groundswell.core.placeholder import todo

app_name = "analytics"
urlpatterns = [
    path("dashboard/", todo, name="dashboard"),
]
