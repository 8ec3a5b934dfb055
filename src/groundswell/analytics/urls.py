from django.urls import path

from groundswell.analytics import views

app_name = "analytics"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("chart/<slug:kind>.svg", views.chart, name="chart"),
    path("export/daily.csv", views.export_daily, name="export_daily"),
    path("export/items.csv", views.export_items, name="export_items"),
]
