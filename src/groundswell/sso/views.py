"""Single sign-on pages.

* ``settings`` (``/w/<ws>/sso/``): the program admin configures the workspace's identity provider.
* ``start`` (``/sso/``): "Sign in with SSO" — the person enters their work email and is told to check it: when
  a workspace claimed the domain, the mailbox gets the link to that workspace's sign-in page. The page answers
  the same for every domain, so it reveals no workspace's domains (ADR 0024).
* ``workspace_login`` (``/w/<ws>/sso/login/``): the same for a known workspace (a bookmark for employees).
  It is a public sign-in page, so it lives outside the member-only ``/w/<ws>/`` patterns (public_urls.py);
  a workspace without SSO gets a 404 there, like an unknown one.

Both sign-in pages start the flow on POST only (a GET shows a button), so a link cannot push someone into a
sign-in, matching allauth's own ``SOCIALACCOUNT_LOGIN_ON_GET = False``.
"""

from __future__ import annotations

import logging

import requests
from allauth.socialaccount.models import SocialAccount
from allauth.socialaccount.providers.base.constants import AuthProcess
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from onelogin.saml2.errors import OneLogin_Saml2_Error

from groundswell.sso import actions, idp
from groundswell.sso.adapter import refusal
from groundswell.sso.forms import SsoConfigForm, SsoEmailForm
from groundswell.sso.models import Protocol, SsoConfig
from groundswell.workspaces.access import allow_methods, get_membership, require_role
from groundswell.workspaces.models import Role

log = logging.getLogger(__name__)


def _sp_details(request: HttpRequest, config: SsoConfig | None, workspace_id: int) -> dict[str, str]:
    """What the admin registers at the IdP (both protocols, since they may be switching)."""
    oidc_id, saml_id = f"ws{workspace_id}-oidc", f"ws{workspace_id}-saml"
    return {
        "redirect_uri": request.build_absolute_uri(reverse("openid_connect_callback", kwargs={"provider_id": oidc_id})),
        "acs_url": request.build_absolute_uri(reverse("saml_acs", kwargs={"organization_slug": saml_id})),
        "metadata_url": request.build_absolute_uri(reverse("saml_metadata", kwargs={"organization_slug": saml_id})),
        "login_url": request.build_absolute_uri(reverse("sso_workspace_login", kwargs={"ws": config.workspace.slug}))
        if config
        else "",
    }


@login_required
@allow_methods("GET", "POST")
def settings(request: HttpRequest, ws: str) -> HttpResponse:
    member = get_membership(request.user, ws)
    require_role(member, Role.ADMIN)
    workspace = member.workspace
    config = SsoConfig.objects.filter(workspace=workspace).prefetch_related("domains").first()
    form = SsoConfigForm(request.POST or None, initial=SsoConfigForm.initial_for(config))
    if request.method == "POST" and form.is_valid():
        try:
            config = actions.save_sso_config(workspace, form.to_settings(), by=member)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                "Single sign-on is on." if config.is_enabled else "Single sign-on settings saved (not offered yet).",
            )
            return redirect("sso:settings", ws=workspace.slug)
    linked = 0
    if config is not None:
        linked = SocialAccount.objects.filter(
            provider=config.provider_id, user__memberships__workspace=workspace
        ).count()
    return render(
        request,
        "sso/settings.html",
        {
            "workspace": workspace,
            "member": member,
            "nav": "people",
            "form": form,
            "config": config,
            "has_secret": bool(config and config.oidc_client_secret),
            "sp": _sp_details(request, config, workspace.pk),
            "linked": linked,
            "Protocol": Protocol,
        },
    )


def _begin(request: HttpRequest, config: SsoConfig, email: str = "") -> HttpResponse:
    """Send the browser to the workspace's IdP; back at allauth's callback/ACS, ``adapter`` takes over."""
    app = idp.build_app(config)
    provider = app.get_provider(request)
    home = reverse("core:home", kwargs={"ws": config.workspace.slug})
    kwargs = {}
    if email and config.protocol == Protocol.OIDC:
        kwargs["auth_params"] = {"login_hint": email}
    try:
        redirect_to_idp = provider.redirect(request, AuthProcess.LOGIN, next_url=home, **kwargs)
    except (requests.RequestException, OAuth2Error, OneLogin_Saml2_Error, KeyError, ValueError) as exc:
        log.warning("SSO start for %s failed: %r", config.workspace.slug, exc)
        return refusal(
            request,
            f"We could not reach {config.workspace.name}'s identity provider. Try again in a moment, or sign in "
            "with your password.",
            workspace=config.workspace,
            status=502,
        )
    # Not a 302: our CSP says ``form-action 'self'``, and browsers apply it to the redirects that follow a form
    # submission, so a POST answered with a redirect to the IdP would be blocked. This page moves on by itself
    # (meta refresh, no script) and has a link for when it does not.
    return render(
        request,
        "sso/continue.html",
        {"sso_workspace": config.workspace, "idp_url": redirect_to_idp["Location"], "config": config},
    )


@allow_methods("GET", "POST")
def start(request: HttpRequest) -> HttpResponse:
    """Ask for the work email and answer the same whatever its domain: which domains a workspace claimed is
    that workspace's business (ADR 0024). The link to the workspace's SSO page goes to the mailbox."""
    from groundswell.sso.tasks import SSO_LINK_EVERY, send_sign_in_link, throttle_key

    form = SsoEmailForm(request.POST or None, initial={"email": request.GET.get("email", "")})
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        if cache.add(throttle_key(email), 1, timeout=SSO_LINK_EVERY):  # one e-mail per address for a while
            send_sign_in_link.enqueue(email)
        return render(request, "sso/start_sent.html", {"email": email})
    return render(request, "sso/start.html", {"form": form}, status=400 if form.errors else 200)


@allow_methods("GET", "POST")
def workspace_login(request: HttpRequest, ws: str) -> HttpResponse:
    config = idp.enabled_configs().filter(workspace__slug=ws).first()
    if config is None or not config.is_complete:
        raise Http404("No such workspace")
    # The link emailed from /sso/ carries the address, passed on to the IdP as a hint (never trusted).
    hint = SsoEmailForm({"email": (request.POST if request.method == "POST" else request.GET).get("email", "")})
    email = hint.cleaned_data["email"] if hint.is_valid() else ""
    if request.method == "POST":
        return _begin(request, config, email)
    return render(
        request, "sso/workspace_login.html", {"sso_workspace": config.workspace, "config": config, "email": email}
    )
