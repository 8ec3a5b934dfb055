"""Rewards' panel on the employee home: my points, rank, shares and clicks (the member's own numbers)."""

from __future__ import annotations

from collections.abc import Mapping

from groundswell.analytics.models import MemberPeriod
from groundswell.core.home import Home, HomePanel
from groundswell.lib.periods import ALL_TIME_START, period_label, period_start
from groundswell.rewards.leaderboard import member_standing


def my_impact(home: Home) -> Mapping[str, object]:
    month = period_start("m", home.today)
    overall = (
        MemberPeriod.objects.filter(workspace=home.workspace, member=home.member, period="a", start=ALL_TIME_START)
        .values_list("points", "shares", "clicks")
        .first()
    ) or (0, 0, 0)
    return {
        "month_label": period_label("m", month),
        "month": member_standing(home.member, "m", month),
        "overall_points": overall[0],
        "overall_shares": overall[1],
        "overall_clicks": overall[2],
    }


PANEL = HomePanel(name="rewards", order=50, template="rewards/_home_stats.html", context=my_impact)
