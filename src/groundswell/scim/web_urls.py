from django.urls import path

from groundswell.scim import web_views

app_name = "scim_admin"
urlpatterns = [
    path("", web_views.token_list, name="list"),
    path("new/", web_views.token_create, name="create"),
    path("<int:scim_token_id>/revoke/", web_views.token_revoke, name="revoke"),
]
