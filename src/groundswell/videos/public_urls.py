"""A video shared outside: ``/watch/<code>/…``, bound to a share of a live item that shows the video."""

from django.urls import re_path

from groundswell.sharing.models import CODE_REGEX
from groundswell.videos import public_views

app_name = "videos_public"

urlpatterns = [
    re_path(rf"^(?P<code>{CODE_REGEX})/video\.mp4$", public_views.web_file, name="file"),
    re_path(rf"^(?P<code>{CODE_REGEX})/poster\.jpg$", public_views.poster, name="poster"),
    re_path(rf"^(?P<code>{CODE_REGEX})/captions\.vtt$", public_views.captions, name="captions"),
]
