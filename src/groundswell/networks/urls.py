from django.urls import path

from groundswell.core.placeholder import todo

app_name = "networks"
urlpatterns = [path("", todo, name="accounts")]
