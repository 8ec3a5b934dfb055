"""Guard: per-person activity reaches a page, an API answer or an export only through ``privacy/visibility.py``.

Every module that answers requests — the modules of the callbacks of every URL pattern, and every module of
the REST API's endpoints — is read (its syntax tree, not run). A module that names a source of one person's
activity (the per-member rollups, the points ledger, shares, league seats, bonus payouts, draws, contest
entries…) fails this test unless ``REVIEWED`` says why that read is allowed: the reader's own data, or a read
whose subject has been checked by a function of ``privacy/visibility.py``, which the module must then import.
Boards are safe to call from anywhere: every board read takes the viewer and applies the rule itself
(``rewards.leaderboard.board_for``), which ``test_every_board_read_goes_through_the_rule`` checks.

So a new page or endpoint that renders someone's numbers another way fails here until it is reviewed.
"""

from __future__ import annotations

import ast
import datetime as dt
import importlib
import inspect
import pkgutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from groundswell.core import home
from groundswell.workspaces.models import Membership

#: Names that stand for one person's activity, wherever they are imported from.
PER_PERSON = {
    "MemberPeriod": "per-member rollups (shares, clicks, points per period)",
    "PointsEntry": "the points ledger",
    "DailyTally": "points per member and day",
    "LeagueSeat": "league seats",
    "Share": "shares, with their clicks",
    "BonusPayout": "bonus payouts",
    "Draw": "published draws (entries)",
    "ContestWinner": "contest winners",
    "Finding": "anti-gaming findings about a member",
    "points_between": "points per member between two days",
    "preview_bonus": "bonus allocation per member",
    "contest_entries": "contest entries per member",
    "payroll_csv": "the payroll file",
}

#: (module, name) → why the read is allowed. ``visibility`` in the reason means the module checks its subject
#: with ``privacy/visibility.py`` and must import it.
REVIEWED: dict[tuple[str, str], str] = {
    ("groundswell.rewards.home", "MemberPeriod"): "own: the member's all-time totals on their home page",
    ("groundswell.rewards.views", "MemberPeriod"): "own: the all-time total on the member's points history",
    ("groundswell.rewards.views", "PointsEntry"): "own ledger (history, member=member); program admins' "
    "adjustments list (WHO_SEES_WHAT: admins check points)",
    ("groundswell.rewards.views", "Finding"): "program admins review anti-gaming findings (WHO_SEES_WHAT)",
    ("groundswell.privacy.views", "MemberPeriod"): "visibility: team page rows only for "
    "visibility.reports_sharing, totals only when visibility.team_totals allows",
    ("groundswell.api.endpoints.stats", "MemberPeriod"): "visibility: the subject passed "
    "visibility.can_see_member_stats",
    ("groundswell.api.endpoints.shares", "Share"): "visibility: own shares, or visibility.can_see_member_shares",
    ("groundswell.sharing.views", "Share"): "own: the member's own shares (member=member)",
    ("groundswell.links.views", "Share"): "the public redirect of a short link: shows no one's numbers",
    ("groundswell.recognition.views", "BonusPayout"): "own payout; program admins' allocation and payroll "
    "(WHO_SEES_WHAT: payroll must name who is paid)",
    ("groundswell.recognition.views", "points_between"): "own: the member's own points in a contest",
    ("groundswell.recognition.views", "contest_entries"): "own entry, and only the number of entrants",
    ("groundswell.recognition.views", "preview_bonus"): "own line; program admins' allocation (WHO_SEES_WHAT)",
    ("groundswell.recognition.views", "payroll_csv"): "program admins: payroll must name who is paid",
}


def _callback_modules(patterns: list[URLPattern | URLResolver]) -> Iterator[str]:
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _callback_modules(p.url_patterns)
        else:
            module = inspect.getmodule(inspect.unwrap(p.callback))
            if module is not None:
                yield module.__name__


def request_modules() -> set[str]:
    """Every module of ours that answers a request: URL callbacks, the panels of the home page (each domain
    registers its own, ``core.home.register_panel``) and the REST API's endpoint modules."""
    modules = {m for m in _callback_modules(get_resolver().url_patterns) if m.startswith("groundswell.")}
    modules |= {panel.context.__module__ for panel in home.panels()}
    endpoints = importlib.import_module("groundswell.api.endpoints")
    modules |= {f"groundswell.api.endpoints.{info.name}" for info in pkgutil.iter_modules(endpoints.__path__)}
    return modules


def _source(module: str) -> str:
    spec = importlib.util.find_spec(module)
    assert spec is not None and spec.origin is not None, module
    return Path(spec.origin).read_text()


def names_used(module: str) -> set[str]:
    """The per-person names a module mentions (imported, or as an attribute: ``actions.points_between``)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(_source(module))):
        if isinstance(node, ast.ImportFrom):
            found |= {alias.name for alias in node.names if alias.name in PER_PERSON}
        elif isinstance(node, ast.Attribute) and node.attr in PER_PERSON:
            found.add(node.attr)
        elif isinstance(node, ast.Name) and node.id in PER_PERSON:
            found.add(node.id)
    return found


def imports_visibility(module: str) -> bool:
    for node in ast.walk(ast.parse(_source(module))):
        if isinstance(node, ast.ImportFrom) and node.module == "groundswell.privacy.visibility":
            return True
        if (
            isinstance(node, ast.ImportFrom)
            and node.module == "groundswell.privacy"
            and any(alias.name == "visibility" for alias in node.names)
        ):
            return True
    return False


MODULES = sorted(request_modules())


def test_the_guard_sees_the_pages_and_the_api() -> None:
    for expected in (
        "groundswell.rewards.views",
        "groundswell.rewards.home",
        "groundswell.privacy.views",
        "groundswell.analytics.views",
        "groundswell.recognition.views",
        "groundswell.api.endpoints.community",
        "groundswell.api.endpoints.stats",
    ):
        assert expected in MODULES
    assert names_used("groundswell.api.endpoints.stats") >= {"MemberPeriod"}  # the scan finds what it should


@pytest.mark.parametrize("module", MODULES)
def test_per_person_reads_are_reviewed(module: str) -> None:
    unreviewed = {name for name in names_used(module) if (module, name) not in REVIEWED}
    assert not unreviewed, (
        f"{module} reads {', '.join(f'{n} ({PER_PERSON[n]})' for n in sorted(unreviewed))} without going "
        "through privacy/visibility.py. Show boards with rewards.leaderboard (it applies the rule), check one "
        "person's numbers with visibility.can_see_member_stats, or add the read to REVIEWED in "
        "privacy/tests/test_guard.py with the reason it is allowed (and say so in WHO_SEES_WHAT)."
    )
    for name in names_used(module):
        if "visibility" in REVIEWED.get((module, name), "").split(":")[0]:
            assert imports_visibility(module), f"{module} is reviewed as checking with visibility but never imports it"


def test_no_stale_reviews() -> None:
    """A reviewed read that no longer exists is removed, so the list stays a true account."""
    stale = [(m, n) for (m, n) in REVIEWED if m not in MODULES or n not in names_used(m)]
    assert not stale, f"remove from REVIEWED: {stale}"


@pytest.mark.django_db
def test_every_board_read_goes_through_the_rule(monkeypatch: pytest.MonkeyPatch, bob: Membership) -> None:
    """Each board read asks ``visibility.board_rows``: with it refusing, every one of them fails."""
    from groundswell.lib.periods import period_start
    from groundswell.privacy import actions, visibility
    from groundswell.rewards import leaderboard, leagues, normalised
    from groundswell.rewards.models import LeagueSeat

    actions.set_leaderboard_visibility(bob, "name")
    week = period_start("w", dt.date(2026, 3, 4))
    LeagueSeat.objects.create(workspace=bob.workspace, member=bob, week=week, tier=0, cohort=0)

    class Asked(Exception):
        pass

    def refuse(*args: object, **kwargs: object) -> None:
        raise Asked

    monkeypatch.setattr(visibility, "board_rows", refuse)
    reads: list[Callable[[], object]] = [
        lambda: leaderboard.leaderboard(bob, "w", week),
        lambda: leaderboard.near_me(bob, "w", week),
        lambda: leaderboard.member_standing(bob, "w", week),
        lambda: leaderboard.board_size(bob, "w", week),
        lambda: normalised.normalised_board(bob, "w", week),
        lambda: leagues.league_for(bob, week),
    ]
    for read in reads:
        with pytest.raises(Asked):
            read()
