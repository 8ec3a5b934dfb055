from django.urls import URLPattern

app_name = "sso"
urlpatterns: list[URLPattern] = []
