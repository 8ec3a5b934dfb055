from django.http import HttpRequest, HttpResponse

from groundswell.core.placeholder import todo


def follow(request: HttpRequest, code: str) -> HttpResponse:
    return todo(request)
