"""The site's URLs plus the links app's public pages (until the lead wires them into groundswell.urls)."""

from django.urls import include, path

from groundswell.urls import handler404, handler500
from groundswell.urls import urlpatterns as site_patterns

__all__ = ["handler404", "handler500", "urlpatterns"]

urlpatterns = [path("", include("groundswell.links.urls")), *site_patterns]
