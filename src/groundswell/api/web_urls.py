from django.urls import path

from groundswell.core.placeholder import todo

app_name = "apitokens"
urlpatterns = [path("", todo, name="list")]
