"""Accepting an invitation: the ``/invite/<token>/`` page and the glue to the authentication system.

How joining works, independent of how people authenticate:

1. ``accept`` (the link in the email) looks the token up. A signed-in person whose email matches joins at
   once; one signed in under another address confirms first (a POST), then joins with that account.
2. Anyone else gets the invitation *remembered in their session* (``remember``), and is sent to sign up
   (email prefilled and treated as verified, since the link proved they read that mailbox) or to log in
   when an account with that email already exists.
3. Whatever authenticates them afterwards calls ``join_pending(request, user)``. Today the allauth signals
   ``user_signed_up`` and ``user_logged_in`` do (connected in ``apps.py``); an SSO/OIDC/SAML backend added
   later only has to call ``join_pending`` once it has logged the person in (allauth's socialaccount
   sends the same ``user_logged_in`` signal, so it works without changes).

Sign-up itself is closed unless the session carries a usable invitation (see ``adapter.py``) or the install
sets ``GROUNDSWELL_OPEN_SIGNUP``.
"""

from __future__ import annotations

import logging
from typing import Any

from allauth.account.adapter import get_adapter
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from groundswell.workspaces import actions
from groundswell.workspaces.models import Invitation, Membership

log = logging.getLogger(__name__)

SESSION_ID = "invitation_id"
SESSION_HASH = "invitation_token_hash"


def remember(request: HttpRequest, invitation: Invitation) -> None:
    request.session[SESSION_ID] = invitation.pk
    request.session[SESSION_HASH] = invitation.token_hash


def forget(request: HttpRequest) -> None:
    request.session.pop(SESSION_ID, None)
    request.session.pop(SESSION_HASH, None)


def pending_invitation(request: HttpRequest) -> Invitation | None:
    """The usable invitation remembered in this session, if any."""
    session = getattr(request, "session", None)
    if session is None:
        return None
    pk, token_hash = session.get(SESSION_ID), session.get(SESSION_HASH)
    if not pk or not token_hash:
        return None
    invitation = Invitation.objects.select_related("workspace").filter(pk=pk, token_hash=token_hash).first()
    try:
        return actions.check_usable(invitation)
    except actions.InvitationUnusable:
        return None


def join_pending(request: HttpRequest, user: User) -> Membership | None:
    """Accept the invitation remembered in the session for ``user`` (who has just authenticated)."""
    invitation = pending_invitation(request)
    if invitation is None:
        forget(request)
        return None
    try:
        member = actions.accept_invitation(invitation, user)
    except actions.InvitationUnusable:
        forget(request)
        return None
    forget(request)
    messages.success(request, f"Welcome to {member.workspace.name}!")
    return member


def _invalid(request: HttpRequest, reason: str) -> HttpResponse:
    return render(request, "workspaces/invitation_invalid.html", {"reason": reason}, status=404)


def accept(request: HttpRequest, token: str) -> HttpResponse:
    """The accept link from the invitation email. Signed-in people join at once; others sign up or log in."""
    try:
        invitation = actions.find_invitation(token)
    except actions.InvitationUnusable as exc:
        return _invalid(request, exc.reason)
    workspace_home = reverse("core:home", kwargs={"ws": invitation.workspace.slug})
    if request.user.is_authenticated:
        user = request.user
        if user.email.lower() != invitation.email.lower() and request.method != "POST":
            # Signed in under another address: ask first, so nobody is made to join a workspace by a link.
            return render(request, "workspaces/invitation_confirm.html", {"invitation": invitation})
        member = actions.accept_invitation(invitation, user)
        forget(request)
        messages.success(request, f"Welcome to {member.workspace.name}!")
        return redirect(workspace_home)
    remember(request, invitation)
    get_adapter(request).stash_verified_email(request, invitation.email)
    exists = get_user_model().objects.filter(email__iexact=invitation.email).exists()
    target = "account_login" if exists else "account_signup"
    params: dict[str, Any] = {"next": workspace_home}
    if not exists:
        params["email"] = invitation.email
    return redirect(reverse(target) + "?" + urlencode(params))


def on_signed_up(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    join_pending(request, user)


def on_logged_in(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    join_pending(request, user)
