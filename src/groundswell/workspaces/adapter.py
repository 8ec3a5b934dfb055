"""allauth adapter: sign-up is by invitation (or open, when the install allows self-service workspaces).

Authentication stays pluggable: this adapter only decides *whether* someone may sign up and *where* they
land afterwards. Joining a workspace is done by ``invitations.join_pending`` (see that module's docstring),
which any future SSO backend can call the same way.
"""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from groundswell.workspaces.access import workspaces_for_user


class InvitationOnlyAccountAdapter(DefaultAccountAdapter):
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
