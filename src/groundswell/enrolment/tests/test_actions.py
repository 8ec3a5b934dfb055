"""Calls, answers and their history; the read API other apps use."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from groundswell.conftest import make_member
from groundswell.content.models import Topic
from groundswell.enrolment import actions, queries
from groundswell.enrolment.actions import Answers, EnrolmentError
from groundswell.enrolment.models import CallForInterest, EnrolmentEvent, Status
from groundswell.enrolment.tests.helpers import join, open_a_call
from groundswell.workspaces.models import Membership, Workspace

pytestmark = pytest.mark.django_db


def test_open_call_validates_and_only_one_is_open(alice: Membership) -> None:
    today = timezone.localdate()
    with pytest.raises(EnrolmentError, match="past"):
        actions.open_call(
            workspace=alice.workspace, by=alice, title="T", message="M", deadline=today - dt.timedelta(days=1)
        )
    with pytest.raises(EnrolmentError, match="message"):
        actions.open_call(workspace=alice.workspace, by=alice, title="T", message="  ", deadline=today)
    call = open_a_call(alice)
    assert queries.open_call(alice.workspace) == call
    with pytest.raises(EnrolmentError, match="already open"):
        open_a_call(alice)
    actions.close_call(call)
    assert call.closed_at is not None and queries.open_call(alice.workspace) is None
    assert open_a_call(alice) != call


def test_a_call_past_its_deadline_is_not_open(alice: Membership) -> None:
    call = open_a_call(alice)
    CallForInterest.objects.filter(pk=call.pk).update(deadline=timezone.localdate() - dt.timedelta(days=1))
    assert queries.open_call(alice.workspace) is None


def test_join_records_answers_and_history(alice: Membership, bob: Membership, workspace: Workspace) -> None:
    topic = Topic.objects.create(workspace=workspace, name="Product", slug="product")
    call = open_a_call(alice)
    enrolment = actions.join(
        bob,
        Answers(
            activities=["video", "share"],
            networks=["linkedin"],
            topic_ids=[topic.pk],
            hours="1-2",
            comfort="advanced",
            languages=["de", "en"],
        ),
    )
    enrolment = queries.enrolment_for(bob)
    assert enrolment is not None
    assert enrolment.status == Status.JOINED and enrolment.answered_call == call
    assert enrolment.activities == ["share", "video"]  # in the form's order
    assert enrolment.networks == ["linkedin"] and enrolment.languages == ["en", "de"]
    assert [t.name for t in enrolment.topics.all()] == ["Product"]
    assert enrolment.show_to_manager is False and enrolment.joined_at is not None
    event = EnrolmentEvent.objects.get(member=bob)
    assert event.status == Status.JOINED and event.previous_status == "" and event.call == call
    assert event.snapshot["activities"] == ["share", "video"] and event.snapshot["topics"] == ["Product"]

    # Saving the same answers again adds no history; a change does.
    join(bob, "share", "video", networks=["linkedin"], topic_ids=[topic.pk], hours="1-2", comfort="advanced",
         languages=["en", "de"])  # fmt: skip
    assert EnrolmentEvent.objects.filter(member=bob).count() == 1
    join(bob, "share")
    assert EnrolmentEvent.objects.filter(member=bob).count() == 2
    with pytest.raises(ValueError, match="append-only"):
        event.save()


def test_join_rejects_bad_answers(bob: Membership, other_workspace: Workspace) -> None:
    foreign = Topic.objects.create(workspace=other_workspace, name="Theirs", slug="theirs")
    with pytest.raises(EnrolmentError, match="at least one"):
        actions.join(bob, Answers(activities=[]))
    with pytest.raises(EnrolmentError, match="Unknown activity"):
        actions.join(bob, Answers(activities=["dance"]))
    with pytest.raises(EnrolmentError, match="Unknown network"):
        actions.join(bob, Answers(activities=["share"], networks=["myspace"]))
    with pytest.raises(EnrolmentError, match="time"):
        actions.join(bob, Answers(activities=["share"], hours="lots"))
    with pytest.raises(EnrolmentError, match="topics"):
        actions.join(bob, Answers(activities=["share"], topic_ids=[foreign.pk]))
    assert queries.enrolment_for(bob) is None


def test_decline_is_remembered_for_the_call_and_asked_again_for_a_new_one(alice: Membership, bob: Membership) -> None:
    call = open_a_call(alice)
    assert queries.enrolment_call_for(bob) == call
    actions.decline(bob)
    assert queries.enrolment_call_for(bob) is None  # nobody is nagged after declining
    actions.decline(bob)  # twice: one history line
    assert EnrolmentEvent.objects.filter(member=bob, status=Status.DECLINED).count() == 1
    actions.close_call(call)
    second = open_a_call(alice)
    assert queries.enrolment_call_for(bob) == second
    join(bob)
    assert queries.enrolment_call_for(bob) is None


def test_join_later_without_a_call_then_leave_and_rejoin(bob: Membership) -> None:
    enrolment = join(bob, "answer", show_to_manager=True)
    assert enrolment.answered_call is None and enrolment.status == Status.JOINED
    left = actions.leave(bob)
    assert left.status == Status.LEFT and left.show_to_manager is False
    with pytest.raises(EnrolmentError, match="nothing to leave"):
        actions.leave(bob)
    join(bob, "write")
    statuses = list(EnrolmentEvent.objects.filter(member=bob).order_by("at", "id").values_list("status", flat=True))
    assert statuses == ["joined", "left", "joined"]


def test_decline_after_joining_means_leaving(bob: Membership) -> None:
    join(bob)
    assert actions.decline(bob).status == Status.LEFT


def test_volunteers_query(alice: Membership, bob: Membership, carol: Membership, workspace: Workspace) -> None:
    product = Topic.objects.create(workspace=workspace, name="Product", slug="product")
    hiring = Topic.objects.create(workspace=workspace, name="Hiring", slug="hiring")
    dave = make_member(workspace, "dave@acme.test")
    erin = make_member(workspace, "erin@acme.test")
    join(bob, "answer", "share", networks=["linkedin"], languages=["de"], topic_ids=[product.pk, hiring.pk])
    join(carol, "video", networks=["x"], topic_ids=[hiring.pk])
    join(dave, "answer", languages=["fr"])
    actions.leave(dave)
    actions.decline(erin)
    join(alice, "brand")
    Membership.objects.filter(pk=alice.pk).update(is_active=False)

    def names(**kw: object) -> list[str]:
        return [m.display_name for m in queries.volunteers(workspace, **kw)]  # type: ignore[arg-type]

    assert names() == ["Bob", "Carol"]
    assert names(activity="answer") == ["Bob"]
    assert names(network="x") == ["Carol"]
    assert names(language="de") == ["Bob"] and names(language="fr") == []
    assert names(topic_ids=[hiring.pk]) == ["Bob", "Carol"]  # no duplicates for two matching topics
    assert names(topic_ids=[hiring.pk, product.pk]) == ["Bob", "Carol"]
    assert names(activity="answer", language="de", network="linkedin", topic_ids=[product.pk]) == ["Bob"]
    assert names(activity="brand") == []  # deactivated


def test_call_counts(alice: Membership, bob: Membership, carol: Membership, workspace: Workspace) -> None:
    dave = make_member(workspace, "dave@acme.test")
    join(dave)  # joined before the call: counts as joined
    call = open_a_call(alice)
    join(bob)
    actions.decline(carol)
    counts = queries.call_counts(call)
    assert (counts.members, counts.joined, counts.declined, counts.no_answer) == (4, 2, 1, 1)
    assert counts.joined_percent == 50


def test_min_group_size_bounds(workspace: Workspace) -> None:
    with pytest.raises(EnrolmentError):
        actions.set_min_group_size(workspace, 1)
    actions.set_min_group_size(workspace, 7)
    workspace.refresh_from_db()
    assert workspace.min_group_size == 7


def test_volunteers_over_time_from_the_history(bob: Membership, carol: Membership, workspace: Workspace) -> None:
    today = timezone.localdate()
    join(bob)
    join(carol)
    actions.leave(carol)
    join(bob, "video")  # a change of answers is not a new volunteer
    old = today - dt.timedelta(days=3)
    EnrolmentEvent.objects.filter(member=bob).update(at=timezone.now() - dt.timedelta(days=3))
    points = queries.volunteers_over_time(workspace, today - dt.timedelta(days=4), today)
    assert [n for _, n in points] == [0, 1, 1, 1, 1]
    assert points[1][0] == old
    assert queries.volunteers_over_time(workspace, today, today) == [(today, 1)]  # baseline from earlier days
