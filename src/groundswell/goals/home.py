"""Goals' panel on the employee home: the program's current goals."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from groundswell.core.home import Home, HomePanel
from groundswell.goals.models import Goal
from groundswell.goals.progress import goal_progress

HOME_GOALS = 4


def program_goals(home: Home) -> Mapping[str, object]:
    # Goals whose period could still be running (no goal period is longer than a year).
    recent_goals = list(
        Goal.objects.filter(
            workspace=home.workspace,
            period_start__lte=home.today,
            period_start__gt=home.today - dt.timedelta(days=370),
        ).order_by("-period_start", "name")[:50]
    )
    return {"goals": [p for p in goal_progress(recent_goals, today=home.today) if p.is_current][:HOME_GOALS]}


PANEL = HomePanel(name="goals", order=60, template="goals/_home_goals.html", context=program_goals)
