""" "Require SSO", enforced per workspace when a member enters it (docs/adr/0024-…).

A workspace that requires single sign-on asks it of its own members on its own pages (``/w/<ws>/…``), not
at password sign-in: one workspace's rule must never lock a person out of another workspace (or out of the
account). A session that signed in, or confirmed, through the workspace's identity provider carries the
workspace's id (``mark``); ``workspaces.access.get_membership`` calls ``check_entry`` on every workspace page,
and ``SsoEntryMiddleware`` turns a missing mark into a redirect to the workspace's SSO page.

Program admins are exempt (ADR 0013: a broken IdP must not lock out the page where it is fixed), and a
membership awaiting acceptance imposes nothing: it is not active, so it opens no page at all.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from groundswell.workspaces.models import Membership, Role, Workspace

SESSION_KEY = "sso_workspace_ids"

_request: ContextVar[HttpRequest | None] = ContextVar("groundswell_sso_request", default=None)


class SsoSessionRequired(Exception):
    """The member must sign in through ``workspace``'s identity provider before entering it."""

    def __init__(self, workspace: Workspace) -> None:
        super().__init__(workspace.slug)
        self.workspace = workspace


def mark(request: HttpRequest, workspace_id: int) -> None:
    """This session signed in (or confirmed) through the identity provider of workspace ``workspace_id``."""
    ids = set(request.session.get(SESSION_KEY, []))
    ids.add(workspace_id)
    request.session[SESSION_KEY] = sorted(ids)


def forget(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)


def has_sso_session(request: HttpRequest, workspace_id: int) -> bool:
    return workspace_id in request.session.get(SESSION_KEY, [])


def check_entry(member: Membership) -> None:
    """Raise ``SsoSessionRequired`` when ``member`` may not open their workspace from the current request.

    ``member.workspace.sso_config`` should be loaded with the membership (``get_membership`` joins it), so this
    costs no query. Outside a request (tasks, shell) there is nothing to enforce.
    """
    request = _request.get()
    if request is None or member.role == Role.ADMIN or not member.is_active:
        return
    config = getattr(member.workspace, "sso_config", None)
    if config is None or not (config.is_enabled and config.require_sso):
        return
    if not has_sso_session(request, member.workspace_id):
        raise SsoSessionRequired(member.workspace)


class SsoEntryMiddleware:
    """Makes the request known to ``check_entry``, and answers ``SsoSessionRequired`` with the SSO page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, SsoSessionRequired):
            return None
        workspace = exception.workspace
        messages.info(
            request,
            f"{workspace.name} asks its members to sign in through its identity provider. "
            "Your other workspaces are not affected.",
        )
        return redirect("sso_workspace_login", ws=workspace.slug)
