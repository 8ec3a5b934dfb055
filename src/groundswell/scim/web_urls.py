from django.urls import URLPattern

app_name = "scim_admin"
urlpatterns: list[URLPattern] = []
