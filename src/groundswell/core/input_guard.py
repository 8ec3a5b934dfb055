"""Refuse control characters at the edge: query strings, form bodies and JSON bodies (lib/text.py).

Without this, a NUL byte (``?network=a%00b``, a caption, a token name) reaches PostgreSQL and the request
is a 500. The answer is a 400 in the format of the part of the site that was asked: JSON ``{"detail"}``
for the API, a SCIM Error (``invalidValue``) for SCIM, an HTML page for everything else. Bodies that are not
valid JSON, too large, or malformed forms are left to the view, which answers them in its own way; JSON
nested too deeply to read is refused here (``RecursionError`` would be a 500 below).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render

from groundswell.lib.text import control_message, first_control
from groundswell.scim.errors import ERROR_SCHEMA

JSON_TYPES = ("application/json", "application/scim+json")
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class ControlCharacterMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        problem = _problem(request)
        if problem is not None:
            return _refuse(request, problem)
        return self.get_response(request)


def _problem(request: HttpRequest) -> str | None:
    code = first_control(request.path, allow_whitespace=False)
    if code:
        return control_message("The address", code)
    for key, value in _pairs(request.GET):
        code = first_control(key + value, allow_whitespace=False)
        if code:
            return control_message(f"The query parameter “{_shown(key)}”", code)
    content_type = request.content_type or ""
    if request.method in ("GET", "HEAD", "OPTIONS") or not (
        content_type in JSON_TYPES or content_type.endswith("+json") or content_type in FORM_TYPES
    ):
        return None
    try:
        if content_type in FORM_TYPES:
            data = request.POST if request.method == "POST" else QueryDict(request.body)
            for key, value in _pairs(data):
                code = first_control(key + value)
                if code:
                    return control_message(f"The field “{_shown(key)}”", code)
            return None
        body = request.body
    except (RequestDataTooBig, TooManyFieldsSent, MultiPartParserError, SuspiciousOperation, UnicodeDecodeError):
        return None  # the view answers these in its own format
    if not body:
        return None
    try:
        document = json.loads(body)
    except RecursionError:
        return "The JSON body is nested too deeply to read."
    except ValueError:
        return None
    for where, text in _strings(document):
        code = first_control(text)
        if code:
            return control_message(f"The value at “{_shown(where)}”" if where else "The body", code)
    return None


def _pairs(data: QueryDict) -> Iterator[tuple[str, str]]:
    for key, values in data.lists():
        for value in values:
            yield key, value if isinstance(value, str) else ""


def _strings(document: Any) -> Iterator[tuple[str, str]]:
    """Every key and string value in a JSON document with where it is (``Operations[0].value``), without
    recursion (the document may be nearly as deep as json.loads allows)."""
    stack: list[tuple[str, Any]] = [("", document)]
    while stack:
        where, value = stack.pop()
        if isinstance(value, str):
            yield where, value
        elif isinstance(value, dict):
            for key, item in value.items():
                inner = f"{where}.{key}" if where else str(key)
                yield inner, str(key)
                stack.append((inner, item))
        elif isinstance(value, list):
            stack.extend((f"{where}[{i}]", item) for i, item in enumerate(value))


def _shown(name: str) -> str:
    """A field name fit to show: its control characters as ``?``, at most 60 characters."""
    cleaned = "".join("?" if ord(c) < 32 or ord(c) == 127 else c for c in name)
    return cleaned if len(cleaned) <= 60 else cleaned[:59] + "…"


def _refuse(request: HttpRequest, detail: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": detail}, status=400)
    if request.path.startswith("/scim/"):
        body = {"schemas": [ERROR_SCHEMA], "status": "400", "scimType": "invalidValue", "detail": detail}
        if detail.startswith("The JSON body is nested"):
            body["scimType"] = "invalidSyntax"
        return HttpResponse(json.dumps(body), status=400, content_type="application/scim+json")
    return render(request, "400.html", {"message": detail}, status=400)
