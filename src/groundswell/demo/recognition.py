"""Demo recognition: last month's raffle drawn and its bonus period closed; this month's both open."""

from __future__ import annotations

import datetime as dt

from groundswell.lib.periods import period_end, period_start
from groundswell.recognition import actions
from groundswell.workspaces.models import Membership, Role, Workspace


def build_recognition(workspace: Workspace, today: dt.date) -> None:
    admin = Membership.objects.filter(workspace=workspace, role=Role.ADMIN).order_by("pk").first()
    if admin is None:
        return
    this_month = period_start("m", today)
    last_month = period_start("m", this_month - dt.timedelta(days=1))
    for start, name in ((last_month, "Autumn stories raffle"), (this_month, "Winter launch raffle")):
        end = period_end("m", start) - dt.timedelta(days=1)
        contest = actions.create_contest(
            workspace=workspace,
            by=admin,
            name=name,
            goal="Share at least three stories from the content hub this month: every point up to 400 is a ticket.",
            starts_on=start,
            ends_on=end,
            method="raffle",
            prizes=5,
            prize_description="A Northwind day pack and a donation to a trail charity of your choice",
            threshold_points=30,
            points_cap=400,
            cooldown=5,
        )
        period = actions.create_bonus_period(
            workspace=workspace,
            by=admin,
            name=f"Bonus pool, {start:%B %Y}",
            starts_on=start,
            ends_on=end,
            currency="EUR",
            pool_cents=250_000,
            threshold=30,
            cap=400,
            floor_cents=500,
            ceiling_cents=10_000,
        )
        if end < today:
            actions.draw_contest(contest=contest, by=admin, today=today)
            actions.close_bonus_period(period=period, by=admin, today=today)
    actions.award_badges(workspace, today=today)
