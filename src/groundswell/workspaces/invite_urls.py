from django.urls import path

from groundswell.core.placeholder import todo

urlpatterns = [path("<str:token>/", todo, name="accept_invitation")]
