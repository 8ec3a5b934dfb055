from django.urls import URLPattern

app_name = "chat_public"
urlpatterns: list[URLPattern] = []
