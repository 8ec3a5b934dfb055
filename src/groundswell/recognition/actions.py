"""The write layer for contests, bonus periods and badges (reads of the points ledger live here too)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q, Sum
from django.urls import reverse
from django.utils import timezone

from groundswell.analytics.models import MemberPeriod
from groundswell.lib.export import csv_text
from groundswell.lib.periods import ALL_TIME_START, period_start
from groundswell.notify import actions as notify
from groundswell.recognition import draws
from groundswell.recognition.allocation import Allocation, FormulaError, PoolFormula, allocate
from groundswell.recognition.models import (
    BadgeCursor,
    BadgeKind,
    BonusPayout,
    BonusPeriod,
    BonusStatus,
    Contest,
    ContestMethod,
    ContestStatus,
    ContestWinner,
    Draw,
    MemberBadge,
)
from groundswell.rewards.models import Action, PointsEntry
from groundswell.workspaces.models import Membership, Role, Workspace


class RecognitionError(ValueError):
    """Something an admin asked for that cannot be done, with a message saying why."""


# --- Points in a period ---------------------------------------------------------------------------


def points_between(
    workspace: Workspace, start: dt.date, end: dt.date, member_ids: Iterable[int] | None = None
) -> dict[int, int]:
    """Ledger points per member for the days ``start``..``end`` (inclusive), adjustments included.

    Read from the ledger itself (one grouped query), so anti-gaming reversals and manual adjustments count.
    """
    qs = PointsEntry.objects.filter(workspace=workspace, day__gte=start, day__lte=end)
    if member_ids is not None:
        qs = qs.filter(member_id__in=list(member_ids))
    rows = qs.values("member_id").annotate(total=Sum("points")).values_list("member_id", "total")
    return {member_id: max(0, int(total or 0)) for member_id, total in rows}


# --- Contests -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    key: str
    member_id: int
    points: int
    tickets: int
    baseline: float


def entry_key(contest: Contest, member_id: int) -> str:
    """The opaque key under which a member's entry is published (members see which one is theirs).

    Derived from the contest's secret ``entry_salt``, which is never published, so that a colleague or
    manager cannot compute a given person's key from their membership id and read their points (ADR 0025).
    Contests created before the salt existed keep their original keys, which their published draws use.
    """
    secret = contest.entry_salt or contest.seed_commitment
    return hashlib.sha256(f"{contest.pk}:{member_id}:{secret}".encode()).hexdigest()[:12]


@transaction.atomic
def create_contest(
    *,
    workspace: Workspace,
    by: Membership,
    name: str,
    goal: str,
    starts_on: dt.date,
    ends_on: dt.date,
    method: str,
    prizes: int,
    prize_description: str,
    threshold_points: int,
    points_cap: int,
    cooldown: int,
    department_id: int | None = None,
    location_id: int | None = None,
    admins_can_win: bool = False,
) -> Contest:
    if ends_on < starts_on:
        raise RecognitionError("The contest must end on or after the day it starts.")
    if (ends_on - starts_on).days > 366:
        raise RecognitionError("A contest can last a year at most.")
    if method not in ContestMethod.values:
        raise RecognitionError("Choose how winners are selected.")
    if not 1 <= prizes <= 100:
        raise RecognitionError("A contest has between 1 and 100 prizes.")
    if points_cap < 1 or threshold_points > points_cap:
        raise RecognitionError("The points cap must be at least 1 and at least the threshold.")
    if cooldown > 24:
        raise RecognitionError("A cooldown longer than 24 draws would keep winners out for years.")
    seed = draws.new_seed()
    return Contest.objects.create(
        workspace=workspace,
        created_by=by,
        name=name.strip(),
        goal=goal.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        method=method,
        prizes=prizes,
        prize_description=prize_description.strip(),
        threshold_points=threshold_points,
        points_cap=points_cap,
        cooldown=cooldown,
        department_id=department_id,
        location_id=location_id,
        admins_can_win=admins_can_win,
        seed=seed,
        seed_commitment=draws.commitment(seed),
        entry_salt=draws.new_seed(),
    )


def eligible_members(contest: Contest) -> list[Membership]:
    qs = Membership.objects.filter(workspace_id=contest.workspace_id, is_active=True)
    if not contest.admins_can_win:
        qs = qs.exclude(role=Role.ADMIN)
    if contest.department_id:
        qs = qs.filter(department_id=contest.department_id)
    if contest.location_id:
        qs = qs.filter(location_id=contest.location_id)
    return list(qs.only("pk", "display_name", "leaderboard_visibility", "role"))


def recent_winner_ids(contest: Contest) -> set[int]:
    """Members who won one of the ``cooldown`` draws of the workspace before this contest's draw."""
    if contest.cooldown <= 0:
        return set()
    previous = (
        Draw.objects.filter(contest__workspace_id=contest.workspace_id)
        .exclude(contest_id=contest.pk)
        .filter(
            Q(contest__ends_on__lt=contest.ends_on) | Q(contest__ends_on=contest.ends_on, contest_id__lt=contest.pk)
        )
        .order_by("-contest__ends_on", "-contest_id")
        .values_list("contest_id", flat=True)[: contest.cooldown]
    )
    return set(ContestWinner.objects.filter(contest_id__in=list(previous)).values_list("member_id", flat=True))


def contest_entries(contest: Contest) -> tuple[list[Entry], list[str]]:
    """Everyone who takes part (reached the threshold, eligible, not cooling down) and the cooled-down keys."""
    members = eligible_members(contest)
    ids = [m.pk for m in members]
    points = points_between(contest.workspace, contest.starts_on, contest.ends_on, ids)
    baseline: dict[int, float] = {}
    if contest.method == ContestMethod.IMPROVED:
        length = (contest.ends_on - contest.starts_on).days + 1
        windows = [
            points_between(
                contest.workspace,
                contest.starts_on - dt.timedelta(days=length * k),
                contest.starts_on - dt.timedelta(days=length * (k - 1) + 1),
                ids,
            )
            for k in (1, 2, 3)
        ]
        baseline = {i: sum(min(w.get(i, 0), contest.points_cap) for w in windows) / 3 for i in ids}
    cooling = recent_winner_ids(contest)
    entries: list[Entry] = []
    cooled: list[str] = []
    for member_id in ids:
        capped = min(points.get(member_id, 0), contest.points_cap)
        if capped < max(1, contest.threshold_points):
            continue
        key = entry_key(contest, member_id)
        if member_id in cooling:
            cooled.append(key)
            continue
        entries.append(Entry(key, member_id, points.get(member_id, 0), capped, round(baseline.get(member_id, 0.0), 2)))
    entries.sort(key=lambda e: e.key)
    return entries, sorted(cooled)


def run_draw(method: str, seed: str, entries: list[dict[str, object]], prizes: int) -> list[str]:
    """The winners of a published draw, from its published inputs only (used to draw and to verify)."""
    tickets = {str(e["key"]): int(e["tickets"]) for e in entries}  # type: ignore[call-overload]
    if method == ContestMethod.RAFFLE:
        return draws.weighted_raffle(seed, tickets, prizes).winners
    if method == ContestMethod.TOP:
        return draws.top_n(seed, {k: float(v) for k, v in tickets.items()}, prizes).winners
    baseline = {str(e["key"]): float(e["baseline"]) for e in entries}  # type: ignore[arg-type]
    return draws.most_improved(seed, {k: float(v) for k, v in tickets.items()}, baseline, prizes).winners


def draw_contest(*, contest: Contest, by: Membership, today: dt.date) -> Draw:
    """Close the contest and publish its draw: the seed, every entry and the winners. Runs once."""
    if contest.status != ContestStatus.OPEN:
        raise RecognitionError("This contest has already been drawn or was cancelled.")
    if today <= contest.ends_on:
        raise RecognitionError(
            f"The draw can run once the contest is over, from {contest.ends_on + dt.timedelta(days=1):%d %b %Y}."
        )
    with transaction.atomic():
        claimed = Contest.objects.filter(pk=contest.pk, status=ContestStatus.OPEN).update(status=ContestStatus.DRAWN)
        if claimed != 1:
            raise RecognitionError("Someone else ran this draw a moment ago.")
        entries, cooled = contest_entries(contest)
        published = [{"key": e.key, "points": e.points, "tickets": e.tickets, "baseline": e.baseline} for e in entries]
        winners = run_draw(contest.method, contest.seed, published, contest.prizes) if published else []
        draw = Draw.objects.create(
            contest=contest,
            method=contest.method,
            seed=contest.seed,
            entries=published,
            cooled_down=cooled,
            winners=winners,
            drawn_by=by,
        )
        by_key = {e.key: e.member_id for e in entries}
        ContestWinner.objects.bulk_create(
            ContestWinner(workspace_id=contest.workspace_id, contest=contest, member_id=by_key[key], position=i + 1)
            for i, key in enumerate(winners)
        )
        notify.notify_many([e.member_id for e in entries], notify.Kind.CONTEST_RESULT, f"Results: {contest.name}",
                           "The draw is published: see who won.", _contest_url(contest))  # fmt: skip
    contest.status = ContestStatus.DRAWN
    return draw


def _contest_url(contest: Contest) -> str:
    return reverse("recognition:contest", kwargs={"ws": contest.workspace.slug, "contest_id": contest.pk})


def verify_draw(draw: Draw) -> bool:
    """Recompute the winners from the published seed and entries; True when they match."""
    if not draws.verify_commitment(draw.seed, draw.contest.seed_commitment):
        return False
    return run_draw(draw.method, draw.seed, list(draw.entries), draw.contest.prizes) == list(draw.winners)


@transaction.atomic
def cancel_contest(*, contest: Contest) -> None:
    if Contest.objects.filter(pk=contest.pk, status=ContestStatus.OPEN).update(status=ContestStatus.CANCELLED) != 1:
        raise RecognitionError("Only an open contest can be cancelled.")


# --- Bonus pool -----------------------------------------------------------------------------------


def formula_of(period: BonusPeriod) -> PoolFormula:
    return PoolFormula(
        threshold=period.threshold, cap=period.cap, floor_cents=period.floor_cents, ceiling_cents=period.ceiling_cents
    )


@transaction.atomic
def create_bonus_period(
    *,
    workspace: Workspace,
    by: Membership,
    name: str,
    starts_on: dt.date,
    ends_on: dt.date,
    currency: str,
    pool_cents: int,
    threshold: int,
    cap: int,
    floor_cents: int,
    ceiling_cents: int,
) -> BonusPeriod:
    if ends_on < starts_on:
        raise RecognitionError("The period must end on or after the day it starts.")
    if len(currency) != 3 or not currency.isalpha():
        raise RecognitionError("Use a three-letter currency code such as EUR or USD.")
    try:
        PoolFormula(threshold=threshold, cap=cap, floor_cents=floor_cents, ceiling_cents=ceiling_cents).validate()
    except FormulaError as exc:
        raise RecognitionError(str(exc)) from None
    if pool_cents < 1:
        raise RecognitionError("The pool must hold some money.")
    return BonusPeriod.objects.create(
        workspace=workspace,
        created_by=by,
        name=name.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        currency=currency.upper(),
        pool_cents=pool_cents,
        threshold=threshold,
        cap=cap,
        floor_cents=floor_cents,
        ceiling_cents=ceiling_cents,
    )


def bonus_members(period: BonusPeriod) -> dict[int, Membership]:
    members = Membership.objects.filter(workspace_id=period.workspace_id, is_active=True).exclude(role=Role.ADMIN)
    return {m.pk: m for m in members.select_related("user").only("pk", "display_name", "employee_id", "user__email")}


def preview_bonus(period: BonusPeriod) -> tuple[Allocation, dict[int, Membership]]:
    """What the allocation would be if the period closed now (the same function closing uses)."""
    members = bonus_members(period)
    points = points_between(period.workspace, period.starts_on, period.ends_on, members)
    allocation = allocate(period.pool_cents, {str(pk): points.get(pk, 0) for pk in members}, formula_of(period))
    return allocation, members


def close_bonus_period(*, period: BonusPeriod, by: Membership, today: dt.date) -> BonusPeriod:
    """Compute the allocation one last time and freeze it: payouts are immutable from now on."""
    if period.status != BonusStatus.DRAFT:
        raise RecognitionError("This period is already closed.")
    if today <= period.ends_on:
        raise RecognitionError(
            f"The period can be closed once it is over, from {period.ends_on + dt.timedelta(days=1):%d %b %Y}."
        )
    with transaction.atomic():
        now = timezone.now()
        claimed = BonusPeriod.objects.filter(pk=period.pk, status=BonusStatus.DRAFT).update(
            status=BonusStatus.CLOSED, closed_at=now, closed_by=by
        )
        if claimed != 1:
            raise RecognitionError("Someone else closed this period a moment ago.")
        allocation, members = preview_bonus(period)
        BonusPayout.objects.bulk_create(
            BonusPayout(
                period=period,
                member=members[int(key)],
                points=line.points,
                capped=line.capped,
                qualified=line.qualified,
                cents=line.cents,
                bound=line.bound,
                steps=line.steps,
                display_name=members[int(key)].display_name,
                email=members[int(key)].user.email,
                employee_id=members[int(key)].employee_id,
            )
            for key, line in allocation.lines.items()
            if line.points > 0
        )
        BonusPeriod.objects.filter(pk=period.pk).update(unallocated_cents=allocation.unallocated_cents)
    period.refresh_from_db()
    return period


def money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def payroll_csv(period: BonusPeriod) -> str:
    """The payroll export of a closed period: one row per person paid."""
    if period.status != BonusStatus.CLOSED:
        raise RecognitionError("The payroll file exists once the period is closed.")
    header = ["employee_id", "name", "email", "amount", "currency", "period", "period_start", "period_end"]
    rows = (
        [
            payout.employee_id,
            payout.display_name,
            payout.email,
            money(payout.cents),
            period.currency,
            period.name,
            period.starts_on.isoformat(),
            period.ends_on.isoformat(),
        ]
        for payout in period.payouts.filter(cents__gt=0).order_by("display_name", "pk")
    )
    return csv_text(header, rows)


# --- Badges ---------------------------------------------------------------------------------------

FIRST_BADGES: dict[str, str] = {
    Action.SHARE: BadgeKind.FIRST_SHARE,
    Action.UNIQUE_CLICK: BadgeKind.FIRST_CLICK,
    Action.ANSWER: BadgeKind.FIRST_ANSWER,
    Action.LESSON: BadgeKind.FIRST_LESSON,
}
STREAKS = ((12, BadgeKind.STREAK_12), (4, BadgeKind.STREAK_4))
BADGE_CHUNK = 5000


def share_streak(workspace_id: int, member_id: int, today: dt.date) -> int:
    """Weeks in a row, up to this one (or the last one), with at least one share."""
    weeks = set(
        MemberPeriod.objects.filter(
            workspace_id=workspace_id,
            member_id=member_id,
            period="w",
            shares__gt=0,
            start__gte=today - dt.timedelta(weeks=14),
        ).values_list("start", flat=True)
    )
    week = period_start("w", today)
    if week not in weeks:
        week -= dt.timedelta(weeks=1)
    streak = 0
    while week in weeks:
        streak += 1
        week -= dt.timedelta(weeks=1)
    return streak


def award_badges(workspace: Workspace, *, today: dt.date) -> int:
    """Read the ledger lines added since the last run and award the milestones they reach. Returns badges added.

    The cursor moves with a conditional update: two workers never process the same lines twice (and badges
    are unique per member anyway).
    """
    cursor, _ = BadgeCursor.objects.get_or_create(workspace=workspace)
    added = 0
    while True:
        start = cursor.last_entry_id
        rows = list(
            PointsEntry.objects.filter(workspace=workspace, pk__gt=start, points__gt=0)
            .order_by("pk")
            .values_list("pk", "member_id", "action", "created_at")[:BADGE_CHUNK]
        )
        if not rows:
            return added
        # badge -> when it was earned: the ledger line that earned it (milestones read now: now).
        earned: dict[tuple[int, str], dt.datetime] = {}
        sharers: set[int] = set()
        clickers: set[int] = set()
        now = timezone.now()
        for _, member_id, action, created_at in rows:
            if action in FIRST_BADGES:
                earned.setdefault((member_id, FIRST_BADGES[action]), created_at)
            if action == Action.SHARE:
                sharers.add(member_id)
            if action == Action.UNIQUE_CLICK:
                clickers.add(member_id)
        for member_id in sharers:
            streak = share_streak(workspace.pk, member_id, today)
            for weeks, badge in STREAKS:
                if streak >= weeks:
                    earned.setdefault((member_id, badge), now)
        if clickers:
            for member_id in MemberPeriod.objects.filter(
                workspace=workspace, member_id__in=clickers, period="a", start=ALL_TIME_START, unique_clicks__gte=100
            ).values_list("member_id", flat=True):
                earned.setdefault((member_id, BadgeKind.HUNDRED_CLICKS), now)
        last = rows[-1][0]
        with transaction.atomic():
            if BadgeCursor.objects.filter(pk=cursor.pk, last_entry_id=start).update(last_entry_id=last) != 1:
                return added  # another worker is on it
            before = MemberBadge.objects.filter(workspace=workspace).count()
            MemberBadge.objects.bulk_create(
                [
                    MemberBadge(workspace=workspace, member_id=m, badge=b, earned_at=earned[(m, b)])
                    for m, b in sorted(earned)
                ],
                ignore_conflicts=True,
            )
            added += MemberBadge.objects.filter(workspace=workspace).count() - before
        cursor.last_entry_id = last
