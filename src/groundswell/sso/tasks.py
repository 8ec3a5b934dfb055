"""Background work for single sign-on: the sign-in link asked for on the public "Sign in with SSO" page."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode
from django_tasks import task

from groundswell.sso import idp

SSO_LINK_EVERY = 10 * 60  # seconds between two sign-in links to the same address


def throttle_key(email: str) -> str:
    return "sso-link:" + hashlib.sha256(email.lower().encode()).hexdigest()


@task()
def send_sign_in_link(email: str) -> str:
    """Email ``email`` the sign-in page of the workspace that claimed its domain. Queued for every address
    asked for, claimed or not (at most once per address per ``SSO_LINK_EVERY`` seconds, see
    ``views.start``), so that the page answers the same way and in the same time whatever the domain."""
    config = idp.config_for_email(email)
    if config is None:
        return "unclaimed"
    workspace = config.workspace
    path = reverse("sso_workspace_login", kwargs={"ws": workspace.slug})
    login_url = settings.SITE_URL.rstrip("/") + path + "?" + urlencode({"email": email})
    body = render_to_string("sso/email/sign_in_link.txt", {"workspace": workspace, "login_url": login_url})
    subject = " ".join(f"Sign in to {workspace.name} on Groundswell".split())
    send_mail(subject, body, None, [email], fail_silently=False)
    return "sent"
