from django.urls import path

from groundswell.stories import prompt_views as views

app_name = "story_prompts"
urlpatterns = [
    path("", views.prompt_list, name="list"),
    path("new/", views.create, name="create"),
    path("<int:prompt_id>/", views.detail, name="detail"),
    path("<int:prompt_id>/edit/", views.edit, name="edit"),
    path("<int:prompt_id>/close/", views.close, name="close"),
    path("<int:prompt_id>/answers/", views.answers, name="answers"),
    path("<int:prompt_id>/answers.csv", views.answers_csv, name="answers_csv"),
    path("story/<int:story_id>/consent/", views.consent, name="consent"),
    path("story/<int:story_id>/harvest/", views.harvest_view, name="harvest"),
]
