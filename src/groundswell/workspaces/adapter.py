"""allauth adapter: sign-up is by invitation (or open, when the install allows self-service workspaces)."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.http import HttpRequest


class InvitationOnlyAccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        if settings.GROUNDSWELL_OPEN_SIGNUP:
            return True
        return bool(request.session.get("invitation_id"))
