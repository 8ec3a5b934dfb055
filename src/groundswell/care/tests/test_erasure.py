"""Erasing a member's data never leaves a case "assigned" to nobody: their unanswered cases go back to the queue
(a ``queued`` line that names nobody) and are routed again at once, the same way as when a member is
deactivated (``actions.release_cases_of``), also when the deactivation's receiver has not run (it runs after the
commit) or never did."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.apps import apps
from django.core import mail

from groundswell.care import actions
from groundswell.care.models import Case, CaseEvent, CaseStatus, EventKind
from groundswell.care.privacy import CarePrivacy
from groundswell.care.tests.conftest import make_post, volunteer
from groundswell.listening.models import Source, Topic
from groundswell.privacy.actions import erase_member_data
from groundswell.workspaces.models import Membership

pytestmark = pytest.mark.django_db

NOTE = "Back in the queue: the assignee's data was erased."


def _case_for(source: Source, brand: Topic) -> Case:
    _, mentions = make_post(source, [brand])
    [case] = actions.open_cases_for(mentions)
    return case


def test_erasing_a_member_reroutes_their_open_case(
    source: Source, brand: Topic, bob: Membership, carol: Membership, django_capture_on_commit_callbacks: Any
) -> None:
    volunteer(bob)
    answered = _case_for(source, brand)
    actions.record_reply(answered, bob, "Yes, it does.")
    case = _case_for(source, brand)
    assert case.assignee_id == answered.assignee_id == bob.pk
    volunteer(carol)
    mail.outbox.clear()
    # The whole privacy flow: leave (deactivate), then every provider erases. The deactivation's receivers run
    # after the commit, so care's erasure finds the case still assigned to bob and must release it itself.
    with django_capture_on_commit_callbacks(execute=True):
        erase_member_data(bob)
    case.refresh_from_db()
    assert (case.status, case.assignee_id) == (CaseStatus.ASSIGNED, carol.pk)
    log = list(case.events.values_list("kind", "member_id", "note"))
    assert log[-2:] == [(EventKind.QUEUED, None, NOTE), (EventKind.ASSIGNED, carol.pk, "")]
    assert not CaseEvent.objects.filter(member=bob).exists() and not CaseEvent.objects.filter(actor=bob).exists()
    assert [m.to for m in mail.outbox if m.subject == "A customer is waiting for an answer"] == [[carol.user.email]]
    # The answered case stays answered (the company's record), without bob's name.
    answered.refresh_from_db()
    assert (answered.status, answered.assignee_id, answered.responder_id) == (CaseStatus.ANSWERED, None, None)
    # Deactivation's receiver ran after the commit and found nothing more to hand on.
    assert case.events.filter(kind=EventKind.QUEUED).count() == 1


def test_with_nobody_free_the_case_waits_in_the_queue_and_is_routed_later(
    source: Source, brand: Topic, bob: Membership, carol: Membership
) -> None:
    volunteer(bob)
    case = _case_for(source, brand)
    case.refresh_from_db()
    assert case.escalate_at is not None
    # Deactivated without the receiver having handed the case on (it failed, or predates offboarding).
    Membership.objects.filter(pk=bob.pk).update(is_active=False)
    assert Case.objects.get(pk=case.pk).status == CaseStatus.ASSIGNED
    CarePrivacy().erase(bob)
    case.refresh_from_db()
    assert (case.status, case.assignee_id, case.escalate_at) == (CaseStatus.NEW, None, None)
    assert case.events.filter(kind=EventKind.QUEUED, note=NOTE, member__isnull=True).count() == 1
    assert actions.route_waiting() == 0  # nobody free: it waits, as a waiting case does
    volunteer(carol)
    assert actions.route_waiting() == 1
    assert Case.objects.get(pk=case.pk).assignee_id == carol.pk
    # Idempotent: erasing again releases nothing.
    assert actions.release_cases_of(bob, reason=actions.ERASED) == 0
    CarePrivacy().erase(bob)
    assert Case.objects.get(pk=case.pk).assignee_id == carol.pk


def test_the_migration_requeues_cases_left_assigned_to_nobody(
    source: Source, brand: Topic, bob: Membership, carol: Membership
) -> None:
    volunteer(bob)
    case = _case_for(source, brand)
    Case.objects.filter(pk=case.pk).update(assignee=None)  # what erasure did before
    importlib.import_module("groundswell.care.migrations.0005_requeue_cases_left_with_nobody").requeue(apps, None)
    case.refresh_from_db()
    assert (case.status, case.assignee_id, case.escalate_at) == (CaseStatus.NEW, None, None)
    assert case.events.filter(kind=EventKind.QUEUED, note=NOTE).count() == 1
    volunteer(carol)
    assert actions.route_waiting() == 1
    assert Case.objects.get(pk=case.pk).assignee_id == carol.pk
