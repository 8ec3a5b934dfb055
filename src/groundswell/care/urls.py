"""Customer care under ``/w/<ws>/care/``: my cases, a case, the team queue, the triage queue, settings, snippets, my profile."""

from django.urls import path

from groundswell.care import views

app_name = "care"
urlpatterns = [
    path("", views.my_cases, name="mine"),
    path("cases/<int:case_id>/", views.case, name="case"),
    path("cases/<int:case_id>/reply/", views.reply, name="reply"),
    path("cases/<int:case_id>/post-reply/", views.post_reply, name="post_reply"),
    path("cases/<int:case_id>/retry-reply/", views.retry_reply, name="retry_reply"),
    path("cases/<int:case_id>/posted-by-hand/", views.posted_by_hand, name="posted_by_hand"),
    path("cases/<int:case_id>/resolve/", views.resolve, name="resolve"),
    path("cases/<int:case_id>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("cases/<int:case_id>/reassign/", views.reassign, name="reassign"),
    path("cases/<int:case_id>/close/", views.close, name="close"),
    path("queue/", views.queue, name="queue"),
    path("triage/", views.triage, name="triage"),
    path("triage/<int:triage_id>/case/", views.triage_case, name="triage_case"),
    path("triage/<int:triage_id>/dismiss/", views.triage_dismiss, name="triage_dismiss"),
    path("settings/", views.settings_page, name="settings"),
    path("settings/skills/<int:skill_id>/delete/", views.delete_skill, name="delete_skill"),
    path("snippets/", views.snippets, name="snippets"),
    path("snippets/<int:snippet_id>/", views.snippet, name="snippet"),
    path("snippets/<int:snippet_id>/delete/", views.delete_snippet_view, name="delete_snippet"),
    path("profile/", views.profile, name="profile"),
]
