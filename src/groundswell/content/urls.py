from django.urls import path

from groundswell.content import views

app_name = "content"
urlpatterns = [
    path("list/", views.hub, name="list"),
    path("new/", views.create, name="create"),
    path("submit/", views.submit, name="submit"),
    path("submissions/", views.submissions, name="submissions"),
    path("review/", views.review, name="review"),
    path("topics/", views.topics, name="topics"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/approve/", views.approve, name="approve"),
    path("<int:pk>/reject/", views.reject, name="reject"),
    path("<int:pk>/publish/", views.publish, name="publish"),
    path("<int:pk>/archive/", views.archive, name="archive"),
    path("<int:pk>/unpublish/", views.unpublish, name="unpublish"),
]
