"""The demo's care data (built with the app's own actions) and the privacy provider."""

from __future__ import annotations

import json
import random

import pytest
from django.core import mail
from django.utils import timezone

from groundswell.care import actions
from groundswell.care.models import Case, CaseEvent, CaseStatus, DismissReason, ResponderProfile, TriageItem
from groundswell.care.privacy import CarePrivacy
from groundswell.care.tests.conftest import NOW, make_post, volunteer
from groundswell.demo.care import build_care
from groundswell.listening.models import Intent, Source, Topic
from groundswell.workspaces.models import Membership, Workspace

pytestmark = pytest.mark.django_db


def test_demo_builds_realistic_cases_without_mail(
    workspace: Workspace,
    alice: Membership,
    bob: Membership,
    carol: Membership,
    django_capture_on_commit_callbacks: object,
) -> None:
    volunteer(bob, languages=("en", "de"))
    volunteer(carol)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        build_care(workspace, timezone.now(), random.Random(1))
    statuses = set(Case.objects.filter(workspace=workspace).values_list("status", flat=True))
    assert CaseStatus.ANSWERED in statuses or CaseStatus.RESOLVED in statuses
    assert Case.objects.filter(workspace=workspace).count() == 10
    assert Case.objects.exclude(reply_text="").exists()
    assert TriageItem.objects.filter(workspace=workspace).count() == 5  # brand mentions that are not cases
    assert mail.outbox == []


def test_privacy_inventory_export_and_erase(source: Source, brand: Topic, bob: Membership) -> None:
    volunteer(bob)
    _, mentions = make_post(source, [brand])
    [case] = actions.open_cases_for(mentions, now=NOW)
    actions.record_reply(case, bob, "Hello Kim", now=NOW)
    _, other = make_post(source, [brand], text="Northwind has a stand at the fair", intent=Intent.OTHER)
    [item] = actions.open_triage_for(other, now=NOW)
    actions.dismiss_triage(item, bob, DismissReason.NOT_ABOUT_US, now=NOW)
    provider = CarePrivacy()
    lines = provider.inventory(bob)
    assert [line.count for line in lines] == [1, 1, 2, 1]
    exported = provider.export(bob)
    json.dumps(exported)
    assert exported["cases"][0]["reply_text"] == "Hello Kim"
    assert exported["profile"]["languages"] == ["en"]
    result = provider.erase(bob)
    assert result.kept
    assert not ResponderProfile.objects.filter(member=bob).exists()
    case.refresh_from_db()
    assert case.assignee is None and case.responder is None
    assert case.reply_text == "Hello Kim"  # the company's answer to a customer stays, without a name
    assert not CaseEvent.objects.filter(member=bob).exists()
    item.refresh_from_db()
    assert item.decided_by_id is None and item.reason == DismissReason.NOT_ABOUT_US  # the decision stays
