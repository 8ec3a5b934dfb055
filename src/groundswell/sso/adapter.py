"""allauth adapters: per-workspace identity providers, and "require SSO" for password sign-in.

* ``WorkspaceSocialAccountAdapter`` feeds allauth's socialaccount the apps built from each workspace's
  ``SsoConfig`` (``idp.list_apps``) instead of static settings, and applies ``linking.decide`` before
  anyone is logged in.
* ``SsoAccountAdapter`` is the invitation-only account adapter. "Require SSO" is enforced per workspace when
  it is entered (``enforcement.py``), so one workspace can never refuse a password sign-in to the others.
"""

from __future__ import annotations

from typing import Any

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp, SocialLogin
from allauth.socialaccount.providers.base.constants import AuthProcess
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from groundswell.sso import enforcement, idp, linking
from groundswell.workspaces.adapter import InvitationOnlyAccountAdapter


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
        if linking.confirms_signed_in_member(request, config, sociallogin):
            # Someone signed in already (with their password, say) proves to a workspace that requires SSO
            # that its IdP knows them: the session is marked for that workspace, nothing is linked, and the
            # IdP gains no power to sign anyone in (ADR 0024).
            enforcement.mark(request, config.workspace_id)
            raise ImmediateHttpResponse(redirect("core:home", ws=config.workspace.slug))
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


class SsoAccountAdapter(InvitationOnlyAccountAdapter):
    """The invitation-only account adapter. "Require SSO" is not checked here: it applies to one workspace,
    when it is entered (``enforcement.check_entry``), never to password sign-in as a whole (ADR 0024)."""
