"""Bearer-token authentication: ``Authorization: Bearer gs_<secret>``.

A token acts as the member who created it, with that member's current role. ``request.auth`` is the
``Membership``.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer

from groundswell.api.tokens import authenticate_token
from groundswell.workspaces.models import Membership


class TokenAuth(HttpBearer):
    openapi_description = (
        "A personal API token, created on the “API tokens” page of your workspace: "
        "`Authorization: Bearer gs_…`. The token acts as you, with your role."
    )

    def authenticate(self, request: HttpRequest, token: str) -> Membership | None:
        api_token = authenticate_token(token)
        if api_token is None:
            return None
        return api_token.member


def member_of(request: HttpRequest) -> Membership:
    """The authenticated member (set by ``TokenAuth``)."""
    member = request.auth  # type: ignore[attr-defined]
    assert isinstance(member, Membership)
    return member
