from django.urls import path

from groundswell.policy import views

app_name = "policy"
urlpatterns = [
    path("", views.policy_page, name="page"),
    path("acknowledge/", views.acknowledge_view, name="acknowledge"),
    path("edit/", views.edit_policy, name="edit"),
]
