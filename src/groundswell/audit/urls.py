from django.urls import path

from groundswell.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.report, name="report"),
    path("report.pdf", views.report_pdf, name="pdf"),
    path("chart/<slug:kind>.svg", views.chart, name="chart"),
    path("schedules/", views.schedules, name="schedules"),
    path("schedules/<int:subscription_id>/delete/", views.schedule_delete, name="schedule_delete"),
]
