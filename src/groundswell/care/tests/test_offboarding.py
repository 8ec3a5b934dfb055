"""A deactivated responder's unanswered cases are re-routed at once (not when the escalation timer fires),
whichever way they were deactivated; routing never picks a deactivated member."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import TestCase

from groundswell.care import actions, queries
from groundswell.care.models import Case, CaseEvent, CaseStatus, EventKind
from groundswell.care.receivers import preview
from groundswell.care.tests.conftest import make_post, volunteer
from groundswell.listening.models import Source, Topic
from groundswell.workspaces.models import Membership
from groundswell.workspaces.signals import send_member_deactivated
from groundswell.workspaces.tests.deactivation import WAYS, deactivate

pytestmark = pytest.mark.django_db

LABELS = {
    "admin": "was deactivated by a program admin",
    "scim": "was deprovisioned by the identity provider",
    "left": "left the program",
}


def _case_for(source: Source, brand: Topic) -> Case:
    _, mentions = make_post(source, [brand])
    [case] = actions.open_cases_for(mentions)
    return case


@pytest.mark.parametrize("way", WAYS)
def test_open_cases_are_rerouted_to_another_responder(
    way: str, source: Source, brand: Topic, alice: Membership, bob: Membership, carol: Membership
) -> None:
    volunteer(bob)
    case = _case_for(source, brand)
    second = _case_for(source, brand)  # waits: bob's one slot is taken
    assert case.assignee_id == bob.pk and Case.objects.get(pk=second.pk).status == CaseStatus.NEW
    volunteer(carol)
    mail.outbox.clear()

    deactivate(bob, way, admin=alice)
    case.refresh_from_db()
    assert case.status == CaseStatus.ASSIGNED and case.assignee_id == carol.pk
    log = list(case.events.values_list("kind", "member_id", "note"))
    assert log[-2:] == [
        (EventKind.QUEUED, bob.pk, f"Back in the queue: the assignee {LABELS[way]}."),
        (EventKind.ASSIGNED, carol.pk, ""),
    ]
    assert "Bob" not in log[-2][2]  # the log line names nobody (erasure clears member links only)
    assert [m.to for m in mail.outbox if m.subject == "A customer is waiting for an answer"] == [[carol.user.email]]


def test_answered_cases_stay_and_nobody_deactivated_is_routed(
    source: Source, brand: Topic, alice: Membership, bob: Membership
) -> None:
    volunteer(bob)
    answered = _case_for(source, brand)
    actions.record_reply(answered, bob, "Yes, it does.")
    waiting = _case_for(source, brand)
    assert waiting.assignee_id == bob.pk
    deactivate(bob, "admin", admin=alice)
    answered.refresh_from_db()
    waiting.refresh_from_db()
    assert answered.status == CaseStatus.ANSWERED and answered.responder_id == bob.pk  # the record stays
    assert waiting.status == CaseStatus.NEW and waiting.assignee_id is None  # back in the queue, nobody free
    assert bob.pk not in queries.responder_ids(bob.workspace)
    assert actions.route_waiting() == 0
    fresh = _case_for(source, brand)
    assert fresh.status == CaseStatus.NEW and fresh.assignee_id is None


def test_a_second_signal_changes_nothing(
    source: Source, brand: Topic, alice: Membership, bob: Membership, carol: Membership
) -> None:
    volunteer(bob)
    case = _case_for(source, brand)
    volunteer(carol)
    deactivate(bob, "scim", admin=alice)
    events, sent = CaseEvent.objects.count(), len(mail.outbox)
    with TestCase.captureOnCommitCallbacks(execute=True):
        send_member_deactivated(bob.pk, "scim")
    assert actions.release_cases_of(bob, reason="scim") == 0
    assert CaseEvent.objects.count() == events and len(mail.outbox) == sent
    assert Case.objects.get(pk=case.pk).assignee_id == carol.pk


def test_an_active_member_keeps_their_cases(source: Source, brand: Topic, bob: Membership) -> None:
    volunteer(bob)
    case = _case_for(source, brand)
    assert actions.release_cases_of(bob) == 0
    assert Case.objects.get(pk=case.pk).assignee_id == bob.pk


def test_preview_counts_the_open_cases(source: Source, brand: Topic, bob: Membership, carol: Membership) -> None:
    assert preview(bob) == []
    volunteer(bob)
    _case_for(source, brand)
    assert preview(bob) == ["1 open customer case assigned to them is re-routed."]
    Case.objects.filter(assignee=bob).update(status=CaseStatus.ANSWERED)
    assert preview(bob) == []
    _case_for(source, brand)
    _case_for(source, brand)
    Case.objects.filter(status=CaseStatus.NEW).update(status=CaseStatus.ASSIGNED, assignee=bob)
    assert preview(bob) == ["2 open customer cases assigned to them are re-routed."]
