"""The personal share link a chat button opens (/chat/go/<token>/): no sign-in, the token is the proof."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from groundswell.chat.handlers import ShareRefused, open_share
from groundswell.workspaces.access import allow_methods


class _ComposeRedirect(HttpResponseRedirect):
    """A network's compose page, or ``mailto:`` for the e-mail "network"."""

    allowed_schemes = ["http", "https", "mailto"]


@never_cache
@allow_methods("GET")
def go(request: HttpRequest, token: str) -> HttpResponse:
    try:
        url = open_share(token)
    except ShareRefused as exc:
        return render(request, "chat/go_refused.html", {"message": exc.message, "url": exc.url}, status=410)
    response = _ComposeRedirect(url)
    response["Referrer-Policy"] = "no-referrer"  # the token is in this page's URL
    return response
