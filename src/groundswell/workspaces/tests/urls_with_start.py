"""The site's URLs plus the self-service start page, as the lead mounts it."""

from django.urls import include, path

from groundswell.urls import handler404, handler500
from groundswell.urls import urlpatterns as site_patterns

__all__ = ["handler404", "handler500", "urlpatterns"]

urlpatterns = [path("start/", include("groundswell.workspaces.start_urls")), *site_patterns]
