from django.urls import URLPattern

app_name = "videos"
urlpatterns: list[URLPattern] = []
