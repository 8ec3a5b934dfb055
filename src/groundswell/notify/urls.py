from django.urls import path

from groundswell.notify import views

app_name = "notify"

urlpatterns = [
    path("", views.settings_page, name="settings"),
    path("subscribe/", views.subscribe, name="subscribe"),
    path("unsubscribe/", views.unsubscribe, name="unsubscribe"),
    path("devices/<int:device_id>/remove/", views.remove_device, name="remove_device"),
]
