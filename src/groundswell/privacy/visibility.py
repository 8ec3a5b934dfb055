"""Who may see a member's own statistics. Every page or endpoint that shows one person's numbers asks here.

* the member themselves: always;
* program admins: always (they run the program; the privacy centre tells members so, plainly);
* their manager (``Membership.manager``): only when the member shares their statistics with their manager
  (``MemberPrivacy.share_stats_with_manager``, off unless the member turns it on — ADR 0012);
* nobody else. The leaderboard is separate: members choose how they appear there.

Totals of a group of people (a department, a location, a team) are shown to someone who is not a program
admin only when the group has at least ``workspace.min_group_size`` active members.
"""

from __future__ import annotations

from django.db.models import Count, QuerySet

from groundswell.analytics.models import Dimension
from groundswell.analytics.queries import BreakdownRow
from groundswell.privacy.models import MemberPrivacy
from groundswell.workspaces.models import Membership

SMALL_GROUPS_LABEL = "Smaller groups, together"


def shares_with_manager(member: Membership) -> bool:
    return MemberPrivacy.objects.filter(member_id=member.pk, share_stats_with_manager=True).exists()


def can_see_member_stats(viewer: Membership, subject: Membership) -> bool:
    if viewer.workspace_id != subject.workspace_id or not viewer.is_active:
        return False
    if viewer.pk == subject.pk or viewer.is_admin:
        return True
    return subject.manager_id == viewer.pk and shares_with_manager(subject)


def reports(viewer: Membership) -> QuerySet[Membership]:
    """The viewer's active direct reports."""
    return Membership.objects.filter(workspace_id=viewer.workspace_id, manager_id=viewer.pk, is_active=True)


def reports_sharing(viewer: Membership) -> QuerySet[Membership]:
    """The direct reports whose own statistics ``viewer`` may see."""
    return reports(viewer).filter(privacy__share_stats_with_manager=True)


def group_is_visible(viewer: Membership, size: int) -> bool:
    """Whether ``viewer`` may see the totals of a group of ``size`` people."""
    return viewer.is_admin or size >= viewer.workspace.min_group_size


def fold_small_groups(viewer: Membership, dimension: str, rows: list[BreakdownRow]) -> list[BreakdownRow]:
    """Department or location totals as ``viewer`` may see them.

    For someone who is not a program admin, groups with fewer active members than the workspace's
    ``min_group_size`` are added up into one "Smaller groups" row — shown only if that row itself covers
    enough people — so a small team's numbers never point to a person.
    """
    if viewer.is_admin or dimension not in (Dimension.DEPARTMENT, Dimension.LOCATION) or not rows:
        return rows
    column = "department_id" if dimension == Dimension.DEPARTMENT else "location_id"
    sizes = {
        str(row[column]): row["n"]
        for row in Membership.objects.filter(workspace_id=viewer.workspace_id, is_active=True)
        .values(column)
        .annotate(n=Count("id"))
        .order_by()
    }
    minimum = viewer.workspace.min_group_size
    shown = [r for r in rows if sizes.get(r.key, 0) >= minimum]
    small = [r for r in rows if sizes.get(r.key, 0) < minimum]
    if small and sum(sizes.get(r.key, 0) for r in small) >= minimum:
        shown.append(
            BreakdownRow(
                key="",
                label=SMALL_GROUPS_LABEL,
                shares=sum(r.shares for r in small),
                clicks=sum(r.clicks for r in small),
                unique=sum(r.unique for r in small),
                reach=sum(r.reach for r in small),
                active_members=None,
                engagements=sum(r.engagements for r in small),
                impressions=sum(r.impressions for r in small),
            )
        )
    return shown
