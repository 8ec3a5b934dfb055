"""The demo company shows the privacy centre: some people share their statistics with their manager."""

from __future__ import annotations

import datetime as dt

import pytest

from groundswell.conftest import client_for
from groundswell.demo import data
from groundswell.demo.generator import build_demo
from groundswell.privacy import visibility
from groundswell.privacy.models import MemberPrivacy, PrivacyAction, PrivacyEvent
from groundswell.workspaces.models import Membership


@pytest.mark.django_db
def test_demo_has_privacy_choices_and_a_log() -> None:
    ws = build_demo(seed=3, employees=40, days=30, now=dt.datetime(2026, 5, 20, 15, 30, tzinfo=dt.UTC)).workspace
    members = Membership.objects.filter(workspace=ws)
    sharing = MemberPrivacy.objects.filter(member__workspace=ws, share_stats_with_manager=True).count()
    with_manager = members.filter(manager__isnull=False).count()
    assert 0 < sharing < with_manager  # a choice, not a default
    sam = members.get(user__email=f"{data.EMPLOYEE[1]}@{data.DOMAIN}")
    assert sam.manager is not None and visibility.can_see_member_stats(sam.manager, sam)
    assert PrivacyEvent.objects.filter(workspace=ws, action=PrivacyAction.MANAGER_SHARING).count() == sharing
    page = client_for(sam.manager).get(f"/w/{ws.slug}/privacy/team/").content.decode()
    assert sam.display_name in page
