"""Public pages of the links app. The short link itself (``/<code>``) is routed in ``groundswell.urls``.

Include at the site root: ``path("", include("groundswell.links.urls"))`` → ``/p/<code>``.
"""

from django.urls import re_path

from groundswell.links import views
from groundswell.sharing.models import CODE_REGEX

urlpatterns = [
    re_path(rf"^p/(?P<code>{CODE_REGEX})$", views.public_item, name="public_item"),
]
