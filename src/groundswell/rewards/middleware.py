"""Remember the visitor hash of members using the app, so clicks on their own links can be recognised."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from groundswell.links.clients import client_ip, trusted_proxy_count
from groundswell.links.visitor import visitor_hash
from groundswell.rewards.actions import record_member_visitor

log = logging.getLogger(__name__)
USER_AGENT_MAX = 300  # as links/buffer.py truncates before hashing


class MemberVisitorMiddleware:
    """On signed-in workspace pages (``/w/<slug>/…``), store the member's visitor hash for the day.

    The hash is the click path's HMAC of IP + user agent + UTC day; the session remembers the last one per
    workspace, so this writes at most once per member, browser and day (not on every page).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            settings.RECORD_MEMBER_VISITORS
            and request.path.startswith("/w/")
            and getattr(request, "user", None)
            and request.user.is_authenticated
        ):
            try:
                self._record(request)
            except DatabaseError:  # never fail a page for this
                log.exception("could not record a member visitor hash")
        return response

    def _record(self, request: HttpRequest) -> None:
        slug = request.path[3:].split("/", 1)[0]
        if not slug:
            return
        ip = client_ip(
            request.META.get("REMOTE_ADDR", ""), request.META.get("HTTP_X_FORWARDED_FOR", ""), trusted_proxy_count()
        )
        day = timezone.now().astimezone(timezone.get_fixed_timezone(0)).date()
        hashed = visitor_hash(ip, request.headers.get("User-Agent", "")[:USER_AGENT_MAX], day)
        session_key = f"gs_visitor:{slug}"
        if request.session.get(session_key) == hashed:
            return
        if record_member_visitor(user_id=int(request.user.pk or 0), workspace_slug=slug, visitor_hash=hashed, day=day):
            request.session[session_key] = hashed
