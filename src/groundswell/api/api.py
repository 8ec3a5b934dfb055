"""The REST API at /api/: token-authenticated JSON, documented at /api/docs (OpenAPI 3 at /api/openapi.json).

Every error is JSON ``{"detail": "...", "errors": [...]?}`` — also for unknown paths (404), wrong methods
(405) and unexpected failures (500) — never an HTML page.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern, URLResolver, path, re_path
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from groundswell.api.auth import TokenAuth
from groundswell.api.endpoints import community, enrolment, items, shares, stats, teams

log = logging.getLogger(__name__)

DESCRIPTION = """\
The Groundswell REST API: read the content hub, share items with tracked links, and read statistics,
the leaderboard and program goals.

**Authentication.** Create a personal token on the *API tokens* page of your workspace and send it as
`Authorization: Bearer gs_…`. A token acts as you, with your role; revoke it there when you no longer need it.

**Errors** are JSON: `{"detail": "what went wrong"}`, plus `errors` (a list of field errors with `loc`,
`msg` and `type`) for validation failures (422). 400: the request cannot be read (a body that is not JSON,
text with control characters). 401: missing, unknown or revoked token. 403: your role does not allow it.
404: no such object in your workspace.

**Pagination.** List endpoints take `limit` (at most 100) and `offset` and return `total`.
"""


def _json_error(status: int, detail: str, **extra: Any) -> JsonResponse:
    return JsonResponse({"detail": detail, **extra}, status=status)


class GroundswellAPI(NinjaAPI):
    """NinjaAPI whose URL patterns answer in JSON also where ninja itself would not."""

    def _get_urls(self) -> list[URLResolver | URLPattern]:
        patterns = []
        for pattern in super()._get_urls():
            if isinstance(pattern, URLPattern) and pattern.name == "api-root":
                pattern = path("", api_root, name="api-root")
            elif isinstance(pattern, URLPattern):
                pattern.callback = _json_fallbacks(pattern.callback)
            patterns.append(pattern)
        patterns.append(re_path(r"^.*$", unknown_path, name="unknown"))
        return patterns


def _json_fallbacks(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Turn ninja's plain-text 405 (and any stray Http404) into JSON."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            return _json_error(404, "Not found.")
        if response.status_code == 405 and "json" not in response.get("Content-Type", ""):
            allowed = response.get("Allow", "")
            json_response = _json_error(405, f"Method {request.method} not allowed here. Allowed: {allowed}.")
            json_response["Allow"] = allowed
            return json_response
        return response

    return csrf_exempt(wrapper)


@csrf_exempt
def api_root(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"detail": "Groundswell API", "docs": "/api/docs", "openapi": "/api/openapi.json"})


@csrf_exempt
def unknown_path(request: HttpRequest) -> JsonResponse:
    return _json_error(404, f"No API endpoint at {request.path}. See /api/docs for the list.")


api = GroundswellAPI(
    title="Groundswell API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
    auth=TokenAuth(),
)
api.add_router("", items.router)
api.add_router("", shares.router)
api.add_router("", stats.router)
api.add_router("", community.router)
api.add_router("", enrolment.router)
api.add_router("", teams.router)


def _field_error(error: dict[str, Any]) -> dict[str, Any]:
    return {
        # ninja nests the body under the parameter's name ("payload"): leave that out.
        "loc": [part if isinstance(part, int) else str(part) for part in error.get("loc", ()) if part != "payload"],
        "msg": str(error.get("msg", "Invalid value")).removeprefix("Value error, "),
        "type": str(error.get("type", "value_error")),
    }


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [_field_error(e) for e in exc.errors]
    summary = "; ".join(
        f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" if e["loc"] else e["msg"] for e in errors[:5]
    )
    return api.create_response(request, {"detail": f"Invalid request: {summary}", "errors": errors}, status=422)


@api.exception_handler(AuthenticationError)
def on_authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = api.create_response(
        request,
        {"detail": "Authentication required: send a valid, unrevoked API token as `Authorization: Bearer gs_…`."},
        status=401,
    )
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return api.create_response(request, {"detail": exc.message}, status=exc.status_code)


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": "Not found."}, status=404)


@api.exception_handler(Exception)
def on_unexpected_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    log.exception("API error on %s %s", request.method, request.path, exc_info=exc)
    return api.create_response(request, {"detail": "Internal server error."}, status=500)
