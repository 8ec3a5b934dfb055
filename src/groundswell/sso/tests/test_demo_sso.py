from __future__ import annotations

import datetime as dt

import pytest
from allauth.socialaccount.models import SocialAccount
from django.test import Client

from groundswell.demo import data
from groundswell.demo.generator import build_demo
from groundswell.sso.models import Protocol, SsoConfig
from groundswell.workspaces.models import Membership, Role

NOW = dt.datetime(2026, 3, 16, 12, tzinfo=dt.UTC)


@pytest.mark.django_db
def test_demo_signs_in_through_saml_and_shows_linked_identities() -> None:
    result = build_demo(seed=3, employees=30, days=14, now=NOW)
    config = SsoConfig.objects.get(workspace=result.workspace)
    assert config.protocol == Protocol.SAML and config.is_enabled and not config.require_sso
    assert [d.domain for d in config.domains.all()] == [data.DOMAIN]
    linked = SocialAccount.objects.filter(provider=config.provider_id).count()
    members = Membership.objects.filter(workspace=result.workspace).count()
    assert 0 < linked < members
    admin = Membership.objects.filter(workspace=result.workspace, role=Role.ADMIN).select_related("user").first()
    assert admin is not None
    c = Client()
    c.force_login(admin.user)
    page = c.get(f"/w/{result.workspace.slug}/sso/").content.decode()
    assert f"{linked} members signed in with SSO so far" in page
