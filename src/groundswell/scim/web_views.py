"""The admin's "SCIM provisioning" page: the base URL, the workspace's tokens (create, revoke) and the log of
every change the identity provider made."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from groundswell.scim import actions
from groundswell.scim.models import ScimEvent, ScimToken
from groundswell.scim.resources import base_url
from groundswell.workspaces.access import allow_methods, get_for_workspace, get_membership, require_role
from groundswell.workspaces.models import Membership, Role

EVENTS_PER_PAGE = 50


def _page(
    request: HttpRequest, member: Membership, *, secret: str = "", error: str = "", name: str = "", status: int = 200
) -> HttpResponse:
    workspace = member.workspace
    tokens = (
        ScimToken.objects.filter(workspace=workspace)
        .select_related("created_by")
        .order_by(F("revoked_at").desc(nulls_first=True), "-created_at")
    )
    events = Paginator(
        ScimEvent.objects.filter(workspace=workspace).select_related("member").order_by("-created_at", "-pk"),
        EVENTS_PER_PAGE,
    ).get_page(request.GET.get("page"))
    context = {
        "workspace": workspace,
        "member": member,
        "nav": "people",
        "tokens": tokens,
        "events": events,
        "secret": secret,
        "error": error,
        "name": name,
        "base_url": base_url() + "/",
        "max_name_length": actions.MAX_NAME_LENGTH,
    }
    return render(request, "scim/tokens.html", context, status=status)


@login_required
@never_cache
@allow_methods("GET")
def token_list(request: HttpRequest, ws: str) -> HttpResponse:
    member = get_membership(request.user, ws)
    require_role(member, Role.ADMIN)
    return _page(request, member)


@login_required
@never_cache
@allow_methods("POST")
def token_create(request: HttpRequest, ws: str) -> HttpResponse:
    """Create a token and show its secret on this response only (never stored, never redirected through)."""
    member = get_membership(request.user, ws)
    require_role(member, Role.ADMIN)
    name = request.POST.get("name", "")
    try:
        _, secret = actions.create_token(member.workspace, by=member, name=name)
    except actions.TokenError as exc:
        return _page(request, member, error=str(exc), name=name[: actions.MAX_NAME_LENGTH], status=400)
    return _page(request, member, secret=secret)


@login_required
@allow_methods("POST")
def token_revoke(request: HttpRequest, ws: str, scim_token_id: int) -> HttpResponse:
    member = get_membership(request.user, ws)
    require_role(member, Role.ADMIN)
    token = get_for_workspace(ScimToken.objects.all(), member.workspace, pk=scim_token_id)
    if actions.revoke_token(token):
        messages.success(request, f"SCIM token “{token.name}” revoked. Your identity provider can no longer use it.")
    return redirect("scim_admin:list", ws=member.workspace.slug)
