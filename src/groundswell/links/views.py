"""Short links through Django (WSGI, the test client, and the pages the ASGI fast path hands over).

Under ASGI, ``links.fastpath.LinkRouter`` answers live links itself and passes unknown, archived and
expired codes here, so the 404/410 pages are rendered in one place, with the site's middleware.
"""

from __future__ import annotations

import time
from functools import lru_cache

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_safe

from groundswell.content.models import ItemKind
from groundswell.links.bots import is_bot
from groundswell.links.buffer import get_buffer
from groundswell.links.clients import client_ip, trusted_proxy_count
from groundswell.links.resolver import LinkUnavailable, get_resolver
from groundswell.sharing.models import Share

RETRY_AFTER_SECONDS = 30


@lru_cache(maxsize=1)
def unavailable_page() -> bytes:
    """The 503 page: self-contained (no database, no request context), rendered once per process."""
    return render_to_string("links/unavailable.html", {"retry_after": RETRY_AFTER_SECONDS}).encode()


def unavailable_response() -> HttpResponse:
    response = HttpResponse(unavailable_page(), status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def record_click(request: HttpRequest, code: str, when: float) -> None:
    """Journal the click, and return once it is on disk (group commit; see links.buffer)."""
    user_agent = request.headers.get("User-Agent", "")
    buffer = get_buffer()
    group = buffer.record(
        code,
        when,
        client_ip(
            request.META.get("REMOTE_ADDR", ""),
            request.META.get("HTTP_X_FORWARDED_FOR", ""),
            trusted_proxy_count(),
        ),
        user_agent,
        request.headers.get("Referer", ""),
        is_bot(user_agent, request.method or "GET"),
    )
    buffer.wait(group)


def not_found_response(request: HttpRequest) -> HttpResponse:
    response = render(request, "links/not_found.html", status=404)
    response["Cache-Control"] = "no-store"
    return response


def gone_response(request: HttpRequest) -> HttpResponse:
    response = render(request, "links/gone.html", status=410)
    response["Cache-Control"] = "no-store"
    return response


@require_safe
def follow(request: HttpRequest, code: str) -> HttpResponse:
    """302 to the item (UTM added) and record the click; 404 unknown, 410 no longer shared, 503 DB down."""
    now = time.time()
    try:
        link = get_resolver().resolve(code)
    except LinkUnavailable:
        record_click(request, code, now)
        return unavailable_response()
    if link is None:
        return not_found_response(request)
    if not link.is_live(now):
        return gone_response(request)
    record_click(request, code, now)
    response = HttpResponseRedirect(link.location)
    response["Cache-Control"] = "no-store"
    return response


@require_safe
def public_item(request: HttpRequest, code: str) -> HttpResponse:
    """The public page of a text, image or video item, reached through a share's short link."""
    share = Share.objects.select_related("item__video", "workspace").filter(code=code).first()
    if share is None:
        return not_found_response(request)
    item = share.item
    if not item.is_live(timezone.now()):
        return gone_response(request)
    image = item.image.url if item.image else item.image_url
    # A video item plays its video from /watch/<code>/ (videos.public_views checks the same share again).
    video = item.video if item.kind == ItemKind.VIDEO else None
    return render(
        request,
        "links/item.html",
        {"share": share, "item": item, "image": image, "video": video, "site_name": share.workspace.name},
    )
