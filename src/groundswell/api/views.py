"""The "API tokens" page: list my tokens, create one (its secret shown once), revoke one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from groundswell.api.tokens import MAX_NAME_LENGTH, TokenError, create_token, revoke_token
from groundswell.workspaces.access import allow_methods, get_membership
from groundswell.workspaces.models import ApiToken, Membership


def _page(
    request: HttpRequest, member: Membership, *, secret: str = "", error: str = "", name: str = "", status: int = 200
) -> HttpResponse:
    # Active tokens first (NULL revoked_at), then the most recently revoked; same order on SQLite and PostgreSQL.
    tokens = ApiToken.objects.filter(member=member).order_by(F("revoked_at").desc(nulls_first=True), "-created_at")
    context = {
        "workspace": member.workspace,
        "member": member,
        "nav": "tokens",
        "tokens": tokens,
        "secret": secret,
        "error": error,
        "name": name,
        "max_name_length": MAX_NAME_LENGTH,
    }
    return render(request, "api/tokens.html", context, status=status)


@login_required
@never_cache
@allow_methods("GET")
def token_list(request: HttpRequest, ws: str) -> HttpResponse:
    member = get_membership(request.user, ws)
    return _page(request, member)


@login_required
@never_cache
@allow_methods("POST")
def token_create(request: HttpRequest, ws: str) -> HttpResponse:
    """Create a token and show its secret on this response only (never stored, never redirected through)."""
    member = get_membership(request.user, ws)
    name = request.POST.get("name", "")
    try:
        _, secret = create_token(member, name)
    except TokenError as exc:
        return _page(request, member, error=str(exc), name=name[:MAX_NAME_LENGTH], status=400)
    return _page(request, member, secret=secret)


@login_required
@allow_methods("POST")
def token_revoke(request: HttpRequest, ws: str, token_id: int) -> HttpResponse:
    member = get_membership(request.user, ws)
    token = ApiToken.objects.filter(member=member, pk=token_id).first()
    if token is None:
        raise Http404("No such token")
    if revoke_token(token):
        messages.success(request, f"Token “{token.name}” revoked. Requests that use it now fail.")
    return redirect("apitokens:list", ws=member.workspace.slug)
