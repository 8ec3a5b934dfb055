"""Accepting an invitation: the ``/invite/<token>/`` page and the glue to the authentication system.

How joining works, independent of how people authenticate:

1. ``accept`` (the link in the email) looks the token up. A signed-in person is asked first and joins with
   a POST ("Join <workspace>"): an existing account is attached to a workspace only by its owner's explicit
   acceptance (ADR 0024), never by a link that a page could make their browser open.
2. Anyone else gets the invitation *remembered in their session* (``remember``), and is sent to sign up
   (email prefilled and treated as verified, since the link proved they read that mailbox) or to log in
   (and back to the invitation page) when an account with that email already exists.
3. Whatever authenticates them afterwards calls ``join_pending(request, user)``. Today the allauth signals
   ``user_signed_up`` and ``user_logged_in`` do (connected in ``apps.py``; allauth's socialaccount sends the
   same signals). It joins at once only an account that belongs to no other workspace (a new one, say);
   an account of another workspace keeps the invitation remembered and confirms on the invitation page.

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
    if actions.belongs_elsewhere(user, invitation.workspace):
        return None  # theirs to accept on the invitation page, with a POST (ADR 0024)
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
    """The accept link from the invitation email. Signed-in people confirm with a POST; others sign up or log in."""
    try:
        invitation = actions.find_invitation(token)
    except actions.InvitationUnusable as exc:
        used = Invitation.objects.filter(token_hash=Invitation.hash_token(token), accepted_at__isnull=False).first()
        if (
            used is not None
            and request.user.is_authenticated
            and used.email.lower() == request.user.email.lower()
            and Membership.objects.filter(
                workspace_id=used.workspace_id, user_id=request.user.pk, is_active=True
            ).exists()
        ):  # accepted by this person already (say, just now on signing in): take them in
            return redirect(reverse("core:home", kwargs={"ws": used.workspace.slug}))
        return _invalid(request, exc.reason)
    workspace_home = reverse("core:home", kwargs={"ws": invitation.workspace.slug})
    if request.user.is_authenticated:
        user = request.user
        if request.method != "POST":
            # Ask first, so nobody is made to join a workspace by a link (ADR 0024).
            return render(
                request,
                "workspaces/invitation_confirm.html",
                {"invitation": invitation, "other_address": user.email.lower() != invitation.email.lower()},
            )
        try:
            member = actions.accept_invitation(invitation, user)
        except actions.InvitationUnusable as exc:
            return _invalid(request, exc.reason)
        forget(request)
        messages.success(request, f"Welcome to {member.workspace.name}!")
        return redirect(workspace_home)
    remember(request, invitation)
    get_adapter(request).stash_verified_email(request, invitation.email)
    exists = get_user_model().objects.filter(email__iexact=invitation.email).exists()
    if exists:  # back here once signed in, to confirm
        return redirect(reverse("account_login") + "?" + urlencode({"next": request.path}))
    params: dict[str, Any] = {"next": workspace_home, "email": invitation.email}
    return redirect(reverse("account_signup") + "?" + urlencode(params))


def on_signed_up(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    join_pending(request, user)


def on_logged_in(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    join_pending(request, user)
