"""Access-checked lookups. Every view and API endpoint fetches objects through these.

A member of another workspace (or a stranger) gets ``Http404`` — never 403 — so the existence of another
company's objects is not revealed.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed

from groundswell.workspaces.models import Membership, Role, Workspace

M = TypeVar("M", bound=models.Model)
ViewFunc = TypeVar("ViewFunc", bound=Callable[..., HttpResponse])


def get_membership(user: AbstractBaseUser | AnonymousUser, workspace_slug: str) -> Membership:
    """The active membership of ``user`` in the workspace with ``workspace_slug``, or 404.

    Entering a workspace that requires single sign-on without having signed in through its identity provider
    raises ``sso.enforcement.SsoSessionRequired`` (answered with a redirect to its SSO page, ADR 0024).
    """
    from groundswell.sso.enforcement import check_entry

    if not user.is_authenticated:
        raise Http404("No such workspace")
    try:
        member = Membership.objects.select_related(
            "workspace", "workspace__sso_config", "user", "department", "location"
        ).get(workspace__slug=workspace_slug, user_id=user.pk, is_active=True)
    except Membership.DoesNotExist:
        raise Http404("No such workspace") from None
    check_entry(member)
    return member


def require_role(member: Membership, *roles: str) -> None:
    """404 unless the member has one of ``roles`` (admins always pass)."""
    if member.role != Role.ADMIN and member.role not in roles:
        raise Http404("Not found")


def get_for_workspace(queryset: models.QuerySet[M], workspace: Workspace, **lookup: object) -> M:
    """One object of ``queryset`` that belongs to ``workspace``, or 404."""
    try:
        return queryset.get(workspace=workspace, **lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError):  # type: ignore[attr-defined]
        raise Http404("Not found") from None


def workspaces_for_user(user: AbstractBaseUser | AnonymousUser) -> models.QuerySet[Workspace]:
    if not user.is_authenticated:
        return Workspace.objects.none()
    return Workspace.objects.filter(memberships__user_id=user.pk, memberships__is_active=True).distinct()


def allow_methods(*methods: str) -> Callable[[ViewFunc], ViewFunc]:
    """Like ``require_http_methods``, but an outsider gets 404 before learning which methods a page takes.

    For a workspace page (``ws`` in the URL) asked with another method, membership is checked first;
    only a member gets the 405.
    """

    def decorator(view: ViewFunc) -> ViewFunc:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method not in methods:
                ws = kwargs.get("ws")
                if isinstance(ws, str):
                    get_membership(request.user, ws)
                return HttpResponseNotAllowed(list(methods))
            return view(request, *args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator
