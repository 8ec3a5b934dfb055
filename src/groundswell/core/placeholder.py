"""Temporary placeholder view used while a page is being built."""

from django.http import HttpRequest, HttpResponse


def todo(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("Coming soon", status=501)
