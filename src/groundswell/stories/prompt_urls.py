from django.urls import URLPattern

app_name = "story_prompts"
urlpatterns: list[URLPattern] = []
