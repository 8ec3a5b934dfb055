from django.urls import path

from groundswell.core import home

app_name = "core"
urlpatterns = [path("", home.employee_home, name="home")]
