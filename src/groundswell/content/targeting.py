"""Which items a member sees: live, and aimed at their department, location and interests (or at everyone)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q, QuerySet

from groundswell.content.models import Item
from groundswell.workspaces.models import Membership

_Departments = Item.target_departments.through
_Locations = Item.target_locations.through
_Topics = Item.target_topics.through
_Interests = Membership.interests.through


def targeting_q(member: Membership) -> Q:
    """Items whose targeting includes ``member``. An empty target list means "everyone".

    Built from ``EXISTS`` subqueries, so the result has no duplicate rows and needs one query.
    """
    item = OuterRef("pk")
    dept_any = Exists(_Departments.objects.filter(item_id=item))
    loc_any = Exists(_Locations.objects.filter(item_id=item))
    topic_any = Exists(_Topics.objects.filter(item_id=item))

    dept_ok = ~Q(dept_any)
    if member.department_id is not None:
        dept_ok |= Q(Exists(_Departments.objects.filter(item_id=item, department_id=member.department_id)))
    loc_ok = ~Q(loc_any)
    if member.location_id is not None:
        loc_ok |= Q(Exists(_Locations.objects.filter(item_id=item, location_id=member.location_id)))
    interests = _Interests.objects.filter(membership_id=member.pk).values("topic_id")
    topic_ok = ~Q(topic_any) | Q(Exists(_Topics.objects.filter(item_id=item, topic_id__in=interests)))
    return dept_ok & loc_ok & topic_ok


def items_for_member(member: Membership, now: dt.datetime) -> QuerySet[Item]:
    """Live items of the member's workspace targeted at them, newest first."""
    return (
        Item.objects.filter(workspace_id=member.workspace_id)
        .filter(Item.live_q(now))
        .filter(targeting_q(member))
        .order_by("-published_at", "-pk")
    )


def audience_ids(item: Item) -> list[int]:
    """The active members ``item`` is aimed at (the same rule as ``targeting_q``, from the item's side)."""
    members = Membership.objects.filter(workspace_id=item.workspace_id, is_active=True)
    departments = list(_Departments.objects.filter(item_id=item.pk).values_list("department_id", flat=True))
    locations = list(_Locations.objects.filter(item_id=item.pk).values_list("location_id", flat=True))
    topics = list(_Topics.objects.filter(item_id=item.pk).values_list("topic_id", flat=True))
    if departments:
        members = members.filter(department_id__in=departments)
    if locations:
        members = members.filter(location_id__in=locations)
    if topics:
        members = members.filter(Exists(_Interests.objects.filter(membership_id=OuterRef("pk"), topic_id__in=topics)))
    return list(members.values_list("pk", flat=True))
