"""Opening cases from mentions, routing them, escalation to the next person and to the admins, answers."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail

from groundswell.care import actions
from groundswell.care.models import Case, CaseEvent, CaseStatus, EventKind
from groundswell.care.tasks import care_tick
from groundswell.care.tests.conftest import NOW, make_post, volunteer
from groundswell.listening.models import Intent, Source, Topic
from groundswell.rewards.models import Action, PointsEntry
from groundswell.workspaces.models import Membership, Workspace

pytestmark = pytest.mark.django_db


def test_questions_and_complaints_about_the_brand_become_cases(
    source: Source, brand: Topic, tents: Topic, bob: Membership, django_capture_on_commit_callbacks: Any
) -> None:
    volunteer(bob)
    _, question = make_post(source, [brand, tents])
    _, complaint = make_post(source, [brand], intent=Intent.COMPLAINT, text="My Northwind stove broke")
    _, praise = make_post(source, [brand], intent=Intent.PRAISE)
    _, not_brand = make_post(source, [tents])

    with django_capture_on_commit_callbacks(execute=True):
        opened = actions.open_cases_for([*question, *complaint, *praise, *not_brand], now=NOW)

    assert len(opened) == 2
    first = Case.objects.get(post=question[0].post)
    assert first.topic == tents  # routed by what it is about, not by the brand
    assert first.language == "en"
    assert first.status == CaseStatus.ASSIGNED
    assert first.assignee == bob
    assert first.sla_due_at == NOW + dt.timedelta(minutes=60)
    assert Case.objects.get(post=complaint[0].post).status == CaseStatus.NEW  # bob's one slot is taken
    assert [m.to for m in mail.outbox] == [["bob@acme.test"]]
    # Idempotent: the ingest may call again.
    assert actions.open_cases_for([*question, *complaint], now=NOW) == []
    assert Case.objects.count() == 2


def test_near_duplicates_open_no_case(source: Source, brand: Topic, bob: Membership) -> None:
    original, _ = make_post(source, [brand])
    copy, mentions = make_post(source, [brand])
    copy.duplicate_of = original
    copy.save(update_fields=["duplicate_of"])
    assert actions.open_cases_for(mentions, now=NOW) == []


def test_routing_by_language_and_topic(
    workspace: Workspace, source: Source, brand: Topic, tents: Topic, bob: Membership, carol: Membership
) -> None:
    from groundswell.conftest import make_member

    dana = make_member(workspace, "dana@acme.test")
    volunteer(bob, languages=("en",), skills=(brand,))
    volunteer(carol, languages=("en", "de"))
    volunteer(dana, languages=("en",), skills=(tents,))
    _, german = make_post(source, [brand], lang="de-DE", text="Wo ist mein Northwind Zelt?")
    _, about_tents = make_post(source, [brand, tents])
    actions.open_cases_for(german, now=NOW)
    actions.open_cases_for(about_tents, now=NOW)
    assert Case.objects.get(post=german[0].post).assignee == carol
    assert Case.objects.get(post=about_tents[0].post).assignee == dana


def test_nobody_on_shift_queues_until_hours_start(source: Source, brand: Topic, bob: Membership) -> None:
    office = {d: [(9 * 60, 17 * 60)] for d in range(5)}
    volunteer(bob, week=office)
    evening = NOW.replace(hour=20)
    _, mentions = make_post(source, [brand])
    [case] = actions.open_cases_for(mentions, now=evening)
    assert case.status == CaseStatus.NEW
    # The target counts staffed minutes only: due at 10:00 the next morning.
    assert case.sla_due_at == (NOW + dt.timedelta(days=1)).replace(hour=10)
    assert actions.route_waiting(evening + dt.timedelta(hours=1)) == 0
    morning = (NOW + dt.timedelta(days=1)).replace(hour=9, minute=1)
    assert actions.route_waiting(morning) == 1
    case.refresh_from_db()
    assert case.assignee == bob
    assert list(case.events.values_list("kind", flat=True)) == [EventKind.OPENED, EventKind.QUEUED, EventKind.ASSIGNED]


def test_escalation_to_next_candidate_then_admins(
    source: Source,
    brand: Topic,
    alice: Membership,
    bob: Membership,
    carol: Membership,
    django_capture_on_commit_callbacks: Any,
) -> None:
    volunteer(bob)
    volunteer(carol)
    _, mentions = make_post(source, [brand])
    [case] = actions.open_cases_for(mentions, now=NOW)
    first = case.assignee
    assert first is not None
    assert actions.escalate_overdue(NOW + dt.timedelta(minutes=59)) == 0
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert actions.escalate_overdue(NOW + dt.timedelta(minutes=60)) == 1
    case.refresh_from_db()
    second = carol if first == bob else bob
    assert case.status == CaseStatus.ASSIGNED
    assert case.assignee == second
    assert case.escalations == 1
    assert case.escalate_at == NOW + dt.timedelta(minutes=90)  # one more step of 30 minutes
    assert sorted(m.to[0] for m in mail.outbox) == sorted([first.user.email, second.user.email])
    assert "moved on" in next(m for m in mail.outbox if m.to == [first.user.email]).subject
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert actions.escalate_overdue(NOW + dt.timedelta(minutes=90)) == 1
    case.refresh_from_db()
    assert case.status == CaseStatus.ESCALATED
    assert case.assignee is None
    assert [m.to for m in mail.outbox if "admin" in m.subject] == [["alice@acme.test"]]
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds == [EventKind.OPENED, EventKind.ASSIGNED, EventKind.REASSIGNED, EventKind.ESCALATED]
    # Nothing more to do: running again changes nothing.
    assert actions.escalate_overdue(NOW + dt.timedelta(hours=5)) == 0


def test_periodic_task_is_idempotent(source: Source, brand: Topic, alice: Membership, bob: Membership) -> None:
    volunteer(bob)
    _, mentions = make_post(source, [brand])
    [case] = actions.open_cases_for(mentions, now=NOW)
    Case.objects.filter(pk=case.pk).update(escalate_at=NOW - dt.timedelta(minutes=1))
    care_tick.enqueue()
    care_tick.enqueue()
    case.refresh_from_db()
    # bob is the only responder: the next step is straight to the admins, once.
    assert case.status == CaseStatus.ESCALATED
    assert CaseEvent.objects.filter(case=case, kind=EventKind.ESCALATED).count() == 1


def test_a_stale_escalation_claim_does_nothing(source: Source, brand: Topic, bob: Membership) -> None:
    volunteer(bob)
    _, mentions = make_post(source, [brand])
    [case] = actions.open_cases_for(mentions, now=NOW)
    actions.record_reply(case, bob, "Yes, it does: rated for 80 km/h winds.", now=NOW + dt.timedelta(minutes=61))
    assert actions.escalate_overdue(NOW + dt.timedelta(minutes=62)) == 0


def test_answer_records_first_response_and_points_once(
    source: Source, brand: Topic, bob: Membership, carol: Membership
) -> None:
    volunteer(bob)
    _, mentions = make_post(source, [brand])
    _, waiting = make_post(source, [brand])
    [case] = actions.open_cases_for(mentions, now=NOW)
    [queued] = actions.open_cases_for(waiting, now=NOW)
    assert queued.status == CaseStatus.NEW

    with pytest.raises(actions.CareError, match="someone else"):
        actions.record_reply(case, carol, "Hi!", now=NOW)
    with pytest.raises(actions.CareError, match="Write the answer"):
        actions.record_reply(case, bob, "   ", now=NOW)

    answered = actions.record_reply(case, bob, "Hi Kim, yes it does!", now=NOW + dt.timedelta(minutes=12))
    assert answered.status == CaseStatus.ANSWERED
    assert answered.first_response_minutes == 12
    assert answered.reply_via == "copy"
    entries = PointsEntry.objects.filter(member=bob, action=Action.ANSWER)
    assert list(entries.values_list("points", "key")) == [(20, f"answer:{case.pk}")]
    with pytest.raises(actions.CareError, match="already answered"):
        actions.record_reply(case, bob, "Again", now=NOW + dt.timedelta(minutes=13))
    assert entries.count() == 1
    # bob's slot freed: the waiting case is his now.
    queued.refresh_from_db()
    assert queued.assignee == bob

    resolved = actions.resolve_case(answered, bob, now=NOW + dt.timedelta(hours=1))
    assert resolved.status == CaseStatus.RESOLVED
    with pytest.raises(actions.CareError):
        actions.resolve_case(answered, bob)


def test_admin_reassigns_and_closes(source: Source, brand: Topic, alice: Membership, bob: Membership,
                                    carol: Membership, charlie: Membership) -> None:  # fmt: skip
    _, mentions = make_post(source, [brand])
    [case] = actions.open_cases_for(mentions, now=NOW)
    assert case.status == CaseStatus.NEW  # nobody volunteered
    given = actions.reassign_case(case, alice, carol, now=NOW)
    assert given.assignee == carol and given.status == CaseStatus.ASSIGNED
    with pytest.raises(actions.CareError, match="already"):
        actions.reassign_case(case, alice, carol, now=NOW)
    with pytest.raises(actions.CareError, match="active member"):
        actions.reassign_case(case, alice, charlie, now=NOW)
    with pytest.raises(actions.CareError, match="why"):
        actions.close_case(case, alice, " ")
    closed = actions.close_case(case, alice, "Spam")
    assert closed.status == CaseStatus.CLOSED


def test_department_skills_count_as_the_members_own(
    workspace: Workspace, source: Source, brand: Topic, tents: Topic, bob: Membership, carol: Membership
) -> None:
    assert bob.department is not None
    volunteer(bob, skills=(brand,))  # knows only the brand topic himself
    _, mentions = make_post(source, [brand, tents])
    [case] = actions.open_cases_for(mentions, now=NOW)
    assert case.status == CaseStatus.NEW
    actions.add_department_skill(workspace, bob.department, tents)  # Sales knows tents
    assert actions.route_waiting(NOW) == 1
    case.refresh_from_db()
    assert case.assignee == bob


def test_case_moves_on_when_the_assignees_shift_ends(source: Source, brand: Topic, bob: Membership) -> None:
    office = {d: [(9 * 60, 17 * 60)] for d in range(5)}
    volunteer(bob, week=office)
    _, mentions = make_post(source, [brand])
    [case] = actions.open_cases_for(mentions, now=NOW.replace(hour=16, minute=30))
    assert case.escalate_at == NOW.replace(hour=17)
    # Staffed time stops at 17:00: the target is 30 staffed minutes into the next morning.
    assert case.sla_due_at == (NOW + dt.timedelta(days=1)).replace(hour=9, minute=30)
