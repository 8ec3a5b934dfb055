"""After a sign-in: the session is marked for the workspace whose IdP signed the person in (its "require
SSO", ``enforcement.py``), and just-in-time provisioning (``user_logged_in`` carries the ``sociallogin``).

The invitation flow's own receiver (workspaces/invitations.py ``on_logged_in``) is connected first, so a
pending invitation is accepted before we look; provisioning then finds the membership and does nothing.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.http import HttpRequest

from groundswell.sso import actions, enforcement, idp, linking


def on_logged_in(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    sociallogin = kwargs.get("sociallogin")
    if sociallogin is None or sociallogin.provider.app is None:
        enforcement.forget(request)  # a password sign-in proves nothing to a workspace that requires SSO
        return
    config = idp.config_for_provider_id(sociallogin.provider.app.provider_id)
    if config is None:
        return
    enforcement.mark(request, config.workspace_id)
    if not config.jit_provisioning:
        return
    name, department = linking.profile_claims(config, sociallogin)
    actions.provision_member(config, user, name=name, department=department)
