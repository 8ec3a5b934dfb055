"""The Notifications page (channels per kind, devices), the subscription endpoints pwa.js calls, and the
installable-app files served from the site's root: the manifest, the service worker and the offline page."""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import cache_control

from groundswell.notify import actions, push
from groundswell.notify.models import Channel, Kind, PushSubscription
from groundswell.workspaces.access import allow_methods, get_membership
from groundswell.workspaces.models import Membership

MAX_BODY = 8 * 1024


def _page(request: HttpRequest, member: Membership, *, status: int = 200, **context: Any) -> HttpResponse:
    context = {"workspace": member.workspace, "member": member, "nav": "notify", **context}
    return render(request, "notify/settings.html", context, status=status)


@login_required
@allow_methods("GET", "POST")
def settings_page(request: HttpRequest, ws: str) -> HttpResponse:
    member = get_membership(request.user, ws)
    if request.method == "POST":
        errors = []
        for kind in Kind.values:
            channel = request.POST.get(kind)
            if channel is None:
                continue
            try:
                actions.set_channel(member, kind, channel)
            except actions.NotifyError as exc:
                errors.append(str(exc))
        if errors:
            return _page(request, member, errors=errors, **_state(member), status=400)
        messages.success(request, "Notification settings saved.")
        return redirect("notify:settings", ws=ws)
    return _page(request, member, **_state(member))


def _state(member: Membership) -> dict[str, Any]:
    chosen = actions.channels_for(member)
    rows = [{"kind": kind, "label": label, "channel": chosen[kind]} for kind, label in Kind.choices]
    return {
        "rows": rows,
        "channels": Channel.choices,
        "devices": list(PushSubscription.objects.filter(member=member)),
        "push_enabled": push.push_enabled(),
        "vapid_public_key": settings.VAPID_PUBLIC_KEY,
    }


def _json_body(request: HttpRequest) -> dict[str, Any]:
    if len(request.body) > MAX_BODY:
        raise actions.NotifyError("The request is too large.")
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise actions.NotifyError("The request is not valid JSON.") from None
    if not isinstance(data, dict):
        raise actions.NotifyError("The request must be a JSON object.")
    return data


@login_required
@allow_methods("POST")
def subscribe(request: HttpRequest, ws: str) -> JsonResponse:
    """Store this browser's push subscription: ``{"endpoint": ..., "keys": {"p256dh": ..., "auth": ...}}``
    (``PushSubscription.toJSON()``), CSRF token in the X-CSRFToken header."""
    member = get_membership(request.user, ws)
    try:
        data = _json_body(request)
        keys = data.get("keys")
        if not isinstance(keys, dict):
            raise actions.NotifyError("The subscription has no keys.")
        sub = actions.subscribe(
            member,
            endpoint=str(data.get("endpoint") or ""),
            p256dh=str(keys.get("p256dh") or ""),
            auth=str(keys.get("auth") or ""),
            device=_device(request),
        )
    except actions.NotifyError as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    return JsonResponse({"id": sub.pk, "device": sub.device}, status=201)


@login_required
@allow_methods("POST")
def unsubscribe(request: HttpRequest, ws: str) -> JsonResponse:
    """Forget this browser (``{"endpoint": ...}``), when the member turns push off on the device."""
    member = get_membership(request.user, ws)
    try:
        endpoint = str(_json_body(request).get("endpoint") or "")
    except actions.NotifyError as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    return JsonResponse({"removed": actions.unsubscribe(member, endpoint=endpoint)})


@login_required
@allow_methods("POST")
def remove_device(request: HttpRequest, ws: str, device_id: int) -> HttpResponse:
    member = get_membership(request.user, ws)
    device = get_object_or_404(PushSubscription.objects.filter(member=member), pk=device_id)  # another's: 404
    actions.unsubscribe(member, subscription_id=device.pk)
    messages.success(request, "The device will get no more push notifications.")
    return redirect("notify:settings", ws=ws)


def _device(request: HttpRequest) -> str:
    """A short label from the User-Agent: the browser and the system, for the device list."""
    agent = request.headers.get("User-Agent", "")
    browser = next((b for b in ("Edg", "Firefox", "Chrome", "Safari") if b in agent), "Browser")
    system = next((s for s in ("Android", "iPhone", "iPad", "Windows", "Mac OS", "Linux") if s in agent), "")
    browser = {"Edg": "Edge", "Mac OS": "macOS"}.get(browser, browser)
    return f"{browser} on {system.replace('Mac OS', 'macOS')}" if system else browser


# --- the installable app: served at the site's root -------------------------------------------------------


@cache_control(max_age=3600)
def manifest(request: HttpRequest) -> JsonResponse:
    data = {
        "id": "/",
        "name": "Groundswell",
        "short_name": "Groundswell",
        "description": "Share your company's news, answer customers and follow your program.",
        "start_url": "/?source=pwa",
        "scope": "/",
        "display": "standalone",
        "background_color": "#f6f7f9",
        "theme_color": "#0f766e",
        "icons": [
            {"src": static("groundswell/icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("groundswell/icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": static("groundswell/icons/icon-maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    response = JsonResponse(data, json_dumps_params={"indent": 1})
    response["Content-Type"] = "application/manifest+json"
    return response


def shell_assets() -> list[str]:
    """What the service worker precaches: the page frame's CSS and JS, the icons and the offline page."""
    return [
        reverse("offline"),
        static("groundswell/app.css"),
        static("groundswell/app.js"),
        static("groundswell/pwa.js"),
        static("groundswell/favicon.svg"),
        static("groundswell/icons/icon-192.png"),
    ]


@lru_cache(maxsize=1)
def _worker_source() -> str:
    return (settings.BASE_DIR / "static" / "groundswell" / "sw.js").read_text(encoding="utf-8")


@cache_control(no_cache=True)
def service_worker(request: HttpRequest) -> HttpResponse:
    """``/sw.js``: the service worker at the root scope. Its first line carries the precache list (hashed static
    URLs in production) and a version made from it and the worker's code, so a deploy installs a new worker."""
    source = _worker_source()
    assets = shell_assets()
    version = hashlib.sha256((source + "\n".join(assets)).encode()).hexdigest()[:12]
    config = json.dumps({"version": version, "shell": assets, "offline": reverse("offline")})
    response = HttpResponse(f"self.GS = {config};\n{source}", content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    return response


@cache_control(max_age=3600)
def offline(request: HttpRequest) -> HttpResponse:
    """What the service worker shows for a page it has not kept, when the phone is offline."""
    return render(request, "notify/offline.html", {})
