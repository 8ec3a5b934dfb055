"""Read queries of enrolment, for this app and for others (teams, brand stewards, customer care).

``volunteers`` lists only people who *joined*: whoever declined, left or never answered is simply absent,
so no caller can tell those apart.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from groundswell.content.models import Topic
from groundswell.enrolment.models import (
    CallForInterest,
    ChoiceKind,
    Enrolment,
    EnrolmentChoice,
    EnrolmentEvent,
    Status,
)
from groundswell.lib.periods import local_day
from groundswell.workspaces.models import Membership, Workspace


def open_call(workspace: Workspace) -> CallForInterest | None:
    """The call that is open now (not closed, deadline not passed in the workspace's zone), if any."""
    today = local_day(timezone.now(), workspace.timezone)
    return (
        CallForInterest.objects.filter(workspace=workspace, closed_at__isnull=True, deadline__gte=today)
        .order_by("-opened_at", "-id")
        .first()
    )


def with_answers(qs: QuerySet[Enrolment]) -> QuerySet[Enrolment]:
    return qs.prefetch_related("choices", Prefetch("topics", queryset=Topic.objects.order_by("name")))


def enrolment_for(member: Membership) -> Enrolment | None:
    """The member's current answer (with its choices and topics), or None when they never answered."""
    return with_answers(Enrolment.objects.filter(member=member)).first()


def needs_answer(enrolment: Enrolment | None, call: CallForInterest | None) -> bool:
    """Whether to ask the member about ``call``: not joined and not answered this call (no nagging)."""
    if call is None:
        return False
    if enrolment is None:
        return True
    return enrolment.status != Status.JOINED and enrolment.answered_call_id != call.pk


def _has_choice(kind: str, value: str) -> Exists:
    return Exists(
        EnrolmentChoice.objects.filter(enrolment__member_id=OuterRef("pk"), kind=kind, value=value).values("pk")
    )


def volunteers(
    workspace: Workspace,
    *,
    activity: str | None = None,
    network: str | None = None,
    topic_ids: Sequence[int] | None = None,
    language: str | None = None,
) -> QuerySet[Membership]:
    """Active members who joined and chose ``activity`` (and use ``network``, care about any of ``topic_ids``,
    can answer customers in ``language``): each filter only when given. Ordered by name."""
    qs = Membership.objects.filter(workspace=workspace, is_active=True, enrolment__status=Status.JOINED)
    if activity:
        qs = qs.filter(_has_choice(ChoiceKind.ACTIVITY, activity))
    if network:
        qs = qs.filter(_has_choice(ChoiceKind.NETWORK, network))
    if language:
        qs = qs.filter(_has_choice(ChoiceKind.LANGUAGE, language))
    if topic_ids:
        qs = qs.filter(
            Exists(Enrolment.topics.through.objects.filter(enrolment__member_id=OuterRef("pk"), topic_id__in=topic_ids))
        )
    return qs.order_by("display_name", "pk")


def volunteer_rows(qs: QuerySet[Membership]) -> QuerySet[Membership]:
    """``volunteers(...)`` ready to display: department, location, and the answers, in a fixed number of queries."""
    return qs.select_related("department", "location", "user").prefetch_related(
        Prefetch("enrolment", queryset=with_answers(Enrolment.objects.all()))
    )


@dataclass(frozen=True)
class CallCounts:
    """How a call went, as counts only. ``declined`` includes people who answered and later left."""

    members: int
    joined: int
    declined: int

    @property
    def no_answer(self) -> int:
        return max(self.members - self.joined - self.declined, 0)

    def percent(self, n: int) -> int:
        return round(100 * n / self.members) if self.members else 0

    @property
    def joined_percent(self) -> int:
        return self.percent(self.joined)

    @property
    def declined_percent(self) -> int:
        return self.percent(self.declined)

    @property
    def no_answer_percent(self) -> int:
        return self.percent(self.no_answer)


def call_counts(call: CallForInterest) -> CallCounts:
    """Joined (now, whenever they joined), declined this call, and no answer, among active members (1 query)."""
    row = Membership.objects.filter(workspace_id=call.workspace_id, is_active=True).aggregate(
        members=Count("pk"),
        joined=Count("pk", filter=Q(enrolment__status=Status.JOINED)),
        declined=Count(
            "pk", filter=Q(enrolment__answered_call=call, enrolment__status__in=[Status.DECLINED, Status.LEFT])
        ),
    )
    return CallCounts(members=row["members"], joined=row["joined"], declined=row["declined"])


def email_recipients(call: CallForInterest) -> QuerySet[Membership]:
    """Active members with an email address who have neither joined, answered this call, nor had its email."""
    from groundswell.enrolment.models import CallEmail

    return (
        Membership.objects.filter(workspace_id=call.workspace_id, is_active=True)
        .exclude(user__email="")
        .exclude(enrolment__status=Status.JOINED)
        .exclude(enrolment__answered_call=call)
        .exclude(Exists(CallEmail.objects.filter(call=call, member_id=OuterRef("pk"))))
        .select_related("user")
        .order_by("pk")
    )


def enrolment_call_for(member: Membership) -> CallForInterest | None:
    """The open call to show on the member's home page, or None (answered, joined, or no call): 2 queries."""
    call = open_call(member.workspace)
    if call is None:
        return None
    enrolment = Enrolment.objects.filter(member=member).only("status", "answered_call_id").first()
    return call if needs_answer(enrolment, call) else None


def volunteers_over_time(workspace: Workspace, start: dt.date, end: dt.date) -> list[tuple[dt.date, int]]:
    """How many people had joined at the end of each day from ``start`` to ``end`` (the workspace's days),
    from the append-only history (erased members' lines still count, without names)."""
    tz = workspace.timezone
    net: dict[dt.date, int] = defaultdict(int)
    baseline = 0
    rows = EnrolmentEvent.objects.filter(workspace=workspace).values_list("at", "status", "previous_status")
    for at, status, previous in rows.iterator():
        delta = (status == Status.JOINED) - (previous == Status.JOINED)
        if not delta:
            continue
        day = local_day(at, tz)
        if day < start:
            baseline += delta
        elif day <= end:
            net[day] += delta
    points = []
    running = baseline
    day = start
    while day <= end:
        running += net[day]
        points.append((day, running))
        day += dt.timedelta(days=1)
    return points
