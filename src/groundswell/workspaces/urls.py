from django.urls import path

from groundswell.workspaces import import_views, views

app_name = "workspaces"
urlpatterns = [
    path("", views.people, name="people"),
    path("invite/", views.invite, name="invite"),
    path("invitations/<int:invitation_id>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("invitations/<int:invitation_id>/resend/", views.invitation_resend, name="invitation_resend"),
    path("members/<int:member_id>/", views.member_edit, name="member_edit"),
    path("members/<int:member_id>/deactivate/", views.member_deactivate, name="member_deactivate"),
    path("members/<int:member_id>/reactivate/", views.member_reactivate, name="member_reactivate"),
    path("structure/", views.segments, name="segments"),
    path("structure/departments/add/", views.department_add, name="department_add"),
    path("structure/departments/<int:department_id>/rename/", views.department_rename, name="department_rename"),
    path("structure/departments/<int:department_id>/delete/", views.department_delete, name="department_delete"),
    path("structure/locations/add/", views.location_add, name="location_add"),
    path("structure/locations/<int:location_id>/rename/", views.location_rename, name="location_rename"),
    path("structure/locations/<int:location_id>/delete/", views.location_delete, name="location_delete"),
    path("import/", import_views.import_upload, name="import_upload"),
    path("import/preview/", import_views.import_preview, name="import_preview"),
    path("import/confirm/", import_views.import_confirm, name="import_confirm"),
    path("import/progress/", import_views.import_progress, name="import_progress"),
    path("import/status/", import_views.import_status, name="import_status"),
    path("settings/", views.workspace_settings, name="settings"),
    path("profile/", views.profile, name="profile"),
]
