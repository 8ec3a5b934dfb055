"""What a manager may see about enrolment: totals of fixed groups that cannot single anyone out.

The rules (ADR 0008):

1. The groups are fixed — the manager's direct reports and their department — never a filter the manager
   chooses, so a manager cannot build "the department minus Bob".
2. The viewer is left out of every group (they know their own answer), and so are the reports who allowed
   their manager to see them by name (they are listed by name instead): what remains are the people whose
   answer is private, and only they are counted.
3. A group is totalled only when at least ``workspace.min_group_size`` people remain.
4. Two groups are both totalled only when each one's difference from the other is empty or itself at
   least that large: otherwise comparing the two totals would reveal the few people in the difference.
5. Only *joined* counts (and joined by activity) are shown: declined and unanswered are never told apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count

from groundswell.enrolment.models import Activity, ChoiceKind, Enrolment, EnrolmentChoice, Status
from groundswell.enrolment.queries import volunteer_rows
from groundswell.workspaces.models import Membership

TOO_FEW = "Too few people to show totals without singling someone out."
OVERLAP = "Not shown: compared with {other}, it would single out the few people who are in only one of them."


@dataclass
class GroupTotals:
    key: str
    label: str
    size: int  # people counted (private answers only)
    reason: str = ""  # why the totals are not shown, when they are not
    joined: int = 0
    by_activity: list[tuple[str, int]] = field(default_factory=list)

    @property
    def shown(self) -> bool:
        return not self.reason


@dataclass
class TeamView:
    threshold: int
    groups: list[GroupTotals]
    named: list[Membership]  # direct reports who joined and allowed their manager to see it


def team_view(viewer: Membership) -> TeamView:
    workspace = viewer.workspace
    threshold = workspace.min_group_size
    named = list(
        volunteer_rows(
            Membership.objects.filter(
                workspace=workspace,
                is_active=True,
                manager=viewer,
                enrolment__status=Status.JOINED,
                enrolment__show_to_manager=True,
            )
            .exclude(pk=viewer.pk)
            .order_by("display_name", "pk")
        )
    )
    hidden = {m.pk for m in named} | {viewer.pk}
    candidates: list[tuple[str, str, set[int]]] = []
    reports = set(
        Membership.objects.filter(workspace=workspace, is_active=True, manager=viewer).values_list("pk", flat=True)
    )
    candidates.append(("reports", "Your direct reports", reports - hidden))
    if viewer.department_id is not None:
        dept = set(
            Membership.objects.filter(
                workspace=workspace, is_active=True, department_id=viewer.department_id
            ).values_list("pk", flat=True)
        )
        assert viewer.department is not None
        candidates.append(("department", f"Department: {viewer.department.name}", dept - hidden))

    groups: list[GroupTotals] = []
    totalled: list[tuple[GroupTotals, set[int]]] = []
    for key, label, ids in candidates:
        group = GroupTotals(key=key, label=label, size=len(ids))
        if len(ids) < threshold:
            group.reason = TOO_FEW
        else:
            for other, other_ids in totalled:
                if 0 < len(ids - other_ids) < threshold or 0 < len(other_ids - ids) < threshold:
                    group.reason = OVERLAP.format(other=other.label.lower())
                    break
        if group.shown:
            _fill(group, ids)
            totalled.append((group, ids))
        groups.append(group)
    return TeamView(threshold=threshold, groups=groups, named=named)


def _fill(group: GroupTotals, ids: set[int]) -> None:
    group.joined = Enrolment.objects.filter(member_id__in=ids, status=Status.JOINED).count()
    counts = dict(
        EnrolmentChoice.objects.filter(
            enrolment__member_id__in=ids, enrolment__status=Status.JOINED, kind=ChoiceKind.ACTIVITY
        )
        .values_list("value")
        .annotate(n=Count("pk"))
        .values_list("value", "n")
    )
    group.by_activity = [(label, counts.get(value, 0)) for value, label in Activity.choices]
