from django.urls import path

from groundswell.core.placeholder import todo

app_name = "content"
urlpatterns = [
    path("list/", todo, name="list"),
    path("submit/", todo, name="submit"),
    path("review/", todo, name="review"),
]
