"""allauth adapters: per-workspace identity providers, and "require SSO" for password sign-in.

* ``WorkspaceSocialAccountAdapter`` feeds allauth's socialaccount the apps built from each workspace's
  ``SsoConfig`` (``idp.list_apps``) instead of static settings, and applies ``linking.decide`` before
  anyone is logged in.
* ``SsoAccountAdapter`` is the invitation-only account adapter plus one rule: a member of a workspace that
  requires SSO cannot finish a password (or any non-SSO) sign-in.
"""

from __future__ import annotations

from typing import Any

from allauth.account.internal.stagekit import clear_login
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp, SocialLogin
from allauth.socialaccount.providers.base.constants import AuthProcess
from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from groundswell.sso import idp, linking
from groundswell.sso.models import SsoConfig
from groundswell.workspaces.adapter import InvitationOnlyAccountAdapter
from groundswell.workspaces.models import Membership, Role


def refusal(request: HttpRequest, reason: str, *, workspace: object = None, status: int = 403) -> HttpResponse:
    return render(request, "sso/refused.html", {"reason": reason, "sso_workspace": workspace}, status=status)


class WorkspaceSocialAccountAdapter(DefaultSocialAccountAdapter):
    def list_apps(
        self, request: HttpRequest, provider: str | None = None, client_id: str | None = None
    ) -> list[SocialApp]:
        return idp.list_apps(provider=provider, client_id=client_id)

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        config = idp.config_for_provider_id(sociallogin.provider.app.provider_id if sociallogin.provider.app else "")
        if config is None:  # the workspace turned SSO off in the middle of the sign-in
            raise ImmediateHttpResponse(
                refusal(request, "Single sign-on is not available for this workspace any more.")
            )
        if sociallogin.state.get("process", AuthProcess.LOGIN) != AuthProcess.LOGIN:
            # allauth's "connect another account" pages: an IdP identity is linked only by the rules of
            # linking.decide, never to whoever happens to be signed in.
            raise ImmediateHttpResponse(
                refusal(request, "Single sign-on identities cannot be connected by hand.", workspace=config.workspace)
            )
        try:
            decision = linking.decide(request, config, sociallogin)
        except linking.SsoRefused as exc:
            raise ImmediateHttpResponse(refusal(request, str(exc), workspace=config.workspace)) from None
        if decision.link_to is not None:
            sociallogin.connect(request, decision.link_to)

    def is_open_for_signup(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        # pre_social_login has refused everyone who may not get an account (no invitation, no JIT).
        return (
            idp.config_for_provider_id(sociallogin.provider.app.provider_id if sociallogin.provider.app else "")
            is not None
        )

    def on_authentication_error(
        self,
        request: HttpRequest,
        provider: Any,
        error: str | None = None,
        exception: Exception | None = None,
        extra_context: dict[str, Any] | None = None,
    ) -> None:
        """A failed hand-shake (bad SAML signature, state mismatch, IdP error) gets a page that says so."""
        details = (extra_context or {}).get("saml_last_error_reason") or ""
        app = getattr(provider, "app", None)
        config = idp.config_for_provider_id(app.provider_id) if app is not None else None
        workspace = config.workspace if config else None
        reason = "The identity provider's answer could not be verified, so you were not signed in."
        if error == "cancelled":
            reason = "Sign-in was cancelled at the identity provider."
        raise ImmediateHttpResponse(
            render(
                request,
                "sso/refused.html",
                {"reason": reason, "details": details, "sso_workspace": workspace},
                status=400,
            )
        )


def sso_required_workspace(user: AbstractBaseUser) -> SsoConfig | None:
    """The configuration of a workspace that requires ``user`` to sign in through its IdP (admins are exempt)."""
    member = (
        Membership.objects.filter(
            user_id=user.pk,
            is_active=True,
            workspace__sso_config__is_enabled=True,
            workspace__sso_config__require_sso=True,
        )
        .exclude(role=Role.ADMIN)
        .select_related("workspace__sso_config")
        .first()
    )
    return member.workspace.sso_config if member is not None else None


class SsoAccountAdapter(InvitationOnlyAccountAdapter):
    def pre_login(self, request: HttpRequest, user: AbstractBaseUser, **kwargs: Any) -> HttpResponse | None:
        response = super().pre_login(request, user, **kwargs)
        if response is not None:
            return response
        if (kwargs.get("signal_kwargs") or {}).get("sociallogin") is not None:
            return None
        config = sso_required_workspace(user)
        if config is None:
            return None
        clear_login(request)
        workspace = config.workspace
        return refusal(
            request,
            f"{workspace.name} requires single sign-on: sign in through your company's identity provider "
            "instead of with a password.",
            workspace=workspace,
        )
