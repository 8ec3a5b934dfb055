"""What anybody in the company sees of one person's activity: the one rule (ADR 0025), in one module.

Every page, API read and export that shows a person's own numbers, or a board or table of people, asks here.
``privacy/tests/test_guard.py`` fails when a view or API endpoint reads per-person activity any other way.

**A person's own statistics** (their shares, clicks and points, one person at a time):

* the member themselves: always;
* program admins: always — they run the program (points, payroll, prizes) and the privacy centre says so;
* their manager (``Membership.manager``): only when the member shares their statistics with their manager
  (``MemberPrivacy.share_stats_with_manager``, off unless the member turns it on — ADR 0012);
* nobody else.

**Boards** (leaderboards of every scope and period, "near me", points per opportunity, leagues, contest
entries): a person appears

* by name only when they chose "under my name" themselves (``LeaderboardVisibility.NAME``: nobody else can
  set it, and a member who never chose is private);
* as "Anonymous ambassador" when they chose it *and* the board has at least ``workspace.min_group_size``
  anonymous people, so an anonymous row cannot be pinned on someone in a small department or team; with
  fewer, the anonymous rows are left out of that board (and out of everyone's rank);
* never when they are private (the default): only they see their own row and place.

Program admins and managers see boards exactly like everyone else.

**Totals of a group** (departments and teams) are shown to someone who is not a program admin only when
the people in the group whose numbers the viewer cannot see one by one — everyone except the viewer, people
who appear on boards by name and reports who share their statistics with the viewer — are none or at least
``min_group_size``; otherwise a total minus the known people would be one person's numbers.

Nothing here reads a person's enrolment answer, and "private" is the same whether someone chose it, never
answered, or declined the call for interest: a manager's view never depends on which.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from django.db.models import Model, Q, QuerySet

from groundswell.analytics.models import Dimension
from groundswell.analytics.queries import BreakdownRow
from groundswell.privacy.models import MemberPrivacy
from groundswell.workspaces.models import LeaderboardVisibility, Membership

SMALL_GROUPS_LABEL = "Everyone else, together"
ANONYMOUS_NAME = "Anonymous ambassador"
PRIVATE_ENTRANT = "Private entrant"
#: Shown under every board (whatever the board holds, so the sentence itself reveals nothing).
BOARD_NOTE = (
    "Only people who chose to appear are on boards. Anonymous entries are listed only where at least "
    "{k} people appear anonymously, so nobody can be picked out of a small team."
)

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class Audience:
    """One line of "who can see what" in the privacy centre: who, what exactly, and why."""

    who: str
    what: str
    why: str


#: The privacy centre prints this table as it is: the same module that enforces the rule states it.
WHO_SEES_WHAT: tuple[Audience, ...] = (
    Audience(
        "You",
        "All your own numbers: shares, clicks, points, your place on every board, your league, your bonus.",
        "It is yours. Only you see your place on a board while you are private.",
    ),
    Audience(
        "Everyone in {workspace}, your manager and program admins included",
        "Your name, points, shares and clicks on boards (whole company, your department, location and team; "
        "near me; points per opportunity; your league) and your name on contest entries — only if you choose "
        "“under my name”. A department or team board is then a report of your numbers to your manager.",
        "Boards are for people who enjoy them. Nobody appears by name unless they chose to.",
    ),
    Audience(
        "Everyone in {workspace}",
        "Your points, shares and clicks without your name, if you choose “anonymously” — and only on boards "
        "where at least {k} people appear anonymously; elsewhere you are left out, so nobody can tell which "
        "row is yours in a small team.",
        "To take part without being identified.",
    ),
    Audience(
        "Your manager",
        "Your own shares, clicks and points on their team page and through the API — only if you turn on "
        "“share my statistics with my manager” below.",
        "Coaching, when you want it. Off unless you turn it on.",
    ),
    Audience(
        "Your manager",
        "Totals of your team and department — only when at least {k} people in them keep their numbers "
        "private (or none do), so a total never stands for one person.",
        "To see how the program goes without watching anyone.",
    ),
    Audience(
        "Program admins",
        "Your individual shares, clicks and points; points adjustments and anti-gaming findings about you.",
        "They run the program: they check points, review findings and fix failed posts.",
    ),
    Audience(
        "Program admins",
        "Your name, employee id, points and amount in a bonus period, and in its payroll file; your name if "
        "you win a contest.",
        "Payroll must name who is paid, and a prize must reach its winner.",
    ),
    Audience(
        "Nobody else",
        "Whether you said “not now” to a call for interest or did not answer; whether you chose to be private "
        "or never chose. A manager's pages look exactly the same either way.",
        "Taking part is voluntary, and saying no must cost nothing.",
    ),
)


def who_sees_what(member: Membership) -> list[Audience]:
    """``WHO_SEES_WHAT`` with the member's workspace name and minimum group size filled in."""
    k = str(member.workspace.min_group_size)
    name = member.workspace.name
    return [Audience(a.who.format(workspace=name), a.what.format(k=k), a.why.format(k=k)) for a in WHO_SEES_WHAT]


# --- one person's own statistics -----------------------------------------------------------------


def shares_with_manager(member: Membership) -> bool:
    return MemberPrivacy.objects.filter(member_id=member.pk, share_stats_with_manager=True).exists()


def can_see_member_stats(viewer: Membership, subject: Membership) -> bool:
    if viewer.workspace_id != subject.workspace_id or not viewer.is_active:
        return False
    if viewer.pk == subject.pk or viewer.is_admin:
        return True
    return subject.manager_id == viewer.pk and shares_with_manager(subject)


def can_see_member_shares(viewer: Membership, subject: Membership) -> bool:
    """A person's shares one by one (items, captions, links, their clicks): themselves and program admins,
    who review and fix posts. Not managers: "share my statistics" shares numbers, not what one wrote."""
    if viewer.workspace_id != subject.workspace_id or not viewer.is_active:
        return False
    return viewer.pk == subject.pk or viewer.is_admin


def reports(viewer: Membership) -> QuerySet[Membership]:
    """The viewer's active direct reports."""
    return Membership.objects.filter(workspace_id=viewer.workspace_id, manager_id=viewer.pk, is_active=True)


def reports_sharing(viewer: Membership) -> QuerySet[Membership]:
    """The direct reports whose own statistics ``viewer`` may see."""
    return reports(viewer).filter(privacy__share_stats_with_manager=True)


# --- boards ----------------------------------------------------------------------------------------


def appears_by_name(visibility: str) -> bool:
    return visibility == LeaderboardVisibility.NAME


def on_boards_filter(prefix: str = "") -> Q:
    """People who chose to appear on boards (by name or anonymously), for callers that seat people
    (leagues): private people never take part."""
    return ~Q(**{f"{prefix}leaderboard_visibility": LeaderboardVisibility.HIDDEN})


@dataclass(frozen=True)
class Board(Generic[M]):
    """The rows of a board one viewer may see, and whether its anonymous people are listed."""

    rows: QuerySet[M]
    anonymous_listed: bool

    def listed(self, member: Membership) -> bool:
        """Whether others see ``member`` on this board."""
        if member.leaderboard_visibility == LeaderboardVisibility.ANONYMOUS:
            return self.anonymous_listed
        return appears_by_name(member.leaderboard_visibility)


def board_rows(viewer: Membership, rows: QuerySet[M], member: str = "member") -> Board[M]:
    """The rows of a board that ``viewer`` sees: named people, anonymous people when there are enough of
    them on this board, and the viewer's own row (only they see it when they are private).

    ``rows`` is the whole board (one row per person, already limited to the scope and period, inactive
    people left out); ``member`` is the name of its foreign key to ``Membership``. One count query.
    """
    vis = f"{member}__leaderboard_visibility"
    # The count reads every row of the board with its member's visibility (bench/leagues: what near me costs
    # at 100,000 people; starting from the anonymous members instead made small boards slower).
    anonymous = rows.filter(**{vis: LeaderboardVisibility.ANONYMOUS}).order_by().count()
    shown = Q(**{vis: LeaderboardVisibility.NAME}) | Q(**{f"{member}_id": viewer.pk})
    anonymous_listed = anonymous >= viewer.workspace.min_group_size
    if anonymous_listed:
        shown |= Q(**{vis: LeaderboardVisibility.ANONYMOUS})
    return Board(rows.filter(shown), anonymous_listed)


def board_name(viewer: Membership, subject_id: int, display_name: str, visibility: str) -> str:
    """The name of a board row as ``viewer`` sees it (their own row shows their name, even when private)."""
    if subject_id == viewer.pk and visibility != LeaderboardVisibility.ANONYMOUS:
        return display_name
    return display_name if appears_by_name(visibility) else ANONYMOUS_NAME


def board_note(viewer: Membership) -> str:
    return BOARD_NOTE.format(k=viewer.workspace.min_group_size)


@dataclass(frozen=True)
class Entrant:
    member_id: int
    display_name: str
    visibility: str


def entrant_label(viewer: Membership, entrant: Entrant | None, *, winner: bool = False) -> str:
    """How a published contest entry is labelled: by name only by the entrant's choice; the viewer sees
    their own; program admins see the winners' names (they hand over the prizes)."""
    if entrant is None:
        return "Former member"
    if entrant.member_id == viewer.pk:
        return f"You ({entrant.display_name})"
    if appears_by_name(entrant.visibility) or (winner and viewer.is_admin):
        return entrant.display_name
    return PRIVATE_ENTRANT


# --- totals of groups ------------------------------------------------------------------------------


def _known_ids(viewer: Membership, ids: Collection[int]) -> set[int]:
    """People among ``ids`` whose numbers ``viewer`` can see one by one (or knows, being one of them)."""
    known = set(
        Membership.objects.filter(pk__in=list(ids))
        .filter(
            Q(pk=viewer.pk)
            | Q(leaderboard_visibility=LeaderboardVisibility.NAME)
            | Q(manager_id=viewer.pk, privacy__share_stats_with_manager=True)
        )
        .values_list("pk", flat=True)
    )
    return known


def private_count(viewer: Membership, ids: Collection[int], known: Collection[int] | None = None) -> int:
    """How many of ``ids`` keep their numbers private from ``viewer``."""
    known_ids = _known_ids(viewer, ids) if known is None else set(known)
    return len(set(ids) - known_ids)


def safe_total(viewer: Membership, private: int) -> bool:
    """A total over people of whom ``private`` are unknown to the viewer points to nobody."""
    return viewer.is_admin or private == 0 or private >= viewer.workspace.min_group_size


def group_is_visible(viewer: Membership, size: int) -> bool:
    """Whether ``viewer`` may see the totals of a group of ``size`` people nobody can see one by one."""
    return safe_total(viewer, size)


@dataclass(frozen=True)
class TeamTotals:
    shown: bool
    reason: str
    members: frozenset[int]  # the people the totals cover


TOO_FEW = (
    "Team totals appear once at least {k} of your reports keep their statistics private, so nobody can be singled out."
)
OVERLAP = (
    "Team totals are not shown: compared with your department's total on the dashboard, they would single out "
    "the few people who are in only one of them."
)


def team_totals(viewer: Membership, report_ids: Collection[int]) -> TeamTotals:
    """Whether the total of the viewer's direct reports may be shown to them.

    The total covers all reports. It is shown when the reports whose numbers the viewer cannot see are none
    or at least ``min_group_size``, and when it cannot be compared with the viewer's department total (shown
    on the dashboard) to single out the few people in only one of the two.
    """
    team = set(report_ids)
    k = viewer.workspace.min_group_size
    if not team:
        return TeamTotals(False, "", frozenset())
    if viewer.is_admin:
        return TeamTotals(True, "", frozenset(team))
    department: set[int] = set()
    if viewer.department_id is not None:
        department = set(
            Membership.objects.filter(
                workspace_id=viewer.workspace_id, is_active=True, department_id=viewer.department_id
            ).values_list("pk", flat=True)
        )
    known = _known_ids(viewer, team | department)
    if not safe_total(viewer, private_count(viewer, team, known)):
        return TeamTotals(False, TOO_FEW.format(k=k), frozenset(team))
    if department:
        for difference in (department - team, team - department):
            if not safe_total(viewer, private_count(viewer, difference, known)):
                return TeamTotals(False, OVERLAP, frozenset(team))
    return TeamTotals(True, "", frozenset(team))


def fold_small_groups(
    viewer: Membership, dimension: str, rows: list[BreakdownRow], total: BreakdownRow
) -> list[BreakdownRow]:
    """Department or location totals as ``viewer`` may see them.

    For someone who is not a program admin, a group is listed only when the people in it whose numbers the
    viewer cannot see one by one are none or at least ``min_group_size``. The others are added up into one
    "everyone else" row; when that row itself would cover too few private people, the smallest listed groups
    join it until it does not. The row is ``total`` (the workspace's figures over the same days) minus the
    listed groups, so it also holds the people in no department: it reveals nothing that the workspace
    total and the listed rows do not.
    """
    if viewer.is_admin or dimension not in (Dimension.DEPARTMENT, Dimension.LOCATION) or not rows:
        return rows
    column = "department_id" if dimension == Dimension.DEPARTMENT else "location_id"
    people: dict[str, set[int]] = {}
    everyone: set[int] = set()
    for pk, group in Membership.objects.filter(workspace_id=viewer.workspace_id, is_active=True).values_list(
        "pk", column
    ):
        people.setdefault(str(group) if group is not None else "", set()).add(pk)
        everyone.add(pk)
    known = _known_ids(viewer, everyone)

    def private(ids: Iterable[int]) -> int:
        return private_count(viewer, set(ids), known)

    shown = [r for r in rows if r.key and people.get(r.key) and safe_total(viewer, private(people[r.key]))]
    while True:
        listed_ids = set().union(*(people[r.key] for r in shown)) if shown else set()
        if safe_total(viewer, private(everyone - listed_ids)) or not shown:
            break
        smallest = min(shown, key=lambda r: (private(people[r.key]), r.clicks, r.label))
        shown.remove(smallest)
    other = BreakdownRow(
        key="",
        label=SMALL_GROUPS_LABEL,
        shares=max(0, total.shares - sum(r.shares for r in shown)),
        clicks=max(0, total.clicks - sum(r.clicks for r in shown)),
        unique=max(0, total.unique - sum(r.unique for r in shown)),
        reach=max(0, total.reach - sum(r.reach for r in shown)),
        active_members=None,
        engagements=max(0, total.engagements - sum(r.engagements for r in shown)),
        impressions=max(0, total.impressions - sum(r.impressions for r in shown)),
    )
    if other.shares or other.clicks or other.engagements or other.impressions or other.reach:
        return [*shown, other]
    return shown
