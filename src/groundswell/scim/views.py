"""The SCIM 2.0 protocol endpoints (RFC 7644) under /scim/v2/, for Okta, Microsoft Entra ID and others.

A bearer token (``ScimToken``) decides the workspace: every lookup is limited to it, so an id of another
workspace answers 404 like an id that does not exist. Views parse the request, call ``scim.actions`` and
answer ``application/scim+json``; bad input gets a SCIM Error message (never an HTML page or a 500).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.core.cache import cache
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from groundswell.scim import actions, discovery
from groundswell.scim.errors import ScimError, invalid_filter, invalid_syntax, invalid_value, not_found
from groundswell.scim.filters import ENTERPRISE_USER, compile_filter, normalise_attribute, parse_filter
from groundswell.scim.models import ScimToken
from groundswell.scim.payloads import (
    group_changes_from_body,
    group_changes_from_patch,
    parse_patch,
    user_changes_from_body,
    user_changes_from_patch,
)
from groundswell.scim.resources import (
    DEFAULT_PAGE,
    ENTERPRISE_SCHEMA,
    GROUP_FILTERS,
    LIST_SCHEMA,
    MAX_PAGE,
    USER_FILTERS,
    find_group,
    find_user,
    group_location,
    group_members,
    group_resource,
    groups,
    user_location,
    user_resource,
    users,
)

CONTENT_TYPE = "application/scim+json"
#: Per token. Okta and Entra ID stay far below this; it stops a runaway script, not a determined attacker.
REQUESTS_PER_MINUTE = 1200
MAX_START = 10**9  # beyond any workspace; keeps the SQL OFFSET in range
ScimView = Callable[..., HttpResponse]


def scim_response(data: object, status: int = 200, location: str = "") -> HttpResponse:
    response = HttpResponse(json.dumps(data), status=status, content_type=CONTENT_TYPE)
    if location:
        response["Location"] = location
    return response


def error_response(error: ScimError) -> HttpResponse:
    response = scim_response(error.as_json(), status=error.status)
    if error.status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="scim"'
    elif error.status == 429:
        response["Retry-After"] = str(60 - int(time.time()) % 60)
    return response


def _token(request: HttpRequest) -> ScimToken:
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    token = actions.authenticate(secret) if scheme.lower() == "bearer" else None
    if token is None:
        raise ScimError(401, "Send a valid SCIM token of your workspace: Authorization: Bearer gss_…")
    if not _within_rate(token):
        raise ScimError(429, f"More than {REQUESTS_PER_MINUTE} requests in a minute with this token: slow down.")
    return token


def _window() -> int:
    """The current one-minute rate-limit window (tests move it without moving the cache's clock)."""
    return int(time.time() // 60)


def _within_rate(token: ScimToken) -> bool:
    """A fixed one-minute window per token, counted in the shared cache (a database table, or Redis)."""
    key = f"scim-rate:{token.token_hash[:20]}:{_window()}"
    if cache.add(key, 1, timeout=120):
        return True
    try:
        return cache.incr(key) <= REQUESTS_PER_MINUTE
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=120)
        return True


def scim_view(*methods: str) -> Callable[[ScimView], ScimView]:
    """Authenticate the token, allow ``methods``, and turn every ``ScimError`` into a SCIM Error answer."""

    def decorator(view: ScimView) -> ScimView:
        @csrf_exempt
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                token = _token(request)
                if request.method not in methods:
                    response = error_response(ScimError(405, f"Use {', '.join(methods)} here."))
                    response["Allow"] = ", ".join(methods)
                    return response
                return view(request, token, *args, **kwargs)
            except ScimError as error:
                return error_response(error)
            except RecursionError:  # a body nested deeper than anything below can walk
                return error_response(invalid_syntax("The body is nested too deeply."))

        return wrapper

    return decorator


def _body(request: HttpRequest) -> Any:
    content_type = request.content_type or ""
    if content_type not in ("application/scim+json", "application/json"):
        raise ScimError(415, "Send the body as application/scim+json.")
    try:
        return json.loads(request.body or b"null")
    except RequestDataTooBig:
        raise ScimError(413, "The request body is too large.") from None
    except (ValueError, UnicodeDecodeError):
        raise invalid_syntax("The body is not valid JSON.") from None
    except RecursionError:
        raise invalid_syntax("The body is nested too deeply.") from None


@dataclass
class Query:
    filter: str
    start: int
    count: int
    projection: Projection


def _whole_number(value: object, name: str, default: int) -> int:
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        raise invalid_value(f"{name} must be a whole number.")
    try:
        return int(str(value))
    except ValueError:
        raise invalid_value(f"{name} must be a whole number.") from None


def _query(params: Any) -> Query:
    return Query(
        filter=str(params.get("filter") or ""),
        start=min(max(_whole_number(params.get("startIndex"), "startIndex", 1), 1), MAX_START),
        count=min(max(_whole_number(params.get("count"), "count", DEFAULT_PAGE), 0), MAX_PAGE),
        projection=Projection(_joined(params.get("attributes")), _joined(params.get("excludedAttributes"))),
    )


def _joined(value: object) -> str:
    """``attributes`` is a comma-separated string in a URL and a list of strings in a SearchRequest."""
    if value is None:
        return ""
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ",".join(value)
    if isinstance(value, str):
        return value
    raise invalid_value("attributes and excludedAttributes must be lists of attribute names.")


def _search_body(data: object) -> Query:
    if not isinstance(data, dict):
        raise invalid_syntax("Send a SearchRequest object.")
    if not isinstance(data.get("filter") or "", str):
        raise invalid_filter("filter must be a string.")
    return _query(data)


def _attribute_list(value: str) -> list[str]:
    return [normalise_attribute(a.strip()) for a in value.split(",") if a.strip()]


class Projection:
    """``attributes`` / ``excludedAttributes`` (RFC 7644 §3.4.2.5), on top-level and extension attributes."""

    ALWAYS = {"id", "schemas", "meta"}

    def __init__(self, attributes: str = "", excluded: str = "") -> None:
        self.only = _attribute_list(attributes)
        self.excluded = _attribute_list(excluded)

    @classmethod
    def of(cls, request: HttpRequest) -> Projection:
        return cls(request.GET.get("attributes", ""), request.GET.get("excludedAttributes", ""))

    def wants(self, attribute: str) -> bool:
        if attribute in self.excluded:
            return False
        return not self.only or any(a == attribute or a.startswith(attribute + ".") for a in self.only)

    def apply(self, resource: dict[str, Any]) -> dict[str, Any]:
        if not self.only and not self.excluded:
            return resource
        out: dict[str, Any] = {}
        for key, value in resource.items():
            if key == ENTERPRISE_SCHEMA:
                kept = {k: v for k, v in value.items() if self._wants_extension(k)}
                if kept:
                    out[key] = kept
            elif key in self.ALWAYS or self.wants(key.lower()):
                out[key] = value
        return out

    def _wants_extension(self, key: str) -> bool:
        name = "enterprise:" + key.lower()
        if name in self.excluded or ENTERPRISE_USER in self.excluded:
            return False
        return not self.only or ENTERPRISE_USER in self.only or any(a.split(".")[0] == name for a in self.only)


def _list(resources: list[dict[str, Any]], total: int, start: int) -> HttpResponse:
    return scim_response(
        {
            "schemas": [LIST_SCHEMA],
            "totalResults": total,
            "startIndex": start,
            "itemsPerPage": len(resources),
            "Resources": resources,
        }
    )


# --- Discovery ------------------------------------------------------------------------------------


@scim_view("GET")
def root(request: HttpRequest, token: ScimToken) -> HttpResponse:
    raise not_found("endpoint: use /Users, /Groups, /ServiceProviderConfig, /ResourceTypes or /Schemas")


@scim_view("POST")
def search_everything(request: HttpRequest, token: ScimToken) -> HttpResponse:
    raise ScimError(501, "Search one resource type at a time: POST /Users/.search or /Groups/.search.")


@scim_view("GET", "POST", "PUT", "PATCH", "DELETE")
def unknown(request: HttpRequest, token: ScimToken) -> HttpResponse:
    raise not_found("endpoint: use /Users, /Groups, /ServiceProviderConfig, /ResourceTypes or /Schemas")


@scim_view("GET")
def service_provider_config(request: HttpRequest, token: ScimToken) -> HttpResponse:
    return scim_response(discovery.service_provider_config())


@scim_view("GET")
def resource_types(request: HttpRequest, token: ScimToken) -> HttpResponse:
    found = discovery.resource_types()
    return _list(found, len(found), 1)


@scim_view("GET")
def resource_type(request: HttpRequest, token: ScimToken, name: str) -> HttpResponse:
    for found in discovery.resource_types():
        if found["id"] == name:
            return scim_response(found)
    raise not_found("resource type")


@scim_view("GET")
def schemas(request: HttpRequest, token: ScimToken) -> HttpResponse:
    found = discovery.schemas()
    return _list(found, len(found), 1)


@scim_view("GET")
def schema(request: HttpRequest, token: ScimToken, schema_id: str) -> HttpResponse:
    for found in discovery.schemas():
        if found["id"] == schema_id:
            return scim_response(found)
    raise not_found("schema")


# --- Users ----------------------------------------------------------------------------------------


@scim_view("GET", "POST")
def user_list(request: HttpRequest, token: ScimToken) -> HttpResponse:
    workspace = token.workspace
    if request.method == "POST":
        member = actions.create_user(token, user_changes_from_body(_body(request), replace=False))
        member = find_user(workspace, str(member.pk))
        return scim_response(user_resource(member), status=201, location=user_location(member))
    return _user_page(token, _query(request.GET))


@scim_view("POST")
def user_search(request: HttpRequest, token: ScimToken) -> HttpResponse:
    """POST /Users/.search (RFC 7644 §3.4.3): the query parameters in a SearchRequest body."""
    return _user_page(token, _search_body(_body(request)))


def _user_page(token: ScimToken, query: Query) -> HttpResponse:
    queryset = users(token.workspace)
    if query.filter:
        queryset = queryset.filter(compile_filter(parse_filter(query.filter), USER_FILTERS))
    total = queryset.count()
    page = list(queryset[query.start - 1 : query.start - 1 + query.count]) if query.count else []
    return _list([query.projection.apply(user_resource(m)) for m in page], total, query.start)


@scim_view("GET", "PUT", "PATCH", "DELETE")
def user_detail(request: HttpRequest, token: ScimToken, user_id: str) -> HttpResponse:
    workspace = token.workspace
    member = find_user(workspace, user_id)
    if request.method == "DELETE":
        actions.deactivate_user(token, member)
        return HttpResponse(status=204)
    if request.method == "PUT":
        actions.update_user(token, member, user_changes_from_body(_body(request), replace=True))
    elif request.method == "PATCH":
        actions.update_user(token, member, user_changes_from_patch(parse_patch(_body(request))))
    member = find_user(workspace, user_id)
    return scim_response(Projection.of(request).apply(user_resource(member)), location=user_location(member))


# --- Groups ---------------------------------------------------------------------------------------


@scim_view("GET", "POST")
def group_list(request: HttpRequest, token: ScimToken) -> HttpResponse:
    workspace = token.workspace
    if request.method == "POST":
        department = actions.create_group(token, group_changes_from_body(_body(request)))
        department = find_group(workspace, str(department.pk))
        return scim_response(
            group_resource(department, group_members([department])[department.pk]),
            status=201,
            location=group_location(department),
        )
    return _group_page(token, _query(request.GET))


@scim_view("POST")
def group_search(request: HttpRequest, token: ScimToken) -> HttpResponse:
    return _group_page(token, _search_body(_body(request)))


def _group_page(token: ScimToken, query: Query) -> HttpResponse:
    queryset = groups(token.workspace)
    if query.filter:
        queryset = queryset.filter(compile_filter(parse_filter(query.filter), GROUP_FILTERS))
    total = queryset.count()
    page = list(queryset[query.start - 1 : query.start - 1 + query.count]) if query.count else []
    by_group = group_members(page) if query.projection.wants("members") else {}
    resources = [query.projection.apply(group_resource(d, by_group.get(d.pk))) for d in page]
    return _list(resources, total, query.start)


@scim_view("GET", "PUT", "PATCH", "DELETE")
def group_detail(request: HttpRequest, token: ScimToken, group_id: str) -> HttpResponse:
    workspace = token.workspace
    department = find_group(workspace, group_id)
    if request.method == "DELETE":
        actions.delete_group(token, department)
        return HttpResponse(status=204)
    if request.method == "PUT":
        actions.update_group(token, department, group_changes_from_body(_body(request)))
    elif request.method == "PATCH":
        actions.update_group(token, department, group_changes_from_patch(parse_patch(_body(request))))
        if not request.GET.get("attributes"):
            return HttpResponse(status=204)  # Entra and Okta expect no body; RFC 7644 §3.5.2 allows it
    department = find_group(workspace, group_id)
    projection = Projection.of(request)
    members = group_members([department])[department.pk] if projection.wants("members") else None
    return scim_response(projection.apply(group_resource(department, members)), location=group_location(department))
