from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render

from groundswell.workspaces.access import workspaces_for_user


def index(request: HttpRequest) -> HttpResponse:
    """The front door: the member's workspace (or a picker when they belong to several)."""
    if not request.user.is_authenticated:
        return redirect("account_login")
    return _picker(request)


@login_required
def _picker(request: HttpRequest) -> HttpResponse:
    workspaces = list(workspaces_for_user(request.user))
    if len(workspaces) == 1:
        return redirect("core:home", ws=workspaces[0].slug)
    return render(request, "core/picker.html", {"workspaces": workspaces})


def healthz(request: HttpRequest) -> HttpResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        return JsonResponse({"status": "database unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "500.html", status=500)


def media(request: HttpRequest, path: str) -> HttpResponseBase:
    """Uploaded item images. They are shared publicly by design (link cards), so no login is needed.

    ``django.views.static.serve`` refuses paths outside MEDIA_ROOT; large installs put a web server or
    object storage in front instead.
    """
    from django.conf import settings
    from django.views.static import serve

    response = serve(request, path, document_root=str(settings.MEDIA_ROOT))
    response["Cache-Control"] = "public, max-age=86400"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
