"""Self-service workspace creation (only with ``GROUNDSWELL_OPEN_SIGNUP``, or for superusers).

Mount at the site root: ``path("start/", include("groundswell.workspaces.start_urls"))``.
"""

from django.urls import path

from groundswell.workspaces import views

urlpatterns = [path("", views.start_workspace, name="start_workspace")]
