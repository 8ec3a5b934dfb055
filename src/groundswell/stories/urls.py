from django.urls import path

from groundswell.stories import views

app_name = "stories"
urlpatterns = [
    path("", views.feed, name="feed"),
    path("new/", views.create, name="create"),
    path("moderation/", views.moderation, name="moderation"),
    path("<int:story_id>/", views.detail, name="detail"),
    path("<int:story_id>/edit/", views.edit, name="edit"),
    path("<int:story_id>/delete/", views.delete, name="delete"),
    path("<int:story_id>/images/<int:image_id>/", views.image, name="image"),
    path("<int:story_id>/poster/", views.poster, name="poster"),
    path("<int:story_id>/react/", views.react, name="react"),
    path("<int:story_id>/comments/", views.comment, name="comment"),
    path("<int:story_id>/report/", views.report_story, name="report"),
    path("<int:story_id>/hide/", views.hide_story, name="hide"),
    path("<int:story_id>/restore/", views.restore_story, name="restore"),
    path("comments/<int:comment_id>/edit/", views.comment_edit, name="comment_edit"),
    path("comments/<int:comment_id>/delete/", views.comment_delete, name="comment_delete"),
    path("comments/<int:comment_id>/report/", views.report_comment, name="report_comment"),
    path("comments/<int:comment_id>/hide/", views.hide_comment, name="hide_comment"),
    path("comments/<int:comment_id>/restore/", views.restore_comment, name="restore_comment"),
    path("reports/<int:report_id>/dismiss/", views.dismiss_report, name="dismiss"),
]
