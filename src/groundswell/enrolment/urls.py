from django.urls import path

from groundswell.enrolment import views

app_name = "enrolment"
urlpatterns = [
    path("", views.answer, name="answer"),
    path("done/", views.done, name="done"),
    path("leave/", views.leave, name="leave"),
    path("team/", views.team, name="team"),
    path("calls/", views.calls, name="calls"),
    path("calls/new/", views.open_call, name="open_call"),
    path("calls/<int:call_id>/close/", views.close_call, name="close_call"),
    path("calls/<int:call_id>/chart.svg", views.call_chart, name="call_chart"),
    path("volunteers/", views.volunteers, name="volunteers"),
    path("settings/", views.group_size, name="settings"),
]
