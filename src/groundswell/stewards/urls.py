from django.urls import URLPattern

app_name = "stewards"
urlpatterns: list[URLPattern] = []
