from django.urls import URLPattern

app_name = "scim"
urlpatterns: list[URLPattern] = []
