"""The privacy provider: inventory, a JSON export, and an erasure that says what it keeps."""

from __future__ import annotations

import json

import pytest

from groundswell.enrolment import actions, queries
from groundswell.enrolment.models import EnrolmentChoice, EnrolmentEvent, Status
from groundswell.enrolment.privacy import provider
from groundswell.enrolment.tests.helpers import join, open_a_call
from groundswell.privacy.registry import providers
from groundswell.workspaces.models import Membership

pytestmark = pytest.mark.django_db


def test_registered() -> None:
    assert provider in providers()


def test_inventory_export_and_erase(alice: Membership, bob: Membership) -> None:
    call = open_a_call(alice)
    actions.email_call_batch(call, limit=10)
    join(bob, "answer", networks=["linkedin"], languages=["de"])
    actions.leave(bob)
    lines = provider.inventory(bob)
    assert lines[0].count == 1 and "only counts" in lines[0].visible_to
    assert lines[1].count == 2 and lines[1].visible_to.startswith("Only you")
    assert lines[2].count == 1

    exported = provider.export(bob)
    json.dumps(exported)  # JSON-serialisable
    assert exported["enrolment"]["status"] == Status.LEFT and exported["enrolment"]["activities"] == ["answer"]
    assert [h["status"] for h in exported["history"]] == ["joined", "left"]
    assert exported["history"][0]["call"] == call.title and exported["emails"][0]["call"] == call.title

    result = provider.erase(bob)
    assert result.erased >= 3 and any("counts over time" in k for k in result.kept)
    assert any("twice" in k for k in result.kept)
    assert queries.enrolment_for(bob) is None and not EnrolmentChoice.objects.exists()
    assert not EnrolmentEvent.objects.filter(member=bob).exists()
    assert list(EnrolmentEvent.objects.values_list("status", "snapshot")) == [("left", {}), ("joined", {})]
    assert provider.export(bob)["enrolment"] is None
    assert provider.export(alice)["calls_opened"][0]["title"] == call.title


def test_inventory_says_when_the_manager_may_see(bob: Membership) -> None:
    join(bob, "share", show_to_manager=True)
    assert "you allowed it" in provider.inventory(bob)[0].visible_to
