"""The demo shows leagues drawn from its history and a few anti-gaming findings."""

from __future__ import annotations

import datetime as dt

import pytest

from groundswell.demo.generator import build_demo
from groundswell.rewards.models import Finding, FindingKind, LeagueSeat, LeagueWeek, Movement


@pytest.mark.django_db
def test_demo_has_leagues_and_findings() -> None:
    result = build_demo(seed=5, employees=60, days=45, now=dt.datetime(2026, 5, 20, 15, 30, tzinfo=dt.UTC))
    ws = result.workspace
    assert LeagueWeek.objects.filter(workspace=ws).count() == 6
    movements = set(LeagueSeat.objects.filter(workspace=ws).values_list("movement", flat=True))
    assert {Movement.NEW, Movement.UP, Movement.STAYED} <= movements
    kinds = set(Finding.objects.filter(workspace=ws).values_list("kind", flat=True))
    assert kinds == {FindingKind.SELF_CLICK, FindingKind.BURST, FindingKind.RING}
