"""allauth adapter: sign-up is by invitation (or open, when the install allows self-service workspaces).

Authentication stays pluggable: this adapter only decides *whether* someone may sign up and *where* they
land afterwards. Joining a workspace is done by ``invitations.join_pending`` (see that module's docstring),
which any future SSO backend can call the same way.
"""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest, HttpResponse
from django.urls import NoReverseMatch, reverse

from groundswell.workspaces import login_throttle
from groundswell.workspaces.access import workspaces_for_user


class InvitationOnlyAccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "too_many_login_attempts": (
            "Too many failed sign-in attempts. Wait five minutes and try again, sign in from a browser you "
            "have signed in with before, or reset your password by e-mail."
        ),
    }

    # --- Sign-in throttling (workspaces/login_throttle.py, ADR 0026) -----------------------------------

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        """Refuse before checking the password when this place (or device) has failed too often."""
        login = str(credentials.get("email", credentials.get("username", "")))
        self._login_failed_rl_usage = login_throttle.consume_attempt(request, login)
        if not self._login_failed_rl_usage:
            raise self.validation_error("too_many_login_attempts")

    def _delete_login_attempts_cached_email(self, request: HttpRequest, **credentials: Any) -> None:
        login_throttle.clear_account(request, str(credentials.get("email", credentials.get("username", ""))))

    def post_login(self, request: HttpRequest, user: AbstractBaseUser, **kwargs: Any) -> HttpResponse:
        response: HttpResponse = super().post_login(request, user, **kwargs)
        login_throttle.remember_device(request, response, str(getattr(user, "email", "") or ""))
        return response

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        from groundswell.workspaces.invitations import pending_invitation

        if settings.GROUNDSWELL_OPEN_SIGNUP:
            return True
        return pending_invitation(request) is not None

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        """After login without ``?next=``: the invited workspace, else the front door (which picks one)."""
        from groundswell.workspaces.invitations import pending_invitation

        invitation = pending_invitation(request)
        if invitation is not None and workspaces_for_user(request.user).filter(pk=invitation.workspace_id).exists():
            return reverse("core:home", kwargs={"ws": invitation.workspace.slug})
        if settings.GROUNDSWELL_OPEN_SIGNUP and not workspaces_for_user(request.user).exists():
            try:
                return reverse("start_workspace")
            except NoReverseMatch:
                pass
        return reverse("index")

    def get_signup_redirect_url(self, request: HttpRequest) -> str:
        return self.get_login_redirect_url(request)
