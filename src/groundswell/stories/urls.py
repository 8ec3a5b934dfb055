from django.urls import URLPattern

app_name = "stories"
urlpatterns: list[URLPattern] = []
