from django.urls import path

from groundswell.teams import views

app_name = "teams"
urlpatterns = [
    path("", views.team_list, name="list"),
    path("new/", views.team_create, name="create"),
    path("<int:team_id>/", views.team_detail, name="detail"),
    path("<int:team_id>/edit/", views.team_edit, name="edit"),
    path("<int:team_id>/apply/", views.apply, name="apply"),
    path("<int:team_id>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:team_id>/leave/", views.leave, name="leave"),
    path("<int:team_id>/reapply/", views.reapply, name="reapply"),
    path("<int:team_id>/rotation/", views.rotation, name="rotation"),
    path("<int:team_id>/invite/", views.invite, name="invite"),
    path("<int:team_id>/waitlist/<int:entry_id>/move/", views.waitlist_move, name="waitlist_move"),
    path("<int:team_id>/waitlist/<int:entry_id>/remove/", views.waitlist_remove, name="waitlist_remove"),
    path("<int:team_id>/seats/<int:seat_id>/remove/", views.seat_remove, name="seat_remove"),
    path(
        "<int:team_id>/invitations/<int:team_invitation_id>/cancel/",
        views.invitation_cancel,
        name="invitation_cancel",
    ),
    path("invitations/<int:team_invitation_id>/", views.invitation, name="invitation"),
]
