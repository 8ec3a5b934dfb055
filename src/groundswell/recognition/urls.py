from django.urls import path

from groundswell.recognition import views

app_name = "recognition"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("contests/new/", views.new_contest, name="new_contest"),
    path("contests/<int:contest_id>/", views.contest_detail, name="contest"),
    path("contests/<int:contest_id>/draw/", views.draw_view, name="draw"),
    path("contests/<int:contest_id>/cancel/", views.cancel_view, name="cancel"),
    path("bonus/new/", views.new_bonus, name="new_bonus"),
    path("bonus/<int:period_id>/", views.bonus_detail, name="bonus"),
    path("bonus/<int:period_id>/close/", views.close_view, name="close_bonus"),
    path("bonus/<int:period_id>/payroll.csv", views.payroll_view, name="payroll"),
]
