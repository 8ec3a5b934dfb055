"""A video shared outside, bound to a share code: the public item page (``/p/<code>``) plays it from here.

Only the video of a live item of kind "video", reached through one of its shares, is public. Anything else
(an unknown code, an item unpublished or expired, a video still processing) is a 404, so a member's video never
becomes public by guessing its id.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.views.decorators.http import require_safe

from groundswell.content.models import Item, ItemKind
from groundswell.videos.models import Video, VideoState
from groundswell.videos.views import captions_response, serve_file


def public_video(code: str) -> Video | None:
    """The ready video the live item of the share ``code`` shows, or None. (Only the item is read: nothing
    about the person who shared it.)"""
    item = Item.objects.select_related("video").filter(shares__code=code).first()
    if item is None:
        return None
    video = item.video
    if item.kind != ItemKind.VIDEO or video is None or not item.is_live(timezone.now()):
        return None
    if video.state != VideoState.READY or video.workspace_id != item.workspace_id:
        return None
    return video


def _video_or_404(code: str) -> Video:
    video = public_video(code)
    if video is None:
        raise Http404("Not found")
    return video


def _public(response: HttpResponseBase) -> HttpResponseBase:
    # Still "private": a shared cache must not keep it after the item is unpublished.
    response["Cache-Control"] = "private, max-age=300"
    return response


@require_safe
def web_file(request: HttpRequest, code: str) -> HttpResponseBase:
    return _public(serve_file(request, _video_or_404(code).web, "video/mp4"))


@require_safe
def poster(request: HttpRequest, code: str) -> HttpResponseBase:
    return _public(serve_file(request, _video_or_404(code).poster, "image/jpeg"))


@require_safe
def captions(request: HttpRequest, code: str) -> HttpResponseBase:
    return _public(captions_response(_video_or_404(code)))
