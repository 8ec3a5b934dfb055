from django.urls import URLPattern

app_name = "videos_public"
urlpatterns: list[URLPattern] = []
